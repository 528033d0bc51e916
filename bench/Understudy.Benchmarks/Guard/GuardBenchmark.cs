using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;
using Understudy.Redaction;

namespace Understudy.Benchmarks.Guard;

/// <summary>
/// The privacy guard's cost on the recorder's pipeline thread: events per second through
/// <see cref="PrivacyGuard"/> and <see cref="SeqRemap"/> with the real redaction engine, on a
/// synthetic stream shaped like use of a form (pointer moves, clicks, typing in fields, Tab, the
/// focused element of each field, an email in some fields, a password field), and the cost of
/// deciding one typed piece (the recognizers' run plus the rewrite). No display needed.
/// </summary>
internal static class GuardBenchmark
{
    private const long Ms = 1_000_000;

    public static int Run(Args args)
    {
        var fields = args.Int("fields", 20_000, 1_000, 1_000_000);
        var runs = args.Int("runs", 7, 3, 50);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        TextRedactionEngine.Preload();
        var engine = new TextRedactionEngine();
        var stream = BuildStream(fields);
        // Warm up, then time whole passes.
        Pass(engine, stream, out _);
        var rates = new List<double>();
        var pieceUs = new List<double>();
        long stored = 0;
        for (var run = 0; run < runs; run++)
        {
            Report.Progress($"pass {run + 1}/{runs}");
            var watch = Stopwatch.StartNew();
            stored = Pass(engine, stream, out var decideTicks);
            var seconds = watch.Elapsed.TotalSeconds;
            rates.Add(stream.Count / seconds);
            pieceUs.Add(decideTicks * 1e6 / Stopwatch.Frequency / fields);
        }
        rates.Sort();
        pieceUs.Sort();
        var median = rates[rates.Count / 2];
        report.Line($"guard: {Report.N(stream.Count)} events ({Report.N(fields)} fields typed into, 1 in 5 with an email, 1 in 10 a password field), {runs} passes, one thread");
        report.Table(["measure", "median", "min", "max"], [
            ["events/s through guard + remap", Report.N((long)median), Report.N((long)rates[0]), Report.N((long)rates[^1])],
            ["µs per typed piece (whole pass / pieces)", Report.F(1e6 / median * stream.Count / fields, 1), "", ""],
        ]);
        report.Line($"events stored per pass: {Report.N(stored)} (sensitive-field keystrokes fold into one event each)");
        report.Result(new { Events = stream.Count, Fields = fields, Runs = runs, EventsPerSecondMedian = median, EventsPerSecond = rates });
        return 0;
    }

    private static long Pass(TextRedactionEngine engine, List<SessionEvent> stream, out long decideTicks)
    {
        // Facts as the accessibility source gives them: one per text key, for the field clicked before it.
        var facts = new RecordedFieldFacts(SensitiveFieldRules.Default);
        var guard = new PrivacyGuard(engine, SensitiveFieldRules.Default, new GuardOptions(), facts, new SensitiveRegions());
        var remap = new SeqRemap();
        var output = new List<GuardedEvent>(256);
        long stored = 0;
        decideTicks = 0;
        foreach (var item in stream)
        {
            facts.Observe(item);
            var before = Stopwatch.GetTimestamp();
            // The pipeline's clock: the event's own time (the stream is paced like real use).
            guard.Process(item, item.MonoNs, output);
            if (item.Payload is KeyPayload { Key: "Tab" })
            {
                decideTicks += Stopwatch.GetTimestamp() - before;
            }
            foreach (var guarded in output)
            {
                remap.Assign(guarded);
                stored++;
            }
            output.Clear();
        }
        guard.Flush(long.MaxValue / 2, output);
        return stored + output.Count;
    }

    private static List<SessionEvent> BuildStream(int fields)
    {
        var events = new List<SessionEvent>(fields * 60);
        var wall = DateTimeOffset.UnixEpoch;
        long seq = 0;
        long now = 1_000 * Ms;
        void Add(EventPayload payload, long stepNs)
        {
            now += stepNs;
            events.Add(new SessionEvent(seq++, now, wall, payload));
        }
        var random = new Random(20261202);
        Add(new FocusPayload("Yad", "yad", "Expense form", 42, new Rect(100, 100, 600, 420), 7), Ms);
        for (var field = 0; field < fields; field++)
        {
            for (var move = 0; move < 10; move++)
            {
                Add(new PointerMovePayload(200 + move, 300), 8 * Ms);
            }
            var click = seq;
            Add(new ButtonPayload(true, MouseButton.Left, 210, 300, Modifiers.None), 5 * Ms);
            Add(new ButtonPayload(false, MouseButton.Left, 210, 300, Modifiers.None), 60 * Ms);
            var password = field % 10 == 9;
            Add(new ElementPayload(click, ElementTriggers.Pointer, password ? "password text" : "text", null, password ? "Password" : "Description",
                ["editable", "focused"], new Rect(200, 290, 300, 30), "yad", 42, []), 4 * Ms);
            var text = field % 5 == 0 ? $"lunch with user{field}@example.com" : $"taxi to the airport {random.Next(100)}";
            foreach (var c in text)
            {
                var code = 10 + (c % 60);
                Add(new KeyPayload(true, c.ToString(), c.ToString(), Modifiers.None, code), 90 * Ms);
                Add(new KeyPayload(false, c.ToString(), null, Modifiers.None, code), 40 * Ms);
            }
            Add(new KeyPayload(true, "Tab", null, Modifiers.None, 23), 1_500 * Ms);
            Add(new KeyPayload(false, "Tab", null, Modifiers.None, 23), 50 * Ms);
        }
        return events;
    }
}
