using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Benchmarks.Dataset;

/// <summary>
/// Raw events per second through <see cref="ActionReducer"/> on one thread, on a synthetic session
/// (<see cref="SyntheticActivity"/>: pointer moves dominate, with clicks, drags, scrolls, typing,
/// hotkeys, presses, element and frame events) held in memory, so only the reduction is timed.
/// </summary>
internal static class ReductionBenchmark
{
    public const double TargetEventsPerSecond = 1_000_000;

    public static int Run(Args args)
    {
        var target = args.Int("events", 2_000_000, 10_000, 50_000_000);
        var runs = args.Int("runs", 7, 3, 50);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        var stream = Stream(target, seed: 20261204);
        var byKind = stream.GroupBy(e => e.Kind).ToDictionary(g => g.Key.ToWireName(), g => g.LongCount(), StringComparer.Ordinal);
        // Warm up (tiered JIT), then time whole passes.
        Pass(stream);
        Pass(stream);
        var rates = new List<double>();
        var sink = new CountingSink();
        for (var run = 0; run < runs; run++)
        {
            Report.Progress($"pass {run + 1}/{runs}");
            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            sink = Pass(stream);
            var seconds = watch.Elapsed.TotalSeconds;
            rates.Add(stream.Count / seconds);
            sink.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
        var sorted = rates.Order().ToList();
        var median = Stats.Median(rates);
        var moves = byKind.GetValueOrDefault("pointer_move");
        report.Line($"reduce: {Report.N(stream.Count)} events of a synthetic session ({Report.F(100.0 * moves / stream.Count, 0)}% pointer moves; {string.Join(", ", byKind.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {Report.N(kv.Value)}"))}), {runs} passes, one thread");
        report.Table(["measure", "median", "min", "max"], [
            ["raw events/s through ActionReducer", Report.N((long)median), Report.N((long)sorted[0]), Report.N((long)sorted[^1])],
            ["ns per event", Report.F(1e9 / median, 1), Report.F(1e9 / sorted[^1], 1), Report.F(1e9 / sorted[0], 1)],
        ]);
        report.Line($"per pass: {Report.N(sink.Actions)} actions, {Report.N(sink.Drops)} drops, {Report.N(sink.Observations)} observations handed on; {Report.F(sink.AllocatedBytes / (double)stream.Count, 1)} bytes allocated per event");
        report.Line($"target >= {Report.N((long)TargetEventsPerSecond)} events/s per core: {Report.Verdict(median >= TargetEventsPerSecond)}");
        report.Result(new
        {
            Events = stream.Count,
            EventsByKind = byKind,
            Runs = runs,
            EventsPerSecondMedian = median,
            EventsPerSecond = rates,
            sink.Actions,
            sink.Drops,
            BytesAllocatedPerEvent = sink.AllocatedBytes / (double)stream.Count,
            Target = TargetEventsPerSecond,
            Met = median >= TargetEventsPerSecond,
        });
        return 0;
    }

    /// <summary>At least <paramref name="events"/> events of synthetic activity, frames named but not stored.</summary>
    public static List<SessionEvent> Stream(int events, int seed)
    {
        var stream = new List<SessionEvent>(events + 1_000);
        var frames = 0;
        var activity = new SyntheticActivity(seed, (grabbedNs, forSeq, role) =>
            new FramePayload($"blob{frames++:x8}", grabbedNs, new Rect(0, 0, 1280, 800), 1.0, 1280, 800, "jpeg", forSeq, role, null), stream.Add);
        activity.Run(a => a.Events >= events);
        return stream;
    }

    public static CountingSink Pass(List<SessionEvent> stream)
    {
        var sink = new CountingSink();
        var reducer = new ActionReducer(new ReductionOptions(), sink);
        foreach (var recorded in stream)
        {
            reducer.Add(recorded);
        }
        reducer.Complete();
        return sink;
    }

    internal sealed class CountingSink : IReductionSink
    {
        public long Actions { get; private set; }

        public long Drops { get; private set; }

        public long Observations { get; private set; }

        public long AllocatedBytes { get; set; }

        public void OnAction(AgentAction action) => Actions++;

        public void OnDrop(ReductionDrop drop) => Drops++;

        public void OnEvent(SessionEvent observation) => Observations++;
    }
}
