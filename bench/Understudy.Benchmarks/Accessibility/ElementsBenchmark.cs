using System.Collections.Concurrent;
using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Desktop;
using Understudy.Platform.X11.Accessibility;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.Accessibility;

/// <summary>
/// Element lookup latency on a button press: from the moment the recorder hands the press to the
/// accessibility source until the element event reaches the sink, on a virtual desktop of its own
/// with the yad form and Chromium showing a test page. The pointer is moved (XTEST) to each
/// target and a press at that point is handed to the source; nothing is actually clicked, so the
/// forms stay as they are for all rounds.
/// </summary>
internal static class ElementsBenchmark
{
    private const double TargetMedianMs = 5;
    private const double TargetP95Ms = 30;

    private static readonly (string Role, string Name)[] Targets =
    [
        ("push button", "OK"), ("push button", "Cancel"), ("combo box", "Category"), ("text", "Description"),
        ("push button", "Submit"), ("push button", "Cancel"), ("entry", "Description"), ("password text", "Password"),
        ("combo box", "Category"), ("check box", "Receipt attached"), ("menu item", "File"),
    ];

    public static int Run(Args args)
    {
        var clicks = (int)args.Double("clicks", 220, 10, 100_000);
        var idleSeconds = args.Double("idle-seconds", 10, 1, 600);
        var page = args.String("page") ?? Path.Combine(RepoPaths.Root, "tests", "Understudy.Desktop.Tests", "Assets", "form.html");
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        using var desktop = VirtualDesktop.Start();
        desktop.StartApp("bash", RepoPaths.Script("demo-form.sh"));
        desktop.WaitForWindow("UnderstudyDemo", TimeSpan.FromSeconds(30));
        var profile = Directory.CreateTempSubdirectory("understudy-bench-chromium-").FullName;
        desktop.StartApp("chromium", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--force-renderer-accessibility", "--no-default-browser-check",
            $"--user-data-dir={profile}", "--window-position=720,0", "--window-size=560,760", $"--app={new Uri(page).AbsoluteUri}");
        desktop.WaitForWindow("[Cc]hromium", TimeSpan.FromSeconds(60));

        var sink = new TimingSink();
        using var source = new AtSpiAccessibilitySource(desktop.Display, new AccessibilityOptions());
        source.Start(sink);
        if (!source.Available)
        {
            throw new BenchmarkFailedException($"accessibility unavailable: {source.UnavailableReason}");
        }
        var positions = new List<(string Target, int X, int Y)>();
        foreach (var (role, name) in Targets)
        {
            var bounds = WaitForBounds(source, role, name);
            positions.Add(($"{role} '{name}'", bounds.X + (bounds.Width / 2), bounds.Y + (bounds.Height / 2)));
        }

        report.Line($"elements: {clicks} presses over {positions.Count} elements of yad (GTK3) and Chromium on {desktop.Display}; {Environment.ProcessorCount} CPUs");
        using var driver = XTestDriver.Open(desktop.Display);
        var latenciesMs = new List<double>();
        var missing = 0;
        for (var i = 0; i < clicks; i++)
        {
            var (_, x, y) = positions[i % positions.Count];
            driver.MoveTo(x, y);
            driver.Sync();
            var seq = i + 1L;
            var handed = Stopwatch.GetTimestamp();
            source.OnRecorded(new SessionEvent(seq, MonotonicClock.NowNs(), DateTimeOffset.UtcNow, new ButtonPayload(true, MouseButton.Left, x, y, Modifiers.None)));
            if (sink.WaitFor(seq, TimeSpan.FromSeconds(5)) is { } arrived)
            {
                latenciesMs.Add(Stopwatch.GetElapsedTime(handed, arrived).TotalMilliseconds);
            }
            else
            {
                missing++;
            }
        }

        // Idle: nothing happens on the desktop; the accessibility thread must not wake.
        var pid = Environment.ProcessId;
        var before = ProcStat.ThreadCpuNs(pid).GetValueOrDefault(AtSpiAccessibilitySource.ThreadName);
        var wakeupsBefore = source.IdleWakeups;
        Thread.Sleep(TimeSpan.FromSeconds(idleSeconds));
        var after = ProcStat.ThreadCpuNs(pid).GetValueOrDefault(AtSpiAccessibilitySource.ThreadName);
        var idleCpuPercent = (after - before) / (idleSeconds * 1e9) * 100;
        source.Stop();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing to it as the desktop goes down.
        }

        var median = latenciesMs.Count > 0 ? Stats.Median(latenciesMs) : double.NaN;
        var p95 = latenciesMs.Count > 0 ? Stats.Percentile(latenciesMs, 95) : double.NaN;
        report.Line($"  lookups answered: {latenciesMs.Count} of {clicks} ({missing} without an element)");
        report.Line($"  latency press → element event: median {Report.F(median, 2)} ms (target < {TargetMedianMs}: {Report.Verdict(median < TargetMedianMs)}), p95 {Report.F(p95, 2)} ms (target < {TargetP95Ms}: {Report.Verdict(p95 < TargetP95Ms)}), max {Report.F(latenciesMs.DefaultIfEmpty(double.NaN).Max(), 2)} ms");
        report.Line($"  idle {Report.F(idleSeconds, 0)} s: accessibility thread CPU {Report.F(idleCpuPercent, 3)} %, idle wake-ups {source.IdleWakeups - wakeupsBefore}");
        report.Result(new { clicks, answered = latenciesMs.Count, medianMs = median, p95Ms = p95, idleCpuPercent, idleWakeups = source.IdleWakeups - wakeupsBefore });
        return median < TargetMedianMs && p95 < TargetP95Ms ? 0 : 1;
    }

    private static Rect WaitForBounds(AtSpiAccessibilitySource source, string role, string name)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var find = source.FindBoundsAsync(role, name);
            if (find.Wait(TimeSpan.FromSeconds(30)) && find.Result is { Width: > 0, Height: > 0 } bounds)
            {
                return bounds;
            }
            Thread.Sleep(200);
        }
        throw new BenchmarkFailedException($"no showing {role} '{name}' on the benchmark desktop");
    }

    private sealed class TimingSink : ICaptureSink
    {
        private readonly ConcurrentDictionary<long, long> _arrivals = new();
        private readonly SemaphoreSlim _posted = new(0);

        public void Post(in CapturedEvent captured)
        {
            if (captured.Payload is ElementPayload element)
            {
                _arrivals[element.ForSeq] = Stopwatch.GetTimestamp();
                _posted.Release();
            }
        }

        public void Fault(CaptureFault fault)
        {
        }

        public long? WaitFor(long seq, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!_arrivals.ContainsKey(seq) && clock.Elapsed < timeout)
            {
                _posted.Wait(TimeSpan.FromMilliseconds(50));
            }
            return _arrivals.TryGetValue(seq, out var at) ? at : null;
        }
    }
}
