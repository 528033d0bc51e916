using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Model;
using Understudy.Storage;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.Idle;

/// <summary>
/// CPU and memory of the real recorder process (<c>understudy record</c>) at rest and under
/// typical input, measured from /proc: CPU as (utime + stime) / CLK_TCK over wall time, memory as
/// VmRSS and the peak VmHWM. Input is injected through XTEST from this process.
/// </summary>
internal static class IdleBenchmark
{
    private const double TargetCpuPercent = 1.0;
    private const double TargetRssMb = 80;

    public static int Run(Args args)
    {
        var cli = args.String("cli") ?? DefaultCliPath();
        var warmup = args.Double("warmup", 15, 0, 600);
        var seconds = args.Double("seconds", 30, 1, 3600);
        var rate = args.Double("rate", 20, 1, 1000);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();
        if (!File.Exists(cli))
        {
            throw new BenchmarkFailedException($"{cli} not found: build it first with 'dotnet build src/Understudy.Cli -c Release' (or pass --cli PATH)");
        }

        using var temp = new TempDirectory("understudy-bench-idle-");
        Directory.CreateDirectory(temp.DataDirectory);
        new Understudy.Policy.Consent.ConsentStore(temp.DataDirectory).Accept();
        // Create the key here so that the child finds it and the session can be read back afterwards.
        using var deviceKey = DeviceKeyStore.LoadOrCreate(temp.DeviceKeyFile);
        using var injector = XTestDriver.Open(null);
        // An application in front, under the pointer and with the keyboard focus, as on a desktop in use.
        using var app = new AppWindow(240, 150, 800, 500);
        var duration = warmup + (2 * seconds) + 4;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "record", "--data", temp.DataDirectory, "--allow-app", "*", "--duration", duration.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment[DeviceKeyStore.EnvironmentVariable] = temp.DeviceKeyFile;

        report.Line($"idle: 'understudy record' ({cli}) on {injector.DisplayName}; CLK_TCK {ProcStat.ClockTicksPerSecond}; {Environment.ProcessorCount} CPUs");
        report.Line("  one application window open (xev, which selects all input), in front and under the pointer");
        report.Line($"  warm-up {Report.F(warmup, 0)} s of typical input, then (a) {Report.F(seconds, 0)} s without input, (b) {Report.F(seconds, 0)} s of ~{Report.F(rate, 0)} ev/s typical input");
        report.Line();

        using var recorder = Process.Start(start) ?? throw new BenchmarkFailedException("could not start the recorder");
        var stderr = new List<string>();
        using var startedSignal = new ManualResetEventSlim(false);
        recorder.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (stderr)
            {
                stderr.Add(e.Data);
            }
            if (e.Data.Contains("recording session", StringComparison.Ordinal))
            {
                startedSignal.Set();
            }
        };
        recorder.BeginErrorReadLine();
        var stdoutTask = recorder.StandardOutput.ReadToEndAsync();
        var launched = Stopwatch.GetTimestamp();
        while (!startedSignal.Wait(100))
        {
            if (recorder.HasExited || Stopwatch.GetElapsedTime(launched).TotalSeconds > 30)
            {
                if (!recorder.HasExited)
                {
                    recorder.Kill();
                }
                throw new BenchmarkFailedException($"the recorder did not start: {string.Join(" | ", Snapshot(stderr))}");
            }
        }
        var pid = recorder.Id;
        var startupSeconds = Stopwatch.GetElapsedTime(launched).TotalSeconds;
        var startupCpu = ProcStat.CpuTicks(pid) ?? 0;
        var startupMemory = ProcStat.Memory(pid) ?? default;
        Report.Progress($"recorder pid {pid} capturing after {startupSeconds:0.00} s; warming up with typical input");
        // Warm up with the same input as phase (b): the first seconds of input pay for JIT
        // compilation once per process, which is start-up cost, not steady-state cost.
        var typing = new TypingLoop(injector, rate);
        var warmupEvents = typing.Run(TimeSpan.FromSeconds(warmup));
        Thread.Sleep(500);

        Report.Progress("(a) no input");
        var idle = Measure(pid, seconds, inject: null);
        Report.Progress("(b) typical input");
        var busy = Measure(pid, seconds, inject: typing.Run);

        if (!recorder.WaitForExit(TimeSpan.FromSeconds(duration + 30)))
        {
            recorder.Kill();
            throw new BenchmarkFailedException("the recorder did not stop at the end of its --duration");
        }
        recorder.WaitForExit();
        var sessionId = stdoutTask.Result.Trim();
        if (recorder.ExitCode != 0 || sessionId.Length == 0)
        {
            throw new BenchmarkFailedException($"the recorder exited with {recorder.ExitCode}: {string.Join(" | ", Snapshot(stderr))}");
        }

        // What the session holds: the injected events should all be there.
        var store = new SessionStore(temp.DataDirectory, deviceKey);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in store.ReadEvents(sessionId))
        {
            var name = e.Kind.ToWireName();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        var logBytes = new FileInfo(Path.Combine(store.SessionsDirectory, sessionId, "events.log")).Length;
        var inputEvents = counts.Where(kv => kv.Key is "pointer_move" or "key_down" or "key_up" or "button_down" or "button_up" or "scroll").Sum(kv => kv.Value);

        report.Table(
            ["phase", "seconds", "CPU ticks", "CPU % of one core", "wake-ups/s", "RSS MB (mean)", "RSS MB (end)", "peak RSS MB (VmHWM)", "threads", "events injected"],
            new[] { idle, busy }.Select(m => (IReadOnlyList<string>)
            [
                m == idle ? "(a) idle" : "(b) typical input",
                Report.F(m.Seconds, 1),
                Report.N(m.CpuTicks),
                Report.F(m.CpuPercent, 3),
                Report.F(m.ContextSwitchesPerSecond, 0),
                Report.F(m.RssMeanMb, 1),
                Report.F(m.RssEndMb, 1),
                Report.F(m.HwmMb, 1),
                Report.N(m.Threads),
                Report.N(m.Injected),
            ]));
        report.Line();
        report.Line($"  start-up: capturing {Report.F(startupSeconds, 2)} s after launch, {Report.F(startupCpu * 1000.0 / ProcStat.ClockTicksPerSecond, 0)} ms CPU, RSS {Report.F(startupMemory.RssKb / 1024.0, 1)} MB");
        report.Line($"  CPU by thread in (a): {ThreadLine(idle.ThreadCpuMs)}");
        report.Line($"  CPU by thread in (b): {ThreadLine(busy.ThreadCpuMs)}");
        report.Line($"  wake-ups/s by thread in (a): {ThreadLine(idle.ThreadSwitchesPerSecond)}");
        report.Line($"  session {sessionId}: {string.Join(", ", counts.Select(kv => $"{kv.Key} {Report.N(kv.Value)}"))}; {Report.N(inputEvents)} input events recorded of {Report.N(busy.Injected + warmupEvents)} injected (warm-up included); events.log {Report.N(logBytes)} B");
        report.Line();
        var cpuMet = idle.CpuPercent < TargetCpuPercent && busy.CpuPercent < TargetCpuPercent;
        var rssMet = Math.Max(idle.HwmMb, busy.HwmMb) < TargetRssMb;
        report.Line($"target CPU < {Report.F(TargetCpuPercent, 0)} % of one core: idle {Report.F(idle.CpuPercent, 3)} %, typical input {Report.F(busy.CpuPercent, 3)} %: {Report.Verdict(cpuMet)}");
        report.Line($"target RSS < {Report.F(TargetRssMb, 0)} MB: idle {Report.F(idle.RssMeanMb, 1)} MB, typical input {Report.F(busy.RssMeanMb, 1)} MB, peak {Report.F(Math.Max(idle.HwmMb, busy.HwmMb), 1)} MB: {Report.Verdict(rssMet)}");
        report.Result(new
        {
            Cli = cli,
            ClockTicksPerSecond = ProcStat.ClockTicksPerSecond,
            StartupSeconds = startupSeconds,
            StartupCpuMs = startupCpu * 1000.0 / ProcStat.ClockTicksPerSecond,
            Idle = idle,
            TypicalInput = busy,
            SessionCounts = counts,
            RecordedInputEvents = inputEvents,
            WarmupEventsInjected = warmupEvents,
            EventsLogBytes = logBytes,
            CpuTargetMet = cpuMet,
            RssTargetMet = rssMet,
        });
        return 0;
    }

    private static string DefaultCliPath()
    {
        // bench/Understudy.Benchmarks/bin/<config>/net10.0/ → repository root.
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Understudy.slnx")))
        {
            directory = directory.Parent;
        }
        var root = directory?.FullName ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "src", "Understudy.Cli", "bin", "Release", "net10.0", "understudy.dll");
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private static string ThreadLine(IReadOnlyDictionary<string, double> values) =>
        string.Join(", ", values.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Take(8).Select(kv => $"{kv.Key} {Report.F(kv.Value, 1)}"));

    private static PhaseResult Measure(int pid, double seconds, Func<TimeSpan, long>? inject)
    {
        var cpu0 = ProcStat.CpuTicks(pid) ?? throw new BenchmarkFailedException("the recorder exited early");
        var threads0 = ProcStat.ThreadCpuNs(pid);
        var switches0 = ProcStat.ThreadSwitches(pid);
        var t0 = Stopwatch.GetTimestamp();
        long injected = 0;
        Thread? injectThread = null;
        if (inject is not null)
        {
            injectThread = new Thread(() => injected = inject(TimeSpan.FromSeconds(seconds))) { Name = "bench-inject", IsBackground = true };
            injectThread.Start();
        }
        var rss = new List<double>();
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < seconds)
        {
            Thread.Sleep(500);
            if (ProcStat.Memory(pid) is { } memory)
            {
                rss.Add(memory.RssKb / 1024.0);
            }
        }
        injectThread?.Join();
        var cpu1 = ProcStat.CpuTicks(pid) ?? throw new BenchmarkFailedException("the recorder exited early");
        var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var threads1 = ProcStat.ThreadCpuNs(pid);
        var switches1 = ProcStat.ThreadSwitches(pid);
        var end = ProcStat.Memory(pid) ?? default;
        var ticks = cpu1 - cpu0;
        var switchesPerSecond = switches1.ToDictionary(kv => kv.Key, kv => (kv.Value - switches0.GetValueOrDefault(kv.Key)) / elapsed);
        return new PhaseResult(
            elapsed,
            ticks,
            ticks * 100.0 / ProcStat.ClockTicksPerSecond / elapsed,
            switchesPerSecond.Values.Sum(),
            rss.Count > 0 ? rss.Average() : double.NaN,
            end.RssKb / 1024.0,
            end.HwmKb / 1024.0,
            ProcStat.ThreadCount(pid),
            injected,
            threads1.ToDictionary(kv => kv.Key, kv => (kv.Value - threads0.GetValueOrDefault(kv.Key)) / 1e6),
            switchesPerSecond);
    }

    internal sealed record PhaseResult(
        double Seconds,
        long CpuTicks,
        double CpuPercent,
        double ContextSwitchesPerSecond,
        double RssMeanMb,
        double RssEndMb,
        double HwmMb,
        int Threads,
        long Injected,
        Dictionary<string, double> ThreadCpuMs,
        Dictionary<string, double> ThreadSwitchesPerSecond);

    /// <summary>
    /// ~<c>rate</c> events/s through XTEST: mostly short pointer moves, a key tap (press + release)
    /// now and then, a left click every ~2 s. Each event is sent on its own (flushed), as a person's are.
    /// </summary>
    private sealed class TypingLoop(XTestDriver injector, double rate)
    {
        public long Run(TimeSpan duration)
        {
            var random = new Random(7);
            var letters = Enumerable.Range(0, 26).Select(i => injector.KeycodeOf((uint)('a' + i))).Where(k => k != 0).ToArray();
            var slotsPerClick = (int)Math.Round(rate * 2);   // a click every ~2 s
            var slotsPerKey = Math.Max(3, (int)Math.Round(2 / 0.15)); // ~15 % of events are key presses/releases
            var x = 640;
            var y = 400;
            uint? keyDown = null;
            var buttonDown = false;
            long sent = 0;
            var ticksPerEvent = Stopwatch.Frequency / rate;
            var start = Stopwatch.GetTimestamp();
            var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            for (long slot = 0; ; slot++)
            {
                var due = start + (long)(slot * ticksPerEvent);
                if (due >= end)
                {
                    break;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }
                if (keyDown is { } key)
                {
                    injector.Key(key, press: false);
                    keyDown = null;
                }
                else if (buttonDown)
                {
                    injector.Button(1, press: false);
                    buttonDown = false;
                }
                else if (slot % slotsPerClick == slotsPerClick / 2)
                {
                    injector.Button(1, press: true);
                    buttonDown = true;
                }
                else if (slot % slotsPerKey == 1 && letters.Length > 0)
                {
                    keyDown = letters[random.Next(letters.Length)];
                    injector.Key(keyDown.Value, press: true);
                }
                else
                {
                    // Inside the application window (x 240–1040, y 150–650).
                    x = Math.Clamp(x + random.Next(-8, 9), 300, 1000);
                    y = Math.Clamp(y + random.Next(-6, 7), 250, 600);
                    injector.MoveTo(x, y);
                }
                injector.Flush();
                sent++;
            }
            if (keyDown is { } stuck)
            {
                injector.Key(stuck, press: false);
                sent++;
            }
            if (buttonDown)
            {
                injector.Button(1, press: false);
                sent++;
            }
            injector.Sync();
            return sent;
        }
    }
}
