using System.Net;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

[CollectionDefinition(nameof(PostgresOutage), DisableParallelization = true)]
public sealed class PostgresOutage;

/// <summary>
/// The metadata database goes away mid-upload (the real PostgreSQL server is stopped): the
/// collector answers 503 with a clear error, records nothing partial, and once the database is
/// back the recorder's retry finishes the session with nothing lost or doubled. Runs alone,
/// since it stops the server the other PostgreSQL tests share.
/// </summary>
[Collection(nameof(PostgresOutage))]
public sealed class OutageTests : IAsyncLifetime
{
    private readonly TestRecorder _recorder = new();
    private TestCollector _collector = null!;

    public async Task InitializeAsync() => _collector = await TestCollector.StartAsync(StoreKind.Postgres);

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _recorder.Dispose();
    }

    [Fact]
    public async Task When_the_database_is_unreachable_mid_upload_the_collector_says_503_and_the_retry_completes_it()
    {
        var donor = await _collector.EnrolledDonorAsync("alice", await _collector.StewardWithPolicyAsync());
        var upload = ManualUpload.Seal(_recorder, donor, _recorder.Record(2000));
        using var device = new CollectorClient(_collector.Address, donor.Credential.Credential);
        var uploadId = (await device.CreateUploadAsync(upload.Request, CancellationToken.None)).UploadId;
        for (var i = 0; i < upload.ChunkCount / 2; i++)
        {
            await upload.SendAsync(device, uploadId, i);
        }

        PostgresServer.Stop();
        try
        {
            var refused = await Assert.ThrowsAsync<CollectorException>(() => upload.SendAsync(device, uploadId, upload.ChunkCount / 2));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "metadata_unavailable", true), (refused.Status, refused.Code, refused.Transient));
            var completing = await Assert.ThrowsAsync<CollectorException>(() => device.CompleteAsync(uploadId, CancellationToken.None));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, completing.Status);
        }
        finally
        {
            PostgresServer.Restart();
        }

        // The recorder resumes: the collector reports what it has and the rest goes up once.
        var status = await device.CreateUploadAsync(upload.Request, CancellationToken.None);
        Assert.Equal(uploadId, status.UploadId);
        Assert.Equal(Enumerable.Range(0, upload.ChunkCount / 2), status.ReceivedChunks);
        foreach (var missing in Enumerable.Range(0, upload.ChunkCount).Except(status.ReceivedChunks))
        {
            Assert.True((await upload.SendAsync(device, uploadId, missing)).Stored);
        }
        Assert.Equal(UploadStates.Complete, (await device.CompleteAsync(uploadId, CancellationToken.None)).State);
        var stored = await _collector.Service.Metadata.GetUploadAsync(uploadId, CancellationToken.None);
        Assert.Equal(2000, (await _collector.Service.ReadSessionEventsAsync(stored!, CancellationToken.None)).Count);
    }
}
