using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkiaSharp;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Dataset.Build;
using Understudy.Storage;

namespace Understudy.Benchmarks.Dataset;

/// <summary>
/// <c>dataset build</c> end to end on synthetic sessions written to a real (encrypted) store:
/// sessions/s and MB/s of session data read (log and frame blobs) per export format; and the peak
/// RSS and managed heap of building one short session against one ten times as long, each in a
/// fresh child process, to show that memory follows the episode, not the session.
/// </summary>
internal static class DatasetBuildBenchmark
{
    private const int ScreenWidth = 1280;
    private const int ScreenHeight = 800;
    private const int KeyframeEvery = 20;

    public static int Run(Args args)
    {
        var sessions = args.Int("sessions", 8, 1, 1_000);
        var minutes = args.Double("minutes", 2, 0.1, 600);
        var longFactor = args.Int("long", 10, 2, 100);
        var runs = args.Int("runs", 3, 1, 20);
        var formats = (args.String("formats") ?? string.Join(',', DatasetFormats.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var keep = args.Flag("keep");
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();
        if (formats.FirstOrDefault(f => !DatasetFormats.All.Contains(f)) is { } unknown)
        {
            throw new UsageException($"--formats: unknown format '{unknown}'");
        }

        using var temp = new TempDirectory("understudy-bench-dataset-") { Keep = keep };
        using var deviceKey = DeviceKeyStore.LoadOrCreate(temp.DeviceKeyFile);

        // Throughput: many short sessions in one store, one build per format.
        var store = new SessionStore(Path.Combine(temp.Path, "many"), deviceKey);
        Report.Progress($"writing {sessions} sessions of {minutes} min");
        long events = 0;
        for (var i = 0; i < sessions; i++)
        {
            events += Write(store, seed: 1000 + i, TimeSpan.FromMinutes(minutes));
        }
        var inputBytes = DirectoryBytes(store.SessionsDirectory);
        var rows = new List<FormatResult>();
        foreach (var format in formats.Append("all"))
        {
            var seconds = new List<double>();
            var cpuSeconds = new List<double>();
            long outputBytes = 0;
            long episodes = 0;
            for (var run = 0; run < runs; run++)
            {
                Report.Progress($"build --format {format}, run {run + 1}/{runs}");
                var output = Path.Combine(temp.Path, $"out-{format}-{run}");
                var options = new DatasetBuildOptions { OutputDirectory = output, Formats = format == "all" ? formats : [format] };
                GC.Collect();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var result = new DatasetBuilder(store, options).Build();
                seconds.Add(watch.Elapsed.TotalSeconds);
                cpuSeconds.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
                outputBytes = DirectoryBytes(output);
                episodes = result.Manifest.Statistics.Episodes;
                Directory.Delete(output, recursive: true);
            }
            var median = Stats.Median(seconds);
            var cpuMedian = Stats.Median(cpuSeconds);
            rows.Add(new FormatResult(format, median, sessions / median, inputBytes / 1e6 / median, events / median, cpuMedian, inputBytes / 1e6 / cpuMedian, outputBytes, episodes, seconds));
        }

        // Memory: one short and one long session, each built alone in a fresh process.
        var memory = new List<MemoryResult>();
        foreach (var (name, length) in new[] { ("short", minutes), ("long", minutes * longFactor) })
        {
            var data = Path.Combine(temp.Path, name);
            var one = new SessionStore(data, deviceKey);
            Report.Progress($"writing one {name} session of {length} min");
            var sessionEvents = Write(one, seed: 7, TimeSpan.FromMinutes(length));
            var bytes = DirectoryBytes(one.SessionsDirectory);
            var samples = new List<ChildResult>();
            for (var run = 0; run < runs; run++)
            {
                Report.Progress($"{name} session: build in a child process, run {run + 1}/{runs}");
                samples.Add(RunChild(data, temp.DeviceKeyFile, Path.Combine(temp.Path, $"out-{name}-{run}"), formats));
            }
            memory.Add(new MemoryResult(name, length, sessionEvents, bytes,
                Stats.Median(samples.Select(s => s.BaselineRssKb).ToList()), Stats.Median(samples.Select(s => s.PeakRssKb).ToList()),
                Stats.Median(samples.Select(s => s.PeakManagedBytes).ToList()), Stats.Median(samples.Select(s => s.Seconds).ToList()), samples));
        }

        report.Line($"dataset: {sessions} sessions of {Report.F(minutes, 1)} min ({Report.N(events)} events, {Report.F(inputBytes / 1e6, 1)} MB stored with frames), {runs} builds per format, --parallel {Environment.ProcessorCount}");
        report.Table(["format", "median s", "sessions/s", "MB/s read", "events/s", "CPU s", "MB per CPU s", "output MB", "episodes"], rows.Select(r => (IReadOnlyList<string>)
        [
            r.Format, Report.F(r.MedianSeconds, 2), Report.F(r.SessionsPerSecond, 2), Report.F(r.MegabytesPerSecond, 2),
            Report.N((long)r.EventsPerSecond), Report.F(r.CpuSeconds, 2), Report.F(r.MegabytesPerCpuSecond, 2), Report.F(r.OutputBytes / 1e6, 1), Report.N(r.Episodes),
        ]));
        report.Line("(MB read: the sessions' encrypted logs and frame blobs; CPU s: the process's CPU time for the build, which contention on a shared machine does not inflate)");
        report.Line();
        report.Line($"memory: one session built alone (--format {string.Join(',', formats)}, --parallel {Environment.ProcessorCount}) in a fresh process, median of {runs}");
        report.Table(["session", "minutes", "events", "stored MB", "baseline RSS MB", "peak RSS MB", "peak managed MB", "build s"], memory.Select(m => (IReadOnlyList<string>)
        [
            m.Name, Report.F(m.Minutes, 1), Report.N(m.Events), Report.F(m.StoredBytes / 1e6, 1), Report.F(m.BaselineRssKb / 1024, 1),
            Report.F(m.PeakRssKb / 1024, 1), Report.F(m.PeakManagedBytes / 1048576, 1), Report.F(m.Seconds, 2),
        ]));
        var (shortRun, longRun) = (memory[0], memory[1]);
        report.Line($"long / short: {Report.F((double)longRun.Events / shortRun.Events, 1)}x the events, peak RSS {Report.F(longRun.PeakRssKb / shortRun.PeakRssKb, 2)}x, peak managed heap {Report.F(longRun.PeakManagedBytes / shortRun.PeakManagedBytes, 2)}x");
        report.Result(new { Sessions = sessions, Minutes = minutes, Events = events, StoredBytes = inputBytes, Runs = runs, Formats = rows, Memory = memory });
        return 0;
    }

    /// <summary>The child: builds every session of <c>--data</c> and prints its memory peaks as JSON.</summary>
    public static int RunMemoryChild(Args args)
    {
        var data = args.String("data") ?? throw new UsageException("--data is required");
        var key = args.String("key") ?? throw new UsageException("--key is required");
        var output = args.String("out") ?? throw new UsageException("--out is required");
        var formats = (args.String("formats") ?? string.Join(',', DatasetFormats.All)).Split(',');
        args.EnsureAllUsed();
        using var deviceKey = DeviceKeyStore.LoadOrCreate(key);
        var store = new SessionStore(data, deviceKey);
        GC.Collect();
        var baseline = Status("VmRSS:");
        long peakManaged = 0;
        long peakCommitted = 0;
        using var done = new ManualResetEventSlim();
        var collectEveryMs = int.TryParse(Environment.GetEnvironmentVariable("UNDERSTUDY_BENCH_COLLECT_MS"), out var ms) ? ms : 0;
        var lastCollect = Stopwatch.StartNew();
        var sampler = new Thread(() =>
        {
            do
            {
                if (collectEveryMs > 0 && lastCollect.ElapsedMilliseconds >= collectEveryMs)
                {
                    // Diagnosis only: shows whether native memory waits on finalizers.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    lastCollect.Restart();
                }
                var info = GC.GetGCMemoryInfo();
                peakManaged = Math.Max(peakManaged, Math.Max(info.HeapSizeBytes, GC.GetTotalMemory(false)));
                peakCommitted = Math.Max(peakCommitted, info.TotalCommittedBytes);
            }
            while (!done.Wait(2));
        }) { IsBackground = true };
        sampler.Start();
        var watch = Stopwatch.StartNew();
        new DatasetBuilder(store, new DatasetBuildOptions { OutputDirectory = output, Formats = formats }).Build();
        var seconds = watch.Elapsed.TotalSeconds;
        done.Set();
        sampler.Join();
        Console.Out.WriteLine(JsonSerializer.Serialize(new ChildResult(baseline, Status("VmHWM:"), peakManaged, peakCommitted, seconds)));
        return 0;
    }

    private static ChildResult RunChild(string data, string keyFile, string output, IReadOnlyList<string> formats)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(DatasetBuildBenchmark).Assembly.Location);
        }
        foreach (var arg in new[] { "dataset-memory", "--data", data, "--key", keyFile, "--out", output, "--formats", string.Join(',', formats) })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start) ?? throw new BenchmarkFailedException("could not start the child process");
        var text = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new BenchmarkFailedException($"the child build failed (exit {child.ExitCode})");
        }
        Directory.Delete(output, recursive: true);
        return JsonSerializer.Deserialize<ChildResult>(text.Trim()) ?? throw new BenchmarkFailedException("the child printed no result");
    }

    private static double Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return double.NaN;
    }

    private static long DirectoryBytes(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>Writes one session of synthetic activity with JPEG frames (a keyframe, then patches over it); returns its event count.</summary>
    private static long Write(SessionStore store, int seed, TimeSpan length)
    {
        var writer = store.Create(new SessionStartInfo("x11", new ScreenSize(ScreenWidth, ScreenHeight), ["Firefox", "Gedit", "LibreOffice"]));
        var random = new Random(seed);
        var frames = 0;
        string? keyId = null;
        FramePayload? Frame(long grabbedNs, long forSeq, string role)
        {
            if (keyId is null || frames++ % KeyframeEvery == 0)
            {
                var keyframe = Image(ScreenWidth, ScreenHeight, random);
                keyId = writer.Blobs.IdFor(keyframe);
                writer.Blobs.Put(keyId, keyframe);
                return new FramePayload(keyId, grabbedNs, new Rect(0, 0, ScreenWidth, ScreenHeight), 1.0, ScreenWidth, ScreenHeight, "jpeg", forSeq, role, null);
            }
            var region = new Rect(random.Next(0, ScreenWidth - 320), random.Next(0, ScreenHeight - 160), 320, 160);
            var patch = Image(region.Width, region.Height, random);
            var patchId = writer.Blobs.IdFor([.. patch, .. System.Text.Encoding.ASCII.GetBytes(keyId)]);
            writer.Blobs.Put(patchId, patch);
            return new FramePayload(patchId, grabbedNs, region, 1.0, region.Width, region.Height, "jpeg", forSeq, role, keyId);
        }
        var activity = new SyntheticActivity(seed, Frame, writer.Append);
        activity.Run(a => a.Elapsed >= length);
        writer.UpdateCapabilities(new SessionCapabilities(Accessibility: true, Frames: true, "jpeg", 1.0, 1.0));
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        return activity.Events;
    }

    /// <summary>A screen-like JPEG: a light background, a title bar and blocks of "text" in random places.</summary>
    private static byte[] Image(int width, int height, Random random)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xF4, 0xF4, 0xF2));
            using var paint = new SKPaint { Color = new SKColor(0x30, 0x50, 0x90) };
            canvas.DrawRect(0, 0, width, Math.Min(28, height / 6), paint);
            for (var i = 0; i < width * height / 4000; i++)
            {
                paint.Color = new SKColor((byte)random.Next(0, 120), (byte)random.Next(0, 120), (byte)random.Next(0, 160));
                canvas.DrawRect(random.Next(0, width), random.Next(28, height), random.Next(4, 60), random.Next(3, 10), paint);
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }

    private sealed record FormatResult(string Format, double MedianSeconds, double SessionsPerSecond, double MegabytesPerSecond, double EventsPerSecond, double CpuSeconds, double MegabytesPerCpuSecond, long OutputBytes, long Episodes, List<double> Seconds);

    private sealed record MemoryResult(string Name, double Minutes, long Events, long StoredBytes, double BaselineRssKb, double PeakRssKb, double PeakManagedBytes, double Seconds, List<ChildResult> Runs);

    internal sealed record ChildResult(double BaselineRssKb, double PeakRssKb, double PeakManagedBytes, double PeakCommittedBytes, double Seconds);
}
