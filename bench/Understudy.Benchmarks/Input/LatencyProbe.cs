using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.Input;

/// <summary>
/// How late the recorder stamps an event compared with when it was sent, at a person's pace
/// (~20 ev/s, each flushed on its own). The recorder stamps events when the XRecord callback sees
/// them, so any delay between the server processing an event and the record data reaching the
/// recorder ends up in the stored timestamps. Measured three ways: with no client selecting the
/// events (pointer over the bare root window) and the injector only flushing; the same with a
/// round trip (XSync) after each event, which makes the server flush its output; and with the
/// pointer over a real client window that selects input (xev), as over an application.
/// </summary>
internal static class LatencyProbe
{
    public static List<LatencyResult> Measure(double seconds, double rate)
    {
        using var harness = new RecorderHarness(callbackCostSamples: 0);
        var sentAt = new Dictionary<(int X, int Y), long>();
        var modes = new[]
        {
            ("nothing listens, flush only", false),
            ("nothing listens, XSync after each", true),
            ("over an app window (xev), flush only", false),
        };
        using (var injector = XTestDriver.Open(null))
        {
            Thread.Sleep(500);
            AppWindow? app = null;
            for (var m = 0; m < modes.Length; m++)
            {
                if (m == 2)
                {
                    // Covers x 700–1200, y 450–750: modes 0 and 1 move at y 100 and 300, outside it.
                    app = new AppWindow(700, 450, 500, 300);
                }
                var count = (int)Math.Min(1000, rate * seconds);
                var ticksPerEvent = Stopwatch.Frequency / rate;
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(i * ticksPerEvent));
                    if (wait > TimeSpan.Zero)
                    {
                        Thread.Sleep(wait);
                    }
                    var position = m == 2 ? (750 + i, 600) : (100 + i, 100 + (m * 200));
                    sentAt[position] = MonotonicClock.NowNs();
                    injector.MoveTo(position.Item1, position.Item2);
                    if (modes[m].Item2)
                    {
                        injector.Sync();
                    }
                    else
                    {
                        injector.Flush();
                    }
                }
                Thread.Sleep(1000);
            }
            injector.Sync();
            Thread.Sleep(500);
            app?.Dispose();
        }
        harness.Stop();

        var delays = modes.Select(_ => new List<double>()).ToArray();
        var stamps = modes.Select(_ => new List<long>()).ToArray();
        foreach (var e in harness.ReadBack())
        {
            if (e.Payload is PointerMovePayload move && sentAt.TryGetValue((move.X, move.Y), out var sent))
            {
                var m = move.Y == 600 ? 2 : (move.Y - 100) / 200;
                delays[m].Add((e.MonoNs - sent) / 1e6);
                stamps[m].Add(e.MonoNs);
            }
        }
        var results = new List<LatencyResult>();
        for (var m = 0; m < modes.Length; m++)
        {
            // Events stamped within 1 ms of the previous one arrived in the same delivery.
            var deliveries = stamps[m].Count == 0 ? 0 : 1 + stamps[m].Zip(stamps[m].Skip(1)).Count(p => p.Second - p.First > 1_000_000);
            var sorted = delays[m].Order().ToArray();
            results.Add(new LatencyResult(
                modes[m].Item1,
                (int)Math.Min(1000, rate * seconds),
                sorted.Length,
                deliveries,
                Stats.PercentileOfSorted(sorted, 50),
                Stats.PercentileOfSorted(sorted, 95),
                sorted.Length > 0 ? sorted[^1] : double.NaN));
        }
        return results;
    }

    internal sealed record LatencyResult(string Mode, int Sent, int Recorded, int Deliveries, double MedianDelayMs, double P95DelayMs, double MaxDelayMs);
}
