using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Storage;

namespace Understudy.Benchmarks.Store;

/// <summary>
/// Bytes per hour of events.log for typical input without screenshots. A simulated hour of
/// input goes through the recorder's own pipeline stages (orderer, scope gate, sequencer) into a
/// real session, on the recorder's cadence in simulated time: a poll every 10 ms, a flush
/// (one encrypted frame) every flush interval, a sync every 2 s.
/// </summary>
internal static class StoreBenchmark
{
    private const double TargetMegabytesPerHour = 2.0;

    public static int Run(Args args)
    {
        var hours = args.Double("hours", 1, 0.01, 24);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        var defaults = new RecorderOptions();
        report.Line($"store: {Report.F(hours, 2)} simulated hour(s) of typical input (~{TypicalInput.EventsPerSecond:0} ev/s: 80 % motion, 15 % keys, 5 % clicks/scrolls, focus every ~2 min), no screenshots");
        report.Line();
        var results = new List<CadenceResult>();
        foreach (var flush in new[] { defaults.FlushInterval, TimeSpan.FromSeconds(1) })
        {
            Report.Progress($"flush every {flush.TotalMilliseconds:0} ms");
            results.Add(Simulate(hours, flush, defaults));
        }

        report.Table(
            ["flush interval", "events", "frames", "ev/frame", "events.log B", "frame overhead B", "payload B/event", "B/event", "MB/h", "MiB/h", "target < 2 MB/h"],
            results.Select(r => (IReadOnlyList<string>)
            [
                $"{r.FlushIntervalMs:0} ms" + (r.FlushIntervalMs == defaults.FlushInterval.TotalMilliseconds ? " (default)" : ""),
                Report.N(r.Events),
                Report.N(r.Frames),
                Report.F(r.EventsPerFrame, 1),
                Report.N(r.LogBytes),
                Report.N(r.FrameOverheadBytes),
                Report.F(r.PayloadBytesPerEvent, 2),
                Report.F(r.BytesPerEvent, 2),
                Report.F(r.MegabytesPerHour, 3),
                Report.F(r.MebibytesPerHour, 3),
                Report.Verdict(r.MegabytesPerHour < TargetMegabytesPerHour),
            ]));
        report.Line();
        foreach (var r in results)
        {
            report.Line($"  {r.FlushIntervalMs:0} ms: {string.Join(", ", r.CountsByKind.Select(kv => $"{kv.Key} {Report.N(kv.Value)}"))}; read back {Report.N(r.ReadBackEvents)} events ({(r.ReadBackEvents == r.Events ? "all" : "MISMATCH")}); simulated in {Report.F(r.ElapsedSeconds, 1)} s");
        }
        report.Line();
        var main = results[0];
        report.Line($"target < {Report.F(TargetMegabytesPerHour, 0)} MB/h at the default {main.FlushIntervalMs:0} ms flush: {Report.F(main.MegabytesPerHour, 3)} MB/h, {Report.Verdict(main.MegabytesPerHour < TargetMegabytesPerHour)}");
        report.Result(new { Hours = hours, Target = TargetMegabytesPerHour, Results = results });
        return 0;
    }

    private static CadenceResult Simulate(double hours, TimeSpan flushInterval, RecorderOptions defaults)
    {
        using var temp = new TempDirectory("understudy-bench-store-");
        using var deviceKey = DeviceKeyStore.LoadOrCreate(temp.DeviceKeyFile);
        var store = new SessionStore(temp.DataDirectory, deviceKey);
        var writer = store.Create(new SessionStartInfo("x11", new ScreenSize(1920, 1080), []));
        var stopwatch = Stopwatch.StartNew();

        var input = new TypicalInput();
        var orderer = new EventOrderer((long)defaults.ReorderWindow.TotalNanoseconds);
        var gate = new ScopeGate(AppScope.AllowAll);
        var sequencer = new Sequencer();
        var released = new List<CapturedEvent>(256);
        var gated = new List<CapturedEvent>(256);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long frames = 0;

        var startMono = 3L * 24 * 3600 * 1_000_000_000; // three days of uptime
        var startWall = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        DateTimeOffset WallAt(long mono) => startWall.AddTicks((mono - startMono) / 100);

        var endMono = startMono + (long)(hours * 3600 * 1_000_000_000);
        var pollNs = 10_000_000L; // simulation step; the recorder releases and flushes on its own deadlines
        var flushNs = (long)flushInterval.TotalNanoseconds;
        var syncNs = (long)defaults.SyncInterval.TotalNanoseconds;

        void Write()
        {
            foreach (var item in gated)
            {
                var numbered = sequencer.Assign(item);
                writer.Append(numbered);
                var name = numbered.Kind.ToWireName();
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
            gated.Clear();
        }

        void Flush()
        {
            var before = writer.EventsWritten;
            writer.Flush();
            if (writer.EventsWritten != before)
            {
                frames++;
            }
        }

        gated.Add(new CapturedEvent(startMono, WallAt(startMono), new MarkerPayload(MarkerTypes.SessionBegin, null)));
        Write();
        orderer.Add(new CapturedEvent(startMono + 2_000_000, WallAt(startMono + 2_000_000), input.InitialFocus()));

        var nextEventMono = startMono;
        var (delay, payload) = input.Next();
        nextEventMono += delay;
        var lastFlush = startMono;
        var lastSync = startMono;
        for (var now = startMono + pollNs; now <= endMono; now += pollNs)
        {
            // Events captured since the last poll (the source stamps them when they happen).
            while (nextEventMono <= now)
            {
                orderer.Add(new CapturedEvent(nextEventMono, WallAt(nextEventMono), payload));
                (delay, payload) = input.Next();
                nextEventMono += delay;
            }
            released.Clear();
            orderer.Release(now, released);
            foreach (var item in released)
            {
                gate.Process(item, gated);
            }
            Write();
            if (now - lastFlush >= flushNs)
            {
                Flush();
                lastFlush = now;
            }
            if (now - lastSync >= syncNs)
            {
                writer.Sync();
                lastSync = now;
            }
        }

        released.Clear();
        orderer.ReleaseAll(released);
        foreach (var item in released)
        {
            gate.Process(item, gated);
        }
        gate.Finish(endMono, WallAt(endMono), gated);
        gated.Add(new CapturedEvent(endMono, WallAt(endMono), new MarkerPayload(MarkerTypes.SessionEnd, "stopped")));
        Write();
        Flush();
        var events = sequencer.NextSeq;
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        writer.Dispose();
        var elapsed = stopwatch.Elapsed.TotalSeconds;

        var logBytes = new FileInfo(Path.Combine(writer.DirectoryPath, "events.log")).Length;
        var readBack = store.ReadEvents(writer.Id).LongCount();
        const int fileHeader = 16, frameOverhead = 48;
        var overhead = frames * frameOverhead;
        var payloadBytes = logBytes - fileHeader - overhead;
        var bytesPerHour = logBytes / hours;
        return new CadenceResult(
            flushInterval.TotalMilliseconds,
            events,
            frames,
            (double)events / frames,
            logBytes,
            overhead,
            (double)payloadBytes / events,
            (double)logBytes / events,
            bytesPerHour / 1_000_000,
            bytesPerHour / (1024 * 1024),
            counts,
            readBack,
            elapsed);
    }

    internal sealed record CadenceResult(
        double FlushIntervalMs,
        long Events,
        long Frames,
        double EventsPerFrame,
        long LogBytes,
        long FrameOverheadBytes,
        double PayloadBytesPerEvent,
        double BytesPerEvent,
        double MegabytesPerHour,
        double MebibytesPerHour,
        SortedDictionary<string, long> CountsByKind,
        long ReadBackEvents,
        double ElapsedSeconds);
}
