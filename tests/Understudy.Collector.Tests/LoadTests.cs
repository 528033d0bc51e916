using System.Diagnostics;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>
/// Many simulated devices uploading at once on loopback, bounded in count (devices × sessions)
/// and time (the run is cancelled after two minutes). Every session arrives exactly once, verified.
/// </summary>
public abstract class LoadTests : IAsyncLifetime
{
    private readonly List<TestRecorder> _recorders = [];

    protected abstract StoreKind Kind { get; }

    protected abstract int Devices { get; }

    private const int SessionsPerDevice = 2;

    private TestCollector Collector { get; set; } = null!;

    public async Task InitializeAsync() => Collector = await TestCollector.StartAsync(Kind);

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _recorders.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Many_devices_upload_concurrently_and_every_session_arrives_once()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var devices = new List<(TestRecorder Recorder, Donor Donor)>();
        for (var d = 0; d < Devices; d++)
        {
            var recorder = new TestRecorder();
            _recorders.Add(recorder);
            for (var s = 0; s < SessionsPerDevice; s++)
            {
                recorder.Record(3000, seed: (d * 10) + s);
            }
            devices.Add((recorder, await Collector.EnrolledDonorAsync($"donor{d}", steward)));
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();

        var reports = await Task.WhenAll(devices.Select(async device =>
        {
            using var client = new CollectorClient(Collector.Address, device.Donor.Credential.Credential);
            var queue = new UploadQueue(device.Recorder.Store, device.Recorder.Key, device.Donor.Credential, client,
                new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = 16 * 1024, InitialBackoff = TimeSpan.FromMilliseconds(20) });
            return await queue.RunAsync(() => true, deadline.Token);
        }));

        clock.Stop();
        Assert.All(reports, r => Assert.Empty(r.Problems));
        Assert.Equal(Devices * SessionsPerDevice, reports.Sum(r => r.Uploaded.Count));
        var complete = await Collector.Service.Metadata.ListUploadsAsync(null, UploadStates.Complete, CancellationToken.None);
        Assert.Equal(Devices * SessionsPerDevice, complete.Count);
        Assert.Equal(complete.Count, complete.Select(u => (u.DeviceId, u.SessionId)).Distinct().Count());
        Assert.All(complete, u => Assert.Equal(3000, u.EventCount));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
    }
}

public sealed class SqliteLoadTests : LoadTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override int Devices => 24;
}

public sealed class PostgresLoadTests : LoadTests
{
    protected override StoreKind Kind => StoreKind.Postgres;

    protected override int Devices => 16;
}
