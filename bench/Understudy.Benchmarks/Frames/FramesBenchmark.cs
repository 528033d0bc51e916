using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Desktop;
using Understudy.Frames;
using Understudy.Platform.X11.Replay;
using Understudy.Platform.X11.Screen;

namespace Understudy.Benchmarks.Frames;

/// <summary>
/// Screenshots on a 1920×1080 virtual desktop with the yad demo form: the cost of one XShm grab,
/// of encoding a frame in each format, and a scripted click-and-type workload through the real
/// frame source (XTest input, actions handed to the source as the recorder would) for storage
/// per hour, before-frame staleness, CPU and memory.
/// </summary>
internal static class FramesBenchmark
{
    private const double TargetGrabMs = 2;
    private const double TargetStalenessMs = 50;
    private const double TargetMbPerHour = 60;
    private const double TargetCpuPercent = 5;
    private const double TargetRssMb = 150;

    public static int Run(Args args)
    {
        var seconds = args.Double("seconds", 60, 5, 3600);
        var grabs = args.Int("grabs", 300, 10, 100_000);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        Report.Progress("starting a 1920x1080 virtual desktop with the demo form");
        using var desktop = VirtualDesktop.Start("1920x1080");
        desktop.StartApp(RepoPaths.Script("demo-form.sh"));
        desktop.WaitForWindow("UnderstudyDemo", TimeSpan.FromSeconds(60));
        Thread.Sleep(1000);

        report.Line($"frames: 1920x1080 virtual desktop {desktop.Display} with the demo form; {Environment.ProcessorCount} CPUs");
        var grab = MeasureGrabs(desktop.Display, grabs, out var screen, out var size);
        report.Line();
        report.Line($"XShm grab + copy of {size.Width}x{size.Height}, {grabs} grabs: median {Report.F(grab.Median, 2)} ms, p95 {Report.F(grab.P95, 2)} ms  (target median < {TargetGrabMs} ms: {Report.Verdict(grab.Median < TargetGrabMs)})");

        var encodes = new List<EncodeResult>();
        foreach (var format in new[] { FrameFormat.Jpeg, FrameFormat.Png, FrameFormat.Webp })
        {
            encodes.Add(MeasureEncode(format, screen, size));
        }
        report.Line();
        report.Line("encode of one full 1080p frame (demo form on the desktop), 5 runs:");
        report.Table(
            ["format", "median ms", "bytes"],
            encodes.Select(e => (IReadOnlyList<string>)[e.Format, Report.F(e.MedianMs, 1), Report.N(e.Bytes)]));

        Report.Progress($"click-and-type workload for {Report.F(seconds, 0)} s");
        var workload = RunWorkload(desktop.Display, size, TimeSpan.FromSeconds(seconds));
        report.Line();
        report.Line($"click-and-type workload, {Report.F(seconds, 0)} s, JPEG q80, defaults (grab every 50 ms, ring 4, 1 encoder):");
        report.Line($"  actions with a before-frame {workload.Actions}, frame events {workload.FrameEvents} ({workload.Patches} of them patches), distinct blobs {workload.Blobs}, frames lost {workload.FramesLost}");
        report.Line($"  stored {Report.F(workload.Bytes / 1e6, 2)} MB = {Report.F(workload.MbPerHour, 1)} MB/h  (target < {TargetMbPerHour}: {Report.Verdict(workload.MbPerHour < TargetMbPerHour)})");
        report.Line($"  before-frame staleness median {Report.F(workload.StalenessMedianMs, 1)} ms, p95 {Report.F(workload.StalenessP95Ms, 1)} ms  (target median < {TargetStalenessMs}: {Report.Verdict(workload.StalenessMedianMs < TargetStalenessMs)})");
        report.Line($"  CPU of the frame threads {Report.F(workload.FrameThreadsCpuPercent, 2)} % of one core (target < {TargetCpuPercent}: {Report.Verdict(workload.FrameThreadsCpuPercent < TargetCpuPercent)}); whole benchmark process {Report.F(workload.ProcessCpuPercent, 2)} %");
        report.Line($"  RSS of the process {Report.F(workload.RssMb, 0)} MB, peak {Report.F(workload.PeakRssMb, 0)} MB  (target < {TargetRssMb}: {Report.Verdict(workload.PeakRssMb < TargetRssMb)}); {Report.F(workload.RssBeforeStartMb, 0)} MB before the frame source started (runtime, Skia, the grab and encode measurements)");
        report.Result(new { grab_ms_median = grab.Median, grab_ms_p95 = grab.P95, encodes, workload });
        return 0;
    }

    private static (double Median, double P95) MeasureGrabs(string display, int count, out byte[] screen, out ScreenSize size)
    {
        using var grabber = XShmScreenGrabber.Open(display);
        size = grabber.Size;
        screen = new byte[size.Width * size.Height * 4];
        var times = new List<double>(count);
        for (var i = 0; i < count + 10; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (!grabber.TryGrab(screen))
            {
                size = grabber.Size;
                screen = new byte[size.Width * size.Height * 4];
                continue;
            }
            if (i >= 10)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return (Stats.Median(times), Stats.Percentile(times, 95));
    }

    private static EncodeResult MeasureEncode(FrameFormat format, byte[] screen, ScreenSize size)
    {
        using var encoder = new FrameEncoder(new FrameOptions { Format = format }, new CountingBlobStore(), new ScreenBufferPool(2));
        var times = new List<double>();
        var bytes = 0;
        for (var i = 0; i < 6; i++)
        {
            var start = Stopwatch.GetTimestamp();
            bytes = encoder.Encode(screen, size, new Rect(0, 0, size.Width, size.Height)).Length;
            if (i > 0)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return new EncodeResult(format.ToWireName(), Stats.Median(times), bytes);
    }

    private static WorkloadResult RunWorkload(string display, ScreenSize size, TimeSpan duration)
    {
        var store = new CountingBlobStore();
        var sink = new FrameCountingSink();
        var pid = Environment.ProcessId;
        using var source = new FrameSource(() => XShmScreenGrabber.Open(display), new FrameOptions(), store, SystemClock.Instance);
        using var input = XTestDriver.Open(display);
        var baselineRssKb = ProcStat.Memory(pid)?.RssKb ?? 0;
        source.Start(sink);
        Thread.Sleep(500);
        var threadsBefore = FrameThreadCpuNs(pid);
        var processBefore = ProcStat.CpuTicks(pid) ?? 0;
        var started = Stopwatch.GetTimestamp();
        var seq = 0L;
        var peakRssKb = 0L;
        var random = new Random(7);
        // The demo form (600x420 at 100,100): Description, Amount, Notes; clicked in turn, each followed by a few typed words.
        (int X, int Y)[] fields = [(400, 175), (400, 215), (400, 400)];
        var words = new[] { "taxi", "airport", "lunch", "client", "meeting", "hotel", "train", "office" };
        var step = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var (x, y) = fields[step++ % fields.Length];
            input.MoveTo(x, y);
            input.Sync();
            Thread.Sleep(150);
            source.OnRecorded(new SessionEvent(seq++, MonotonicClock.NowNs(), DateTimeOffset.UtcNow, new ButtonPayload(true, MouseButton.Left, x, y, Modifiers.None)));
            input.Button(1, true);
            input.Sync();
            input.Button(1, false);
            input.Sync();
            Thread.Sleep(600);
            var word = words[random.Next(words.Length)] + " ";
            foreach (var ch in word)
            {
                var keysym = ch == ' ' ? 0x20u : ch;
                var keycode = input.KeycodeOf(keysym);
                source.OnRecorded(new SessionEvent(seq++, MonotonicClock.NowNs(), DateTimeOffset.UtcNow, new KeyPayload(true, ch.ToString(), ch.ToString(), Modifiers.None, (int)keycode)));
                input.Key(keycode, true);
                input.Key(keycode, false);
                input.Sync();
                Thread.Sleep(120);
            }
            // A pause to read, as people do between fields.
            Thread.Sleep(1200 + random.Next(800));
            peakRssKb = Math.Max(peakRssKb, ProcStat.Memory(pid)?.RssKb ?? 0);
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var threadsCpuNs = FrameThreadCpuNs(pid) - threadsBefore;
        var processTicks = (ProcStat.CpuTicks(pid) ?? 0) - processBefore;
        var memory = ProcStat.Memory(pid);
        Thread.Sleep(2000);
        source.Stop();
        var staleness = source.StalenessSamplesNs().Select(ns => ns / 1e6).ToList();
        var bytes = source.BytesStored;
        return new WorkloadResult(
            staleness.Count,
            sink.Frames,
            sink.Patches,
            store.Count,
            source.FramesLost,
            bytes,
            bytes / 1e6 / elapsed * 3600,
            staleness.Count == 0 ? double.NaN : Stats.Median(staleness),
            staleness.Count == 0 ? double.NaN : Stats.Percentile(staleness, 95),
            threadsCpuNs / 1e9 / elapsed * 100,
            processTicks / (double)ProcStat.ClockTicksPerSecond / elapsed * 100,
            (memory?.RssKb ?? 0) / 1024.0,
            Math.Max(peakRssKb, memory?.RssKb ?? 0) / 1024.0,
            baselineRssKb / 1024.0);
    }

    private static long FrameThreadCpuNs(int pid) =>
        ProcStat.ThreadCpuNs(pid).Where(t => t.Key.StartsWith("frames-", StringComparison.Ordinal)).Sum(t => t.Value);

    internal sealed record EncodeResult(string Format, double MedianMs, int Bytes);

    internal sealed record WorkloadResult(
        int Actions, long FrameEvents, long Patches, int Blobs, long FramesLost, long Bytes, double MbPerHour,
        double StalenessMedianMs, double StalenessP95Ms, double FrameThreadsCpuPercent, double ProcessCpuPercent, double RssMb, double PeakRssMb, double RssBeforeStartMb);

    /// <summary>Keeps only blob ids and sizes: the benchmark measures what would be written, not a disk.</summary>
    private sealed class CountingBlobStore : IBlobStore
    {
        private readonly ConcurrentDictionary<string, int> _sizes = new(StringComparer.Ordinal);

        public int Count => _sizes.Count;

        public string IdFor(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

        public bool Contains(string id) => _sizes.ContainsKey(id);

        public void Put(string id, ReadOnlySpan<byte> content) => _sizes.TryAdd(id, content.Length);
    }

    private sealed class FrameCountingSink : ICaptureSink
    {
        private long _frames;
        private long _patches;

        public long Frames => Interlocked.Read(ref _frames);

        public long Patches => Interlocked.Read(ref _patches);

        public void Post(in CapturedEvent captured)
        {
            if (captured.Payload is FramePayload frame)
            {
                Interlocked.Increment(ref _frames);
                if (frame.Base is not null)
                {
                    Interlocked.Increment(ref _patches);
                }
            }
        }

        public void Fault(CaptureFault fault)
        {
        }
    }
}
