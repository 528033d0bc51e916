using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Understudy.Benchmarks.Common;
using Understudy.Desktop;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.RecorderProcessBench;

/// <summary>
/// The real recorder process — the published <c>.build/cli/understudy record</c> — on a 1920×1080
/// virtual desktop with the demo form, under a scripted click-and-type workload driven through
/// XTest from this process: storage per hour on disk, CPU and memory of that process from /proc.
/// Once with frames and accessibility (the defaults), once input only, for comparison.
/// </summary>
internal static class RecorderBenchmark
{
    private const double TargetMbPerHour = 60;
    private const double TargetCpuPercent = 5;
    private const double TargetRssMb = 150;
    private const string DemoClass = "UnderstudyDemo";

    public static int Run(Args args)
    {
        var seconds = args.Double("seconds", 120, 5, 3600);
        var warmup = args.Double("warmup", 10, 0, 600);
        var heap = !args.Flag("no-heap");
        var keep = args.Flag("keep");
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        var cli = EnsureCli();
        Report.Progress("starting a 1920x1080 virtual desktop with the demo form");
        using var desktop = VirtualDesktop.Start("1920x1080");
        var form = new DemoForm(desktop);
        form.Ensure();

        report.Line($"recorder: '{cli} record --allow-app {DemoClass}' on a 1920x1080 virtual desktop {desktop.Display} with the demo form");
        report.Line($"  {Environment.ProcessorCount} CPUs, load average before: {LoadAverage()}; CLK_TCK {ProcStat.ClockTicksPerSecond}");
        report.Line($"  per variant: capture start, {Report.F(warmup, 0)} s of the workload (not measured), {Report.F(seconds, 0)} s measured, SIGINT");
        report.Line();

        var variants = new List<VariantResult>();
        foreach (var (name, flags) in new (string, string[])[] { ("frames + accessibility (defaults)", []), ("input only (--no-frames --no-accessibility)", ["--no-frames", "--no-accessibility"]) })
        {
            Report.Progress($"{name}: {Report.F(warmup + seconds, 0)} s");
            variants.Add(RunVariant(name, flags, cli, desktop, form, warmup, seconds, heap && flags.Length == 0, keep));
        }

        report.Table(
            ["variant", "MB/h", "CPU % (mean)", "RSS MB median", "RSS MB peak (VmHWM)", "frame", "element", "ui", "input events", "frames lost (gaps)", "exit"],
            variants.Select(v => (IReadOnlyList<string>)
            [
                v.Name,
                Report.F(v.MbPerHour, 1),
                Report.F(v.CpuPercent, 2),
                Report.F(v.RssMedianMb, 1),
                Report.F(v.PeakRssMb, 1),
                Report.N(v.Observations.GetValueOrDefault("frame")),
                Report.N(v.Observations.GetValueOrDefault("element")),
                Report.N(v.Observations.GetValueOrDefault("ui")),
                Report.N(v.InputEvents),
                $"{Report.N(v.FramesLost)} ({Report.N(v.FrameLostGaps)})",
                v.ExitCode.ToString(CultureInfo.InvariantCulture),
            ]));
        report.Line();
        foreach (var v in variants)
        {
            report.Line($"{v.Name}: session {v.SessionId}, recorded {Report.F(v.RecordedSeconds, 1)} s");
            report.Line($"  on disk {Report.N(v.Bytes)} B = events.log {Report.N(v.LogBytes)} + {Report.N(v.BlobCount)} blobs {Report.N(v.BlobBytes)} + manifest {Report.N(v.ManifestBytes)}");
            report.Line($"  counts by kind: {string.Join(", ", v.CountsByKind.Select(kv => $"{kv.Key} {Report.N(kv.Value)}"))}");
            report.Line($"  losses: {(v.Losses.Count == 0 ? "none" : string.Join(", ", v.Losses.Select(kv => $"{kv.Key} {kv.Value}")))}; verify ok: {v.VerifyOk}");
            report.Line($"  workload: {Report.N(v.Workload.Keys)} keys, {Report.N(v.Workload.Clicks)} clicks, {Report.N(v.Workload.Moves)} moves, {Report.N(v.Workload.ScrollNotches)} wheel notches in {Report.N(v.Workload.Steps)} steps; form restarts {v.FormRestarts}");
            report.Line($"  CPU by thread (ms over the measured window): {string.Join(", ", v.ThreadCpuMs.Where(kv => kv.Value >= 1).OrderByDescending(kv => kv.Value).Take(8).Select(kv => $"{kv.Key} {Report.F(kv.Value, 0)}"))}");
            report.Line($"  CPU % per second: max {Report.F(v.CpuPerSecond.Count == 0 ? 0 : v.CpuPerSecond.Max(), 0)}; RSS at capture start {Report.F(v.StartRssMb, 1)} MB; load average after: {v.LoadAfter}");
            if (v.Heap is { } h)
            {
                report.Line($"  memory at the end of the workload (process suspended; RSS {Report.F(h.MemoryMapTotalKb / 1024.0, 1)} MB by mapping):");
                foreach (var (category, kb) in h.MemoryMapKb.OrderByDescending(kv => kv.Value))
                {
                    report.Line($"    {category,-58} {Report.F(kb / 1024.0, 1),7} MB");
                }
                report.Line($"  GC heap: committed {Report.F(h.CommittedBytes / 1048576.0, 1)} MiB ({string.Join(", ", h.CommittedByKind.Select(kv => $"{kv.Key} {Report.F(kv.Value / 1048576.0, 1)}"))}); objects {Report.F(h.ObjectBytes / 1048576.0, 1)} MiB, reachable {Report.F(h.ReachableBytes / 1048576.0, 1)} MiB");
                report.Line($"    top types: {string.Join(", ", h.TopTypes.Select(t => $"{t.Type} {Report.F(t.Bytes / 1048576.0, 1)} MiB ({Report.N(t.Count)})"))}");
                report.Line($"    byte[] >= 1 MiB: {h.LargeArrays.Count}, {Report.F(h.LargeArrays.Sum(a => a.Bytes) / 1048576.0, 1)} MiB:");
                foreach (var group in h.LargeArrays.GroupBy(a => a.Holder).OrderByDescending(g => g.Sum(a => a.Bytes)))
                {
                    report.Line($"      {group.Count()} x {Report.F(group.First().Bytes / 1048576.0, 2)} MiB held by {group.Key}");
                }
                report.Line($"  smaps_rollup: {string.Join("; ", h.MemoryMapRollup.Skip(1).Take(12).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))))}");
            }
            else if (v.HeapError is not null)
            {
                report.Line($"  heap snapshot unavailable: {v.HeapError}");
            }
            report.Line();
        }

        var frames = variants[0];
        report.Line($"target storage < {TargetMbPerHour} MB/h with frames at 1080p: {Report.F(frames.MbPerHour, 1)} MB/h: {Report.Verdict(frames.MbPerHour < TargetMbPerHour)}");
        report.Line($"target recorder CPU < {TargetCpuPercent} % of one core: {Report.F(frames.CpuPercent, 2)} %: {Report.Verdict(frames.CpuPercent < TargetCpuPercent)}");
        report.Line($"target recorder RSS < {TargetRssMb} MB: median {Report.F(frames.RssMedianMb, 1)} MB, peak {Report.F(frames.PeakRssMb, 1)} MB: {Report.Verdict(frames.PeakRssMb < TargetRssMb)}");
        report.Result(new { Cli = cli, Seconds = seconds, Warmup = warmup, Variants = variants.Select(v => v with { Heap = null, HeapJson = v.Heap is null ? null : HeapJson(v.Heap) }) });
        return 0;
    }

    private static VariantResult RunVariant(string name, string[] flags, string cli, VirtualDesktop desktop, DemoForm form, double warmup, double seconds, bool heap, bool keep)
    {
        using var temp = new TempDirectory("understudy-bench-recorder-") { Keep = keep };
        var home = Path.Combine(temp.Path, "home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string>(desktop.Environment, StringComparer.Ordinal)
        {
            ["UNDERSTUDY_HOME"] = RepoPaths.Root,
            ["UNDERSTUDY_DEVICE_KEY_FILE"] = temp.DeviceKeyFile,
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
        };
        form.Ensure();
        using var input = XTestDriver.Open(desktop.Display);
        // Start with the pointer on the form, so the form is what is in front and under the pointer.
        input.MoveTo(400, 130);
        input.Sync();

        // The benchmark stands in for a donor who has accepted the notice.
        new Understudy.Policy.Consent.ConsentStore(temp.DataDirectory).Accept();
        using var recorder = RecorderProcess.Start(cli, ["record", "--data", temp.DataDirectory, "--allow-app", DemoClass, .. flags], environment);
        var startupSeconds = recorder.WaitUntilCapturing(TimeSpan.FromSeconds(30));
        var startRss = ProcStat.Memory(recorder.Id)?.RssKb ?? 0;
        var restartsBefore = form.Restarts;
        var workload = new FormWorkload(input, form.Ensure);
        if (warmup > 0)
        {
            workload.Run(TimeSpan.FromSeconds(warmup));
        }

        var sampler = new Sampler(recorder.Id);
        sampler.Start();
        workload.Run(TimeSpan.FromSeconds(seconds));
        var window = sampler.Stop();
        if (recorder.HasExited)
        {
            throw new BenchmarkFailedException($"the recorder exited during the workload: {string.Join(" | ", recorder.StandardError)}");
        }
        string? heapError = null;
        var snapshot = heap ? HeapSnapshot.TryTake(recorder.Id, out heapError) : null;
        var loadAfter = LoadAverage();

        var (exitCode, sessionId, _) = recorder.Interrupt(TimeSpan.FromSeconds(60));
        if (exitCode != 0 || sessionId.Length == 0)
        {
            throw new BenchmarkFailedException($"the recorder exited with {exitCode} after SIGINT: {string.Join(" | ", recorder.StandardError)}");
        }

        foreach (var warning in recorder.StandardError.Where(line => line.Contains("warning", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"  recorder said: {warning}");
        }

        var sessionDirectory = Path.Combine(temp.DataDirectory, "sessions", sessionId);
        var logBytes = FileLength(Path.Combine(sessionDirectory, "events.log"));
        var manifestBytes = FileLength(Path.Combine(sessionDirectory, "manifest.json"));
        var blobs = Directory.Exists(Path.Combine(sessionDirectory, "blobs")) ? new DirectoryInfo(Path.Combine(sessionDirectory, "blobs")).GetFiles() : [];
        var blobBytes = blobs.Sum(f => f.Length);

        var show = VirtualDesktop.RunProcess(environment, TimeSpan.FromSeconds(60), cli, "sessions", "show", sessionId, "--data", temp.DataDirectory, "--json");
        if (show.ExitCode != 0)
        {
            throw new BenchmarkFailedException($"sessions show exited with {show.ExitCode}: {show.StandardError.Trim()}");
        }
        using var json = JsonDocument.Parse(show.StandardOutput);
        var session = json.RootElement.GetProperty("session");
        var recordedSeconds = (DateTimeOffset.Parse(session.GetProperty("ended_at").GetString()!, CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(session.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture)).TotalSeconds;
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (session.TryGetProperty("counts_by_kind", out var byKind) && byKind.ValueKind == JsonValueKind.Object)
        {
            foreach (var kind in byKind.EnumerateObject())
            {
                counts[kind.Name] = kind.Value.GetInt64();
            }
        }
        var observations = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var losses = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long framesLost = 0, frameLostGaps = 0;
        if (json.RootElement.TryGetProperty("observations", out var observed))
        {
            foreach (var kind in observed.EnumerateObject())
            {
                observations[kind.Name] = kind.Value.GetInt64();
            }
        }
        if (json.RootElement.TryGetProperty("losses", out var lost))
        {
            foreach (var reason in lost.EnumerateObject())
            {
                var gaps = reason.Value.GetProperty("gaps").GetInt64();
                var dropped = reason.Value.GetProperty("dropped").GetInt64();
                if (gaps > 0)
                {
                    losses[reason.Name] = $"{gaps} gaps, {Report.F(reason.Value.GetProperty("duration_ns").GetInt64() / 1e9, 1)} s, dropped {dropped}";
                }
                if (reason.Name == "frame_lost")
                {
                    framesLost = dropped;
                    frameLostGaps = gaps;
                }
            }
        }
        var verifyOk = json.RootElement.GetProperty("verify").GetProperty("ok").GetBoolean();
        var inputEvents = counts.Where(kv => kv.Key is "pointer_move" or "key_down" or "key_up" or "button_down" or "button_up" or "scroll").Sum(kv => kv.Value);
        var bytes = logBytes + manifestBytes + blobBytes;

        return new VariantResult(
            name, sessionId, exitCode, startupSeconds, recordedSeconds,
            bytes, logBytes, blobs.Length, blobBytes, manifestBytes, bytes / 1e6 / recordedSeconds * 3600,
            window.CpuPercent, window.CpuPerSecond, window.RssMedianMb, window.RssMaxMb, Math.Max(window.HwmMb, window.RssMaxMb), startRss / 1024.0,
            window.ThreadCpuMs, counts, observations, inputEvents, framesLost, frameLostGaps, losses, verifyOk,
            new WorkloadCounts(workload.Keys, workload.Clicks, workload.Moves, workload.ScrollNotches, workload.Steps),
            form.Restarts - restartsBefore, loadAfter, snapshot, null, heapError);
    }

    /// <summary>The published CLI, built (or brought up to date) by the repository's launcher first.</summary>
    private static string EnsureCli()
    {
        var cli = Path.Combine(RepoPaths.Root, ".build", "cli", "understudy");
        Report.Progress("./understudy --help (publishes the CLI to .build/cli when missing or out of date)");
        var build = VirtualDesktop.RunProcess(null, TimeSpan.FromMinutes(10), Path.Combine(RepoPaths.Root, "understudy"), "--help");
        if (build.ExitCode != 0 || !File.Exists(cli))
        {
            throw new BenchmarkFailedException($"could not build the CLI with ./understudy --help: {build.StandardError.Trim()}");
        }
        return cli;
    }

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static object HeapJson(HeapSnapshot.Result heap) => new
    {
        heap.CommittedBytes,
        heap.CommittedByKind,
        heap.ObjectBytes,
        heap.ReachableBytes,
        TopTypes = heap.TopTypes.Select(t => new { t.Type, t.Bytes, t.Count }),
        LargeArrays = heap.LargeArrays.GroupBy(a => (a.Holder, a.Bytes)).Select(g => new { g.Key.Holder, g.Key.Bytes, Count = g.Count() }),
        heap.MemoryMapKb,
        heap.MemoryMapTotalKb,
    };

    internal sealed record WorkloadCounts(long Keys, long Clicks, long Moves, long ScrollNotches, long Steps);

    internal sealed record VariantResult(
        string Name, string SessionId, int ExitCode, double StartupSeconds, double RecordedSeconds,
        long Bytes, long LogBytes, int BlobCount, long BlobBytes, long ManifestBytes, double MbPerHour,
        double CpuPercent, List<double> CpuPerSecond, double RssMedianMb, double RssMaxMb, double PeakRssMb, double StartRssMb,
        Dictionary<string, double> ThreadCpuMs, SortedDictionary<string, long> CountsByKind, SortedDictionary<string, long> Observations,
        long InputEvents, long FramesLost, long FrameLostGaps, SortedDictionary<string, string> Losses, bool VerifyOk,
        WorkloadCounts Workload, int FormRestarts, string LoadAfter, HeapSnapshot.Result? Heap, object? HeapJson, string? HeapError);

    /// <summary>Once a second: the recorder's CPU ticks, VmRSS and VmHWM; CPU by thread over the whole window.</summary>
    private sealed class Sampler(int pid)
    {
        private readonly List<(double Seconds, long Ticks, long RssKb, long HwmKb)> _samples = [];
        private readonly ManualResetEventSlim _stop = new(false);
        private Thread? _thread;
        private Dictionary<string, long> _threads0 = [];

        public void Start()
        {
            _threads0 = ProcStat.ThreadCpuNs(pid);
            var started = Stopwatch.GetTimestamp();
            Sample(0);
            _thread = new Thread(() =>
            {
                while (!_stop.Wait(1000))
                {
                    Sample(Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
                Sample(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }) { IsBackground = true, Name = "bench-sampler" };
            _thread.Start();
        }

        public (double CpuPercent, List<double> CpuPerSecond, double RssMedianMb, double RssMaxMb, double HwmMb, Dictionary<string, double> ThreadCpuMs) Stop()
        {
            _stop.Set();
            _thread?.Join();
            var threads1 = ProcStat.ThreadCpuNs(pid);
            if (_samples.Count < 2)
            {
                throw new BenchmarkFailedException("the recorder could not be sampled");
            }
            var first = _samples[0];
            var last = _samples[^1];
            var hz = (double)ProcStat.ClockTicksPerSecond;
            var cpu = (last.Ticks - first.Ticks) / hz / (last.Seconds - first.Seconds) * 100;
            var perSecond = _samples.Zip(_samples.Skip(1), (a, b) => (b.Ticks - a.Ticks) / hz / (b.Seconds - a.Seconds) * 100).ToList();
            var rss = _samples.Select(s => s.RssKb / 1024.0).ToList();
            return (cpu, perSecond, Stats.Median(rss), rss.Max(), _samples.Max(s => s.HwmKb) / 1024.0,
                threads1.ToDictionary(kv => kv.Key, kv => (kv.Value - _threads0.GetValueOrDefault(kv.Key)) / 1e6));
        }

        private void Sample(double seconds)
        {
            if (ProcStat.CpuTicks(pid) is { } ticks && ProcStat.Memory(pid) is { } memory)
            {
                _samples.Add((seconds, ticks, memory.RssKb, memory.HwmKb));
            }
        }
    }

    /// <summary>The yad demo form on the desktop; restarted if the workload ever closes it.</summary>
    private sealed class DemoForm(VirtualDesktop desktop)
    {
        private Process? _process;

        public int Restarts { get; private set; } = -1;

        public bool Ensure()
        {
            if (_process is { HasExited: false })
            {
                return true;
            }
            _process = desktop.StartApp(RepoPaths.Script("demo-form.sh"));
            Restarts++;
            try
            {
                desktop.WaitForWindow(DemoClass, TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                return false;
            }
            Thread.Sleep(1000);
            return true;
        }
    }
}
