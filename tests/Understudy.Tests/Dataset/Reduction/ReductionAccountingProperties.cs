using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Tests.Dataset.Reduction;

/// <summary>
/// No input event is lost: over random streams of keys, buttons, scrolls, moves, focus changes and
/// gaps, every raw button, key and scroll event belongs to exactly one action or has exactly one
/// drop reason, and the reducer gives the same output for the same input.
/// </summary>
public sealed class ReductionAccountingProperties
{
    private static readonly string[] Keys = ["a", "b", "space", "shift_l", "control_l", "alt_l", "Return", "Tab", "BackSpace", "Down", "Escape", "redacted"];
    private static readonly MouseButton[] Buttons = [MouseButton.Left, MouseButton.Left, MouseButton.Right, MouseButton.Middle, MouseButton.Back];

    private sealed class Collector : IReductionSink
    {
        public List<AgentAction> Actions { get; } = [];

        public List<ReductionDrop> Drops { get; } = [];

        public void OnAction(AgentAction action) => Actions.Add(action);

        public void OnDrop(ReductionDrop drop) => Drops.Add(drop);

        public void OnEvent(SessionEvent observation)
        {
        }
    }

    private static Arbitrary<(int Op, int Pick, int Dx, int Dy, int Ms)[]> Streams() =>
        Gen.Choose(0, 9).SelectMany(op => Gen.Choose(0, 11).SelectMany(pick => Gen.Choose(-8, 8).SelectMany(dx => Gen.Choose(-8, 8).SelectMany(dy =>
                Gen.Frequency((6, Gen.Choose(0, 120)), (2, Gen.Choose(100, 1200)), (1, Gen.Choose(1000, 4000)))
                    .Select(ms => (op, pick, dx, dy, ms))))))
            .ArrayOf()
            .ToArbitrary();

    private static List<SessionEvent> Events((int Op, int Pick, int Dx, int Dy, int Ms)[] script)
    {
        var events = new List<SessionEvent>();
        long ns = 0;
        int x = 500, y = 400;
        var wall = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        foreach (var (op, pick, dx, dy, ms) in script)
        {
            ns += ms * 1_000_000L;
            x = Math.Clamp(x + dx, 0, 1919);
            y = Math.Clamp(y + dy, 0, 1079);
            var key = Keys[pick % Keys.Length];
            var text = key switch { "a" => "a", "b" => "b", "space" => " ", "redacted" => pick % 2 == 0 ? "<EMAIL_ADDRESS>" : null, _ => null };
            EventPayload payload = op switch
            {
                0 or 1 => new PointerMovePayload(x, y),
                2 => new ButtonPayload(true, Buttons[pick % Buttons.Length], x, y, Modifiers.None),
                3 => new ButtonPayload(false, Buttons[pick % Buttons.Length], x, y, Modifiers.None),
                4 or 5 => new KeyPayload(true, key, text, pick % 3 == 0 ? Modifiers.Ctrl : Modifiers.None, 10 + pick),
                6 => new KeyPayload(false, key, null, Modifiers.None, 10 + pick),
                7 => new ScrollPayload(0, dy >= 0 ? 1 : -1, x, y, Modifiers.None),
                8 => new FocusPayload(pick % 2 == 0 ? "Gedit" : "Firefox", null, null, 100, null, pick),
                _ => new GapPayload(pick % 2 == 0 ? GapReasons.Paused : GapReasons.FrameLost, 1_000_000, 0),
            };
            events.Add(new SessionEvent(events.Count, ns, wall.AddTicks(ns / 100), payload));
        }
        return events;
    }

    private static Collector Reduce(IEnumerable<SessionEvent> events)
    {
        var sink = new Collector();
        var reducer = new ActionReducer(new ReductionOptions(), sink);
        foreach (var recorded in events)
        {
            reducer.Add(recorded);
        }
        reducer.Complete();
        return sink;
    }

    [Property(MaxTest = 1000)]
    public Property Every_button_key_and_scroll_event_belongs_to_exactly_one_action_or_drop() =>
        Prop.ForAll(Streams(), script =>
        {
            var events = Events(script);
            var sink = Reduce(events);
            var owners = new Dictionary<long, int>();
            foreach (var seq in sink.Actions.SelectMany(a => a.InputSeqs).Concat(sink.Drops.Select(d => d.Seq)))
            {
                owners[seq] = owners.GetValueOrDefault(seq) + 1;
            }
            var input = events.Where(e => e.Kind is EventKind.KeyDown or EventKind.KeyUp or EventKind.ButtonDown or EventKind.ButtonUp or EventKind.Scroll).Select(e => e.Seq).ToList();
            var unaccounted = input.Where(seq => owners.GetValueOrDefault(seq) != 1).ToList();
            var foreign = owners.Keys.Except(input).ToList();
            return (unaccounted.Count == 0 && foreign.Count == 0)
                .Label($"seqs not owned exactly once: [{string.Join(", ", unaccounted.Select(s => $"{s}×{owners.GetValueOrDefault(s)}"))}]; owned but not input: [{string.Join(", ", foreign)}]; stream: {string.Join(" ", events.Where(e => e.Kind != EventKind.PointerMove).Select(Describe))}");
        });

    private static string Describe(SessionEvent e) => e.Payload switch
    {
        KeyPayload key => $"{e.Seq}:{(key.IsDown ? "kd" : "ku")}({key.Key}{(key.Modifiers == Modifiers.Ctrl ? "+ctrl" : "")})@{e.MonoNs / 1_000_000}",
        ButtonPayload button => $"{e.Seq}:{(button.IsDown ? "bd" : "bu")}({button.Button})@{e.MonoNs / 1_000_000}",
        ScrollPayload => $"{e.Seq}:scroll@{e.MonoNs / 1_000_000}",
        FocusPayload => $"{e.Seq}:focus",
        GapPayload gap => $"{e.Seq}:gap({gap.Reason})",
        _ => $"{e.Seq}:{e.Kind}",
    };

    [Property(MaxTest = 100)]
    public Property The_same_stream_always_reduces_to_the_same_actions() =>
        Prop.ForAll(Streams(), script =>
        {
            var events = Events(script);
            var first = Reduce(events);
            var second = Reduce(events);
            return (first.Actions.SequenceEqual(second.Actions) && first.Drops.SequenceEqual(second.Drops)).Label("two reductions of one stream differ");
        });
}
