using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Understudy.Cli.Infrastructure;
using Understudy.Collector;
using Understudy.Collector.Http;
using Understudy.Collector.Metadata;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy admin bench-ingest</c>: ingest throughput of a real collector process on
/// loopback with durable commits. Devices, sessions and events are made up front (real recorder
/// stores, real sealing); then every device uploads at once and the collector's RSS is sampled
/// from /proc. Reported: events/s and MB/s over the whole run, chunk latency median and p99, peak RSS.
/// </summary>
internal static class IngestBenchmark
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices uploading at once", DefaultValueFactory = _ => 8 };
        var sessions = new Option<int>("--sessions") { Description = "Sessions per device", DefaultValueFactory = _ => 2 };
        var events = new Option<int>("--events") { Description = "Events per session", DefaultValueFactory = _ => 100_000 };
        var chunkKib = new Option<int>("--chunk-kib") { Description = "Chunk size in KiB", DefaultValueFactory = _ => 1024 };
        var postgres = new Option<string?>("--postgres") { Description = "Use this PostgreSQL connection string for metadata instead of SQLite", HelpName = "CONN" };
        var json = CommonOptions.Json();
        var command = new Command("bench-ingest", "Measure ingest on loopback: events/s, MB/s, chunk latency, collector memory") { devices, sessions, events, chunkKib, postgres, json };
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(devices), parse.GetValue(sessions), parse.GetValue(events), parse.GetValue(chunkKib) * 1024, parse.GetValue(postgres));
            if (settings.Devices is < 1 or > 512 || settings.SessionsPerDevice is < 1 or > 100 || settings.EventsPerSession is < 1 or > 10_000_000 || settings.ChunkSize is < 64 * 1024 or > 8 * 1024 * 1024)
            {
                throw new UsageException("bench-ingest: --devices 1..512, --sessions 1..100, --events 1..10000000, --chunk-kib 64..8192");
            }
            var result = RunAsync(settings).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => System.Text.Json.JsonSerializer.Serialize(writer, result, ProtocolJson.Options));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Metadata}: {result.Events} events, {result.Bytes / 1e6:0.0} MB in {result.Seconds:0.00} s = {result.EventsPerSecond:0} events/s, {result.MegabytesPerSecond:0.00} MB/s; chunk latency median {result.ChunkLatencyMedianMs:0.0} ms, p99 {result.ChunkLatencyP99Ms:0.0} ms ({result.Chunks} chunks); complete median {result.CompleteLatencyMedianMs:0.0} ms; collector RSS idle {result.CollectorRssIdleMb:0} MB, peak {result.CollectorRssPeakMb:0} MB"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record Settings(int Devices, int SessionsPerDevice, int EventsPerSession, int ChunkSize, string? Postgres);

    internal sealed record Result(
        string Metadata, int Devices, int Sessions, long Events, long Bytes, int Chunks, double Seconds, double EventsPerSecond, double MegabytesPerSecond,
        double ChunkLatencyMedianMs, double ChunkLatencyP99Ms, double CompleteLatencyMedianMs, double CollectorRssIdleMb, double CollectorRssPeakMb);

    private static async Task<Result> RunAsync(Settings settings)
    {
        var work = Directory.CreateTempSubdirectory("understudy-bench-").FullName;
        try
        {
            var options = new CollectorOptions
            {
                DataDirectory = Path.Combine(work, "collector"),
                RetentionInterval = TimeSpan.Zero,
                MetadataProvider = settings.Postgres is null ? "sqlite" : "postgres",
                PostgresConnectionString = settings.Postgres,
            };
            var tokens = new List<string>();
            var service = await CollectorHost.OpenServiceAsync(options, CancellationToken.None);
            try
            {
                var bench = Caller.Operator("bench");
                for (var d = 0; d < settings.Devices; d++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"bench-donor-{d}");
                    await service.CreateAccountAsync(bench, Role.Donor, name, CancellationToken.None);
                    await service.SetConsentAsync(new Caller(CallerKind.Account, "bench", Role.Donor, service.Keys.Pseudonym(name)), true, Policy.Consent.ConsentNotice.Version, CancellationToken.None);
                    tokens.Add(await service.CreateEnrolmentTokenAsync(bench, name, CancellationToken.None));
                }
            }
            finally
            {
                await service.Metadata.DisposeAsync();
                service.Keys.Dispose();
            }

            var port = FreePort();
            using var collector = StartCollector(options, port, settings.Postgres);
            var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            var rssIdle = Rss(collector.Id);

            // Devices: enrol, record, seal, all before the clock starts.
            var prepared = new List<(DeviceCredential Credential, List<(SealedSession Session, byte[] Bundle)> Sessions)>();
            for (var d = 0; d < settings.Devices; d++)
            {
                using var anonymous = new CollectorClient(address, null);
                var enrolled = await anonymous.EnrollAsync(tokens[d], CancellationToken.None);
                var credential = new DeviceCredential(address.ToString(), enrolled.DeviceId, enrolled.Credential, enrolled.CollectorPublicKey, enrolled.CollectorKeyId);
                var deviceDirectory = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"device-{d}"));
                using var key = DeviceKeyStore.LoadOrCreate(Path.Combine(deviceDirectory, "device.key"));
                var store = new SessionStore(Path.Combine(deviceDirectory, "data"), key);
                var sealedSessions = new List<(SealedSession, byte[])>();
                for (var s = 0; s < settings.SessionsPerDevice; s++)
                {
                    var id = Record(store, settings.EventsPerSession, (d * 1000) + s);
                    var sealedSession = SessionSealer.Seal(store, key, id, credential, Path.Combine(deviceDirectory, "outbox"), settings.ChunkSize);
                    sealedSessions.Add((sealedSession, await File.ReadAllBytesAsync(sealedSession.BundlePath)));
                }
                prepared.Add((credential, sealedSessions));
            }

            var chunkLatencies = new ConcurrentBag<double>();
            var completeLatencies = new ConcurrentBag<double>();
            var peakRss = rssIdle;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakRss = Math.Max(peakRss, Rss(collector.Id));
                    await Task.Delay(50, CancellationToken.None);
                }
            }, CancellationToken.None);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(prepared.Select(device => Task.Run(async () =>
            {
                using var client = new CollectorClient(address, device.Credential.Credential);
                foreach (var (session, bundle) in device.Sessions)
                {
                    var status = await client.CreateUploadAsync(session.Request, CancellationToken.None);
                    for (var index = 0; index < status.ChunkCount; index++)
                    {
                        var chunk = bundle.AsMemory(index * settings.ChunkSize, Math.Min(settings.ChunkSize, bundle.Length - (index * settings.ChunkSize)));
                        var hash = Convert.ToHexStringLower(SHA256.HashData(chunk.Span));
                        var started = Stopwatch.GetTimestamp();
                        await client.PutChunkAsync(status.UploadId, index, chunk, hash, CancellationToken.None);
                        chunkLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    var completing = Stopwatch.GetTimestamp();
                    await client.CompleteAsync(status.UploadId, CancellationToken.None);
                    completeLatencies.Add(Stopwatch.GetElapsedTime(completing).TotalMilliseconds);
                }
            })));
            clock.Stop();
            await sampling.CancelAsync();
            await sampler;
            peakRss = Math.Max(peakRss, HighWater(collector.Id));
            Stop(collector);

            var eventsTotal = prepared.Sum(d => d.Sessions.Sum(s => s.Session.Request.EventCount));
            var bytesTotal = prepared.Sum(d => d.Sessions.Sum(s => (long)s.Bundle.Length));
            var seconds = clock.Elapsed.TotalSeconds;
            var sorted = chunkLatencies.Order().ToArray();
            var completes = completeLatencies.Order().ToArray();
            return new Result(options.MetadataProvider, settings.Devices, settings.Devices * settings.SessionsPerDevice, eventsTotal, bytesTotal, sorted.Length, seconds,
                eventsTotal / seconds, bytesTotal / 1e6 / seconds, Percentile(sorted, 0.5), Percentile(sorted, 0.99), Percentile(completes, 0.5), rssIdle, peakRss);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Record(SessionStore store, int events, int seed)
    {
        var random = new Random(seed);
        using var writer = store.Create(new SessionStartInfo("bench", new ScreenSize(1920, 1080), ["bench"]));
        var start = DateTimeOffset.UtcNow;
        long mono = 1_000_000_000;
        int x = 960, y = 540;
        for (var i = 0; i < events; i++)
        {
            mono += random.Next(2_000_000, 60_000_000);
            EventPayload payload;
            var roll = random.Next(100);
            if (roll < 80)
            {
                x = Math.Clamp(x + random.Next(-12, 13), 0, 1919);
                y = Math.Clamp(y + random.Next(-12, 13), 0, 1079);
                payload = new PointerMovePayload(x, y);
            }
            else if (roll < 95)
            {
                payload = new KeyPayload(roll % 2 == 0, "a", roll % 2 == 0 ? "a" : null, Modifiers.None, 38);
            }
            else
            {
                payload = new ButtonPayload(roll % 2 == 0, MouseButton.Left, x, y, Modifiers.None);
            }
            writer.Append(new SessionEvent(i, mono, start.AddTicks(mono / 100), payload));
        }
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        return writer.Id;
    }

    private static Process StartCollector(CollectorOptions options, int port, string? postgres)
    {
        var executable = Environment.ProcessPath ?? throw new CommandFailedException("cannot tell which program this is");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
        {
            start.ArgumentList.Add(typeof(IngestBenchmark).Assembly.Location);
        }
        foreach (var argument in new[] { "serve", "--data", options.DataDirectory, "--listen", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}") })
        {
            start.ArgumentList.Add(argument);
        }
        if (postgres is not null)
        {
            start.Environment[CollectorConfigFile.PostgresEnvironmentVariable] = postgres;
        }
        var process = Process.Start(start) ?? throw new CommandFailedException("cannot start the collector");
        var ready = process.StandardOutput.ReadLine();
        if (ready is null || !ready.StartsWith("collector listening", StringComparison.Ordinal))
        {
            throw new CommandFailedException($"the collector did not start: {process.StandardError.ReadToEnd()}");
        }
        return process;
    }

    private static void Stop(Process collector)
    {
        using (var term = Process.Start("kill", ["-TERM", collector.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            term.WaitForExit();
        }
        if (!collector.WaitForExit(30_000))
        {
            collector.Kill();
        }
    }

    private static double Rss(int pid) => StatusField(pid, "VmRSS:");

    private static double HighWater(int pid) => StatusField(pid, "VmHWM:");

    private static double StatusField(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
