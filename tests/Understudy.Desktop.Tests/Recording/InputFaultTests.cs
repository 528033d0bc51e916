using Understudy.Redaction;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Guards;
using System.Diagnostics;
using System.Text.Json;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Desktop.Tests.Harness;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Input;
using Understudy.Platform.X11.Replay;
using Understudy.Tests.Storage;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>When the recorder cannot keep everything, it says exactly how much it lost, and where.</summary>
[Collection("desktop")]
public sealed class InputFaultTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private sealed class ListWriter : IEventWriter
    {
        public List<SessionEvent> Events { get; } = [];

        public void Append(SessionEvent sessionEvent) => Events.Add(sessionEvent);

        public void Flush()
        {
        }

        public void Sync()
        {
        }
    }

    [Fact]
    public void An_overflowing_input_ring_drops_and_counts_every_lost_event_as_a_gap()
    {
        const int sent = 4000;
        using var backend = X11DesktopBackend.Open(Desktop.Display);
        // A ring of two slots cannot absorb a burst: the callback must drop, count, and carry on.
        using var input = (XRecordInputSource)backend.CreateInputSource(new InputSourceOptions { RingCapacity = 2 });
        var writer = new ListWriter();
        var recorder = new Recorder([input], new ScopeGate(AppScope.AllowAll), writer, new RecorderOptions(), SystemClock.Instance, new PrivacyGuard(TextRedactionEngine.Shared, SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));
        using var started = new ManualResetEventSlim();
        recorder.CaptureStarted += started.Set;
        using var stop = new CancellationTokenSource();
        RecordingOutcome? outcome = null;
        var thread = new Thread(() => outcome = recorder.Run(stop.Token));
        thread.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));

        using (var driver = XTestDriver.Open(Desktop.Display))
        {
            // Paced near 10k events/s: the two-slot ring still overflows on every burst, while
            // the server's own RECORD buffers (which lose events under unpaced floods) keep up.
            for (var i = 0; i < sent; i++)
            {
                driver.MoveTo(100 + (i % 2), 200);
                if (i % 20 == 19)
                {
                    driver.Sync();
                    Thread.Sleep(2);
                }
            }
            driver.Sync();
        }
        Thread.Sleep(500);
        stop.Cancel();
        thread.Join();

        var moves = writer.Events.Count(e => e.Payload is PointerMovePayload);
        var gaps = writer.Events.Select(e => e.Payload).OfType<GapPayload>().Where(g => g.Reason == GapReasons.InputOverflow).ToList();
        Assert.NotEmpty(gaps);
        // Every event the callback received is either written or counted in a gap, exactly.
        Assert.Equal(input.DeviceEventsReceived, moves + gaps.Sum(g => g.Dropped));
        // Loss inside the X server, before our callback, is the benchmark's to measure; here it must stay marginal.
        Assert.InRange(input.DeviceEventsReceived, sent * 99 / 100, sent);
        Assert.Equal(gaps.Sum(g => g.Dropped), outcome!.DroppedInput);
        Assert.Equal(Enumerable.Range(0, writer.Events.Count).Select(i => (long)i), writer.Events.Select(e => e.Seq));
    }

    [Fact]
    public void Events_the_server_delivers_in_a_late_batch_keep_their_real_spacing()
    {
        using var backend = X11DesktopBackend.Open(Desktop.Display);
        using var input = backend.CreateInputSource(new InputSourceOptions());
        var writer = new ListWriter();
        var recorder = new Recorder([input], new ScopeGate(AppScope.AllowAll), writer, new RecorderOptions(), SystemClock.Instance, new PrivacyGuard(TextRedactionEngine.Shared, SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));
        using var started = new ManualResetEventSlim();
        recorder.CaptureStarted += started.Set;
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => recorder.Run(stop.Token));
        thread.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));

        // Over the bare root window no client selects motion, and the server holds record data
        // back for up to ~1.5 s; arrival times would then bunch up.
        using (var driver = XTestDriver.Open(Desktop.Display))
        {
            for (var i = 0; i < 12; i++)
            {
                driver.MoveTo(5 + (i % 2), 5);
                driver.Flush();
                Thread.Sleep(100);
            }
        }
        Thread.Sleep(300);
        stop.Cancel();
        thread.Join();

        var moves = writer.Events.Where(e => e.Payload is PointerMovePayload).ToList();
        Assert.Equal(12, moves.Count);
        var gapsMs = moves.Zip(moves.Skip(1)).Select(pair => (pair.Second.MonoNs - pair.First.MonoNs) / 1_000_000.0).ToList();
        // Sent 100 ms apart; arrival stamping collapses them to under 1 ms. Wide bounds: CI machines are busy.
        Assert.All(gapsMs, gap => Assert.InRange(gap, 50, 400));
    }

    [RootFact]
    public void A_full_disk_ends_the_recording_with_one_line_and_keeps_what_was_written()
    {
        const int movesBeforeFull = 300;
        var mount = Path.Combine(Root, "tiny");
        Directory.CreateDirectory(mount);
        RunOrFail("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount);
        try
        {
            var dataDir = Path.Combine(mount, "data");
            AcceptConsent(dataDir);
            using var recorder = CliProcess.Start(Env, "record", "--data", dataDir, "--allow-app", "*");
            recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
            using var driver = XTestDriver.Open(Desktop.Display);
            for (var i = 0; i < movesBeforeFull; i++)
            {
                driver.MoveTo(10 + (i % 500), 10 + (i % 300));
            }
            driver.Sync();
            var sessionId = System.Text.RegularExpressions.Regex.Match(recorder.Stderr, @"recording session (\S+)").Groups[1].Value;
            WaitUntilStored(sessionId, dataDir, movesBeforeFull);

            // The disk fills up under the recorder's feet: everything already flushed must survive.
            FillFileSystem(Path.Combine(mount, "filler"));
            for (var i = 0; i < 20_000 && !recorder.HasExited; i++)
            {
                driver.MoveTo(10 + (i % 500), 10 + (i % 300));
                if (i % 100 == 0)
                {
                    driver.Sync();
                    Thread.Sleep(5);
                }
            }
            Assert.Equal(1, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
            var errors = recorder.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("recording session", StringComparison.Ordinal) && !l.Contains("warning", StringComparison.Ordinal)).ToList();
            Assert.Contains("disk full", Assert.Single(errors), StringComparison.Ordinal);
            Assert.Equal(sessionId, recorder.Stdout.Trim());

            var (verifyExit, verifyOut, verifyErr) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", dataDir, "--json");
            Assert.True(verifyExit == 0, $"{verifyOut} {verifyErr}");
            using var report = JsonDocument.Parse(verifyOut);
            Assert.True(report.RootElement.GetProperty("events").GetInt64() >= movesBeforeFull, verifyOut + recorder.Stderr);
        }
        finally
        {
            RunOrFail("umount", mount);
        }
    }

    private void WaitUntilStored(string sessionId, string dataDir, int events)
    {
        // The server may hold record data back for over a second, so wait for the store itself.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var stored = 0L;
        while (DateTime.UtcNow < deadline)
        {
            var (exit, stdout, _) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", dataDir, "--json");
            if (exit == 0)
            {
                using var report = JsonDocument.Parse(stdout);
                stored = report.RootElement.GetProperty("events").GetInt64();
                if (stored >= events)
                {
                    return;
                }
            }
            Thread.Sleep(200);
        }
        Assert.Fail($"only {stored} of {events} events were stored");
    }

    private static void FillFileSystem(string path)
    {
        var chunk = new byte[4096];
        using var filler = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the file system is full.
        }
    }

    private static void RunOrFail(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file}: {stderr}");
    }
}
