using System.Diagnostics;
using System.Globalization;
using Understudy.Benchmarks.Common;
using Understudy.Core.Model;
using Understudy.Platform.X11.Input;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.Input;

/// <summary>
/// The real recorder (X11 backend, input + window sources, scope gate, recorder, encrypted
/// session store) under bursts of XTEST pointer motion at increasing rates, injected from a
/// separate X connection. Counts what reached the session, what the input ring dropped, and
/// how long the XRecord callback took per event.
/// </summary>
internal static class InputBenchmark
{
    private const double TargetZeroLossRate = 5_000;
    private const double TargetCallbackMedianUs = 10;

    // Thread names as the kernel shows them (comm, 15 characters at most).
    private static readonly string[] RecorderThreads = ["x11-record", "x11-input-pump", "bench-recorder", "x11-window"];

    public static int Run(Args args)
    {
        var rates = ParseRates(args.String("rates") ?? "2000,5000,10000,20000,max");
        var seconds = args.Double("seconds", 2.5, 0.2, 60);
        var repeats = args.Int("repeats", 3, 1, 50);
        var latencySeconds = args.Double("latency-seconds", 5, 0, 50);
        var overApp = !args.Flag("no-app");
        var withReference = args.Flag("reference-record");
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        report.Line($"input: the real recorder under XTEST motion bursts on {Environment.GetEnvironmentVariable("DISPLAY")}");
        report.Line($"  rates {string.Join(", ", rates.Select(RateName))} ev/s, {Report.F(seconds)} s each, {repeats} run(s); {Environment.ProcessorCount} CPUs");
        report.Line(overApp
            ? "  pointer over an application window that reads its input (so the server flushes record data after every request)"
            : "  pointer over the bare root window (--no-app: the server sends record data when its buffer fills)");
        if (withReference)
        {
            report.Line("  with a second, counting-only XRecord client beside the recorder (--reference-record)");
        }
        report.Line();

        var runs = new List<RunResult>();
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            Report.Progress($"run {repeat + 1}/{repeats}");
            var run = RunOnce(rates, seconds, overApp, withReference);
            runs.Add(run);
            PrintRun(report, repeat + 1, run);
        }

        var summary = Summarize(rates, runs);
        PrintSummary(report, summary, repeats);

        if (latencySeconds > 0)
        {
            Report.Progress("timestamp delay at 20 ev/s");
            var latency = LatencyProbe.Measure(latencySeconds, 20);
            report.Line();
            report.Line($"timestamp delay at 20 ev/s ({Report.F(latencySeconds, 0)} s each): recorded t_mono_ns minus the time the event was sent");
            report.Table(
                ["injector", "sent", "recorded", "deliveries", "delay median ms", "delay p95 ms", "delay max ms"],
                latency.Select(l => (IReadOnlyList<string>)
                [
                    l.Mode,
                    Report.N(l.Sent),
                    Report.N(l.Recorded),
                    Report.N(l.Deliveries),
                    Report.F(l.MedianDelayMs, 2),
                    Report.F(l.P95DelayMs, 2),
                    Report.F(l.MaxDelayMs, 2),
                ]));
            summary = summary with { Latency = latency };
        }
        report.Result(summary with { Runs = runs });
        return 0;
    }

    private static List<int> ParseRates(string text)
    {
        var rates = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "max")
            {
                rates.Add(0);
            }
            else if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rate) && rate is > 0 and <= 1_000_000)
            {
                rates.Add(rate);
            }
            else
            {
                throw new UsageException($"--rates: expected events/s values or 'max', got '{part}'");
            }
        }
        if (rates.Count == 0)
        {
            throw new UsageException("--rates: no rate given");
        }
        return rates;
    }

    private static string RateName(int rate) => rate == 0 ? "max" : Report.N(rate);

    private static RunResult RunOnce(IReadOnlyList<int> rates, double seconds, bool overApp, bool withReference)
    {
        // Room for every paced event plus a generous bound for the unpaced bursts.
        var sampleCapacity = (int)Math.Min(20_000_000, (rates.Sum(r => r == 0 ? 400_000.0 : r * 1.2) * seconds) + 10_000);
        using var harness = new RecorderHarness(sampleCapacity);
        var bursts = new List<BurstResult>();
        using (var injector = XTestDriver.Open(null))
        using (var app = overApp ? new SinkWindow(100, 100, 1000, 600) : null)
        using (var reference = withReference ? new RecordCounter(likeRecorder: true) : null)
        {
            // Let the window source report the initial focus, then start from a quiet pipeline.
            Thread.Sleep(500);
            var position = 0L;
            foreach (var rate in rates)
            {
                var referenceBefore = reference?.Motions ?? 0;
                var burst = Burst(rate, seconds, injector, harness.Input, harness.Writer, app, ref position);
                bursts.Add(reference is null ? burst : burst with { ReferenceClientSaw = reference.Motions - referenceBefore });
                Thread.Sleep(300);
            }
        }
        var outcome = harness.Stop();

        // What the session holds, read back through the store (decrypting every frame).
        long storedMoves = 0, storedOverflow = 0, storedEvents = 0;
        foreach (var sessionEvent in harness.ReadBack())
        {
            storedEvents++;
            switch (sessionEvent.Payload)
            {
                case PointerMovePayload:
                    storedMoves++;
                    break;
                case GapPayload { Reason: GapReasons.InputOverflow } gap:
                    storedOverflow += gap.Dropped;
                    break;
            }
        }
        return new RunResult(
            bursts,
            outcome.EndReasonName,
            storedEvents,
            storedMoves,
            storedOverflow,
            outcome.DroppedInput,
            outcome.CountsByKind.GetValueOrDefault(EventKind.PointerMove),
            harness.Writer.PointerMoves,
            new FileInfo(harness.EventsLogPath).Length,
            null);
    }

    private static BurstResult Burst(int rate, double seconds, XTestDriver injector, XRecordInputSource input, CountingEventWriter counting, SinkWindow? app, ref long position)
    {
        var appBefore = app?.EventsRead ?? 0;
        var movesBefore = counting.PointerMoves;
        var droppedBefore = input.Dropped;
        var gapDroppedBefore = counting.OverflowDropped;
        var samplesBefore = input.CallbackCostSamples.Length;
        var threadsBefore = ProcStat.ThreadCpuNs(Environment.ProcessId);
        var durationTicks = (long)(seconds * Stopwatch.Frequency);
        var sleepThreshold = Stopwatch.Frequency / 500; // 2 ms ahead of schedule: sleep instead of spinning
        long sent = 0;
        var unflushed = 0;

        var start = Stopwatch.GetTimestamp();
        if (rate == 0)
        {
            // As fast as the server takes them: XFlush blocks when the socket is full.
            while (Stopwatch.GetTimestamp() - start < durationTicks)
            {
                for (var i = 0; i < 64; i++)
                {
                    Move(injector, position++);
                }
                sent += 64;
                injector.Flush();
            }
        }
        else
        {
            var total = (long)(rate * seconds);
            var ticksPerEvent = Stopwatch.Frequency / (double)rate;
            for (long i = 0; i < total; i++)
            {
                var due = start + (long)(i * ticksPerEvent);
                while (true)
                {
                    var ahead = due - Stopwatch.GetTimestamp();
                    if (ahead <= 0)
                    {
                        break;
                    }
                    if (ahead > sleepThreshold)
                    {
                        // Far ahead: hand over what is buffered and give the core to the recorder.
                        if (unflushed > 0)
                        {
                            injector.Flush();
                            unflushed = 0;
                        }
                        Thread.Sleep(1);
                    }
                    else
                    {
                        Thread.SpinWait(20);
                    }
                }
                Move(injector, position++);
                sent++;
                if (++unflushed == 64)
                {
                    injector.Flush();
                    unflushed = 0;
                }
            }
        }
        injector.Sync();
        var injected = Stopwatch.GetTimestamp();
        var injectSeconds = Stopwatch.GetElapsedTime(start, injected).TotalSeconds;

        // Drain: wait until every event is either written or counted as dropped, or nothing moves for 2 s.
        var lastProgress = Stopwatch.GetTimestamp();
        var lastSeen = -1L;
        while (true)
        {
            var accounted = (counting.PointerMoves - movesBefore) + (input.Dropped - droppedBefore);
            if (accounted >= sent)
            {
                break;
            }
            if (accounted != lastSeen)
            {
                lastSeen = accounted;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress).TotalSeconds > 2)
            {
                break;
            }
            Thread.Sleep(5);
        }
        var drainMs = Stopwatch.GetElapsedTime(injected).TotalMilliseconds;
        // Let a trailing overflow gap (reported with the next event) or stragglers settle before the next burst.
        Thread.Sleep(100);

        var threadsAfter = ProcStat.ThreadCpuNs(Environment.ProcessId);
        var samples = input.CallbackCostSamples;
        var costUs = new double[Math.Max(0, samples.Length - samplesBefore)];
        for (var i = 0; i < costUs.Length; i++)
        {
            costUs[i] = samples[samplesBefore + i] * 1_000_000.0 / Stopwatch.Frequency;
        }
        Array.Sort(costUs);

        var recorded = counting.PointerMoves - movesBefore;
        var appSaw = app is null ? -1 : app.EventsRead - appBefore;
        var threadMs = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in RecorderThreads)
        {
            threadMs[name] = (threadsAfter.GetValueOrDefault(name) - threadsBefore.GetValueOrDefault(name)) / 1e6;
        }
        return new BurstResult(
            rate == 0 ? "max" : rate.ToString(CultureInfo.InvariantCulture),
            rate,
            sent,
            recorded,
            Math.Max(0, sent - recorded),
            input.Dropped - droppedBefore,
            counting.OverflowDropped - gapDroppedBefore,
            sent / injectSeconds,
            injectSeconds,
            drainMs,
            costUs.Length,
            Stats.PercentileOfSorted(costUs, 50),
            Stats.PercentileOfSorted(costUs, 95),
            Stats.PercentileOfSorted(costUs, 99),
            costUs.Length > 0 ? costUs[^1] : double.NaN,
            threadMs,
            appSaw,
            costUs);
    }

    /// <summary>Alternates between two neighbouring points, so that every request is a real motion.</summary>
    private static void Move(XTestDriver injector, long index)
    {
        var odd = (int)(index & 1);
        injector.MoveTo(400 + odd, 300 + odd);
    }

    private static Summary Summarize(IReadOnlyList<int> rates, List<RunResult> runs)
    {
        var perRate = new List<RateSummary>();
        for (var r = 0; r < rates.Count; r++)
        {
            var bursts = runs.Select(run => run.Bursts[r]).ToList();
            var pooled = bursts.SelectMany(b => b.CostUs!).Order().ToArray();
            perRate.Add(new RateSummary(
                bursts[0].Rate,
                Stats.Median(bursts.Select(b => b.Sent)),
                Stats.Median(bursts.Select(b => b.Recorded)),
                Stats.Median(bursts.Select(b => b.Lost)),
                bursts.Max(b => b.Lost),
                bursts.All(b => b.Lost == 0),
                Stats.Median(bursts.Select(b => b.AchievedRate).ToList()),
                Stats.Median(bursts.Select(b => b.DrainMs).ToList()),
                Stats.PercentileOfSorted(pooled, 50),
                Stats.PercentileOfSorted(pooled, 95),
                Stats.PercentileOfSorted(pooled, 99),
                RecorderThreads.ToDictionary(name => name, name => Stats.Median(bursts.Select(b => b.ThreadCpuMs[name]).ToList())),
                RecorderThreads.ToDictionary(name => name, name => Stats.Median(bursts.Select(b => b.ThreadCpuMs[name] * 1000 / Math.Max(1, b.Sent)).ToList()))));
        }

        // Highest rate, in increasing order of target, up to which no repeat lost anything.
        RateSummary? sustained = null;
        foreach (var rate in perRate.OrderBy(p => p.TargetRate == 0 ? int.MaxValue : p.TargetRate))
        {
            if (!rate.ZeroLossInEveryRun)
            {
                break;
            }
            sustained = rate;
        }
        var allCosts = runs.SelectMany(run => run.Bursts).SelectMany(b => b.CostUs!).Order().ToArray();
        var callbackMedian = Stats.PercentileOfSorted(allCosts, 50);
        var sustainedRate = sustained?.MedianAchievedRate ?? 0;
        return new Summary(
            perRate,
            sustained?.Rate,
            sustainedRate,
            allCosts.Length,
            callbackMedian,
            Stats.PercentileOfSorted(allCosts, 95),
            Stats.PercentileOfSorted(allCosts, 99),
            Stats.PercentileOfSorted(allCosts, 99.9),
            sustainedRate >= TargetZeroLossRate * 0.98 && perRate.Where(p => p.TargetRate is > 0 and <= (int)TargetZeroLossRate).All(p => p.ZeroLossInEveryRun),
            callbackMedian < TargetCallbackMedianUs,
            null);
    }

    private static void PrintRun(Report report, int number, RunResult run)
    {
        report.Line($"run {number}: session read back: {Report.N(run.StoredPointerMoves)} pointer_move, {Report.N(run.StoredOverflowDropped)} dropped in input_overflow gaps, {Report.N(run.StoredEvents)} events, events.log {Report.N(run.EventsLogBytes)} B, end '{run.EndReason}'");
        if (run.StoredPointerMoves != run.LiveCountedPointerMoves || run.OutcomePointerMoves != run.StoredPointerMoves)
        {
            report.Line($"  ! counts disagree: live {Report.N(run.LiveCountedPointerMoves)}, outcome {Report.N(run.OutcomePointerMoves)}, stored {Report.N(run.StoredPointerMoves)}");
        }
        report.Table(
            ["rate ev/s", "sent", "app saw", "ref client saw", "callbacks", "recorded", "lost", "ring drops", "achieved ev/s", "drain ms", "cb med µs", "cb p95 µs", "cb p99 µs", "cb max µs", "record ms", "pump ms", "pipeline ms"],
            run.Bursts.Select(b => (IReadOnlyList<string>)
            [
                b.Rate == "max" ? "max" : Report.N(b.TargetRate),
                Report.N(b.Sent),
                b.AppWindowEvents < 0 ? "-" : Report.N(b.AppWindowEvents),
                b.ReferenceClientSaw < 0 ? "-" : Report.N(b.ReferenceClientSaw),
                Report.N(b.CallbackSamples),
                Report.N(b.Recorded),
                Report.N(b.Lost),
                Report.N(b.RingDropped),
                Report.N((long)b.AchievedRate),
                Report.F(b.DrainMs, 0),
                Report.F(b.CallbackMedianUs, 2),
                Report.F(b.CallbackP95Us, 2),
                Report.F(b.CallbackP99Us, 2),
                Report.F(b.CallbackMaxUs, 0),
                Report.F(b.ThreadCpuMs["x11-record"], 1),
                Report.F(b.ThreadCpuMs["x11-input-pump"], 1),
                Report.F(b.ThreadCpuMs["bench-recorder"], 1),
            ]));
        report.Line();
    }

    private static void PrintSummary(Report report, Summary summary, int repeats)
    {
        report.Line($"summary over {repeats} run(s): medians per rate; callback percentiles over all samples of that rate");
        report.Table(
            ["rate ev/s", "sent", "recorded", "lost (med / max)", "zero loss", "achieved ev/s", "drain ms", "cb med µs", "cb p95 µs", "cb p99 µs", "record µs/ev", "pump µs/ev", "pipeline µs/ev"],
            summary.PerRate.Select(p => (IReadOnlyList<string>)
            [
                p.TargetRate == 0 ? "max" : Report.N(p.TargetRate),
                Report.N((long)p.MedianSent),
                Report.N((long)p.MedianRecorded),
                $"{Report.N((long)p.MedianLost)} / {Report.N(p.MaxLost)}",
                p.ZeroLossInEveryRun ? "yes" : "no",
                Report.N((long)p.MedianAchievedRate),
                Report.F(p.MedianDrainMs, 0),
                Report.F(p.CallbackMedianUs, 2),
                Report.F(p.CallbackP95Us, 2),
                Report.F(p.CallbackP99Us, 2),
                Report.F(p.MedianThreadCpuUsPerEvent["x11-record"], 2),
                Report.F(p.MedianThreadCpuUsPerEvent["x11-input-pump"], 2),
                Report.F(p.MedianThreadCpuUsPerEvent["bench-recorder"], 2),
            ]));
        report.Line("  (record/pump/pipeline µs/ev: CPU time of the x11-record, x11-input-pump and recorder pipeline threads during the burst and its drain, per event sent, idle polling included)");
        report.Line();
        report.Line($"sustained with zero loss: {(summary.SustainedRate is null ? "none" : $"target {(summary.SustainedRate == "max" ? "max" : Report.N(int.Parse(summary.SustainedRate, CultureInfo.InvariantCulture)))} ev/s (achieved {Report.N((long)summary.SustainedAchievedRate)} ev/s)")}");
        report.Line($"callback cost over {Report.N(summary.CallbackSamples)} events: median {Report.F(summary.CallbackMedianUs, 2)} µs, p95 {Report.F(summary.CallbackP95Us, 2)} µs, p99 {Report.F(summary.CallbackP99Us, 2)} µs, p99.9 {Report.F(summary.CallbackP999Us, 2)} µs");
        report.Line($"target ≥ {Report.N((long)TargetZeroLossRate)} ev/s with zero loss: {Report.Verdict(summary.ZeroLossTargetMet)}");
        report.Line($"target callback median < {Report.F(TargetCallbackMedianUs, 0)} µs: {Report.Verdict(summary.CallbackTargetMet)}");
    }

    internal sealed record BurstResult(
        string Rate,
        int TargetRate,
        long Sent,
        long Recorded,
        long Lost,
        long RingDropped,
        long GapDropped,
        double AchievedRate,
        double InjectSeconds,
        double DrainMs,
        int CallbackSamples,
        double CallbackMedianUs,
        double CallbackP95Us,
        double CallbackP99Us,
        double CallbackMaxUs,
        SortedDictionary<string, double> ThreadCpuMs,
        long AppWindowEvents,
        [property: System.Text.Json.Serialization.JsonIgnore] double[]? CostUs,
        long ReferenceClientSaw = -1);

    internal sealed record RunResult(
        List<BurstResult> Bursts,
        string EndReason,
        long StoredEvents,
        long StoredPointerMoves,
        long StoredOverflowDropped,
        long OutcomeDroppedInput,
        long OutcomePointerMoves,
        long LiveCountedPointerMoves,
        long EventsLogBytes,
        string? Note);

    internal sealed record RateSummary(
        string Rate,
        double MedianSent,
        double MedianRecorded,
        double MedianLost,
        long MaxLost,
        bool ZeroLossInEveryRun,
        double MedianAchievedRate,
        double MedianDrainMs,
        double CallbackMedianUs,
        double CallbackP95Us,
        double CallbackP99Us,
        Dictionary<string, double> MedianThreadCpuMs,
        Dictionary<string, double> MedianThreadCpuUsPerEvent)
    {
        public int TargetRate => Rate == "max" ? 0 : int.Parse(Rate, CultureInfo.InvariantCulture);
    }

    internal sealed record Summary(
        List<RateSummary> PerRate,
        string? SustainedRate,
        double SustainedAchievedRate,
        long CallbackSamples,
        double CallbackMedianUs,
        double CallbackP95Us,
        double CallbackP99Us,
        double CallbackP999Us,
        bool ZeroLossTargetMet,
        bool CallbackTargetMet,
        List<RunResult>? Runs,
        List<LatencyProbe.LatencyResult>? Latency = null);
}
