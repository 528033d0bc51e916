using System.Security.Cryptography;
using Understudy.Collector.Http;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>
/// kill -9 of the real collector process during uploads: after a restart every session is either
/// complete and verified or resumable from exactly the chunks it has, and the recorder finishes
/// without losing or duplicating anything.
/// </summary>
public sealed class KillTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();
    private readonly TestRecorder _recorder = new();

    public void Dispose()
    {
        _recorder.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task After_kill_9_mid_upload_every_session_is_complete_and_verified_or_resumable()
    {
        var data = _root.Combine("collector");
        var options = new CollectorOptions { DataDirectory = data, RetentionInterval = TimeSpan.Zero };
        string enrolmentToken;
        await using (var bootstrap = new SetupService(await CollectorHost.OpenServiceAsync(options, CancellationToken.None)))
        {
            var service = bootstrap.Service;
            var steward = Caller.Operator("test");
            await service.CreateAccountAsync(steward, Role.Donor, "alice", CancellationToken.None);
            var donor = new Caller(CallerKind.Account, "acc_x", Role.Donor, service.Keys.Pseudonym("alice"));
            await service.SetConsentAsync(donor, true, Understudy.Policy.Consent.ConsentNotice.Version, CancellationToken.None);
            enrolmentToken = await service.CreateEnrolmentTokenAsync(steward, "alice", CancellationToken.None);
        }
        var sessions = Enumerable.Range(1, 6).Select(seed => _recorder.Record(25_000, frames: 2, seed: seed)).ToList();
        var port = UploadFlowTests.FreePort();
        var process = await CollectorProcess.StartAsync(data, port);
        try
        {
            using var anonymous = new CollectorClient(process.Address, null);
            var enrolled = await anonymous.EnrollAsync(enrolmentToken, CancellationToken.None);
            var credential = new DeviceCredential(process.Address.ToString(), enrolled.DeviceId, enrolled.Credential, enrolled.CollectorPublicKey, enrolled.CollectorKeyId);
            var queueOptions = new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = 64 * 1024, MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(50) };

            for (var round = 0; round < 3; round++)
            {
                // Kill after a number of acknowledged chunks that lands mid-session each round.
                var killAfter = 2 + (round * 3);
                var victim = process;
                using var counting = new KillAfterChunks(killAfter, victim.KillHard);
                using var client = new CollectorClient(process.Address, credential.Credential, counting);
                var report = await new UploadQueue(_recorder.Store, _recorder.Key, credential, client, queueOptions).RunAsync(() => true, CancellationToken.None);
                Assert.True(counting.Killed, $"round {round}: the collector was not killed (uploaded {report.Uploaded.Count})");
                await counting.KillTask;

                process.Dispose();
                await AssertEverySessionCompleteOrResumableAsync(options);
                process = await CollectorProcess.StartAsync(data, port);
            }

            using (var finalClient = new CollectorClient(process.Address, credential.Credential))
            {
                var queue = new UploadQueue(_recorder.Store, _recorder.Key, credential, finalClient, queueOptions);
                var final = await queue.RunAsync(() => true, CancellationToken.None);
                Assert.Empty(final.Problems);
                Assert.Equal(sessions.Order(StringComparer.Ordinal), queue.UploadedSessions().Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            process.Dispose();
        }

        await using var check = new SetupService(await CollectorHost.OpenServiceAsync(options, CancellationToken.None));
        var uploads = await check.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None);
        Assert.Equal(sessions.Order(StringComparer.Ordinal), uploads.Select(u => u.SessionId).Order(StringComparer.Ordinal)); // one upload per session, none twice
        foreach (var upload in uploads)
        {
            Assert.Equal(UploadStates.Complete, upload.State);
            Assert.Equal(upload.EventCount, (await check.Service.ReadSessionEventsAsync(upload, CancellationToken.None)).Count);
            Assert.Equal(25_002, upload.EventCount);
        }
    }

    private static async Task AssertEverySessionCompleteOrResumableAsync(CollectorOptions options)
    {
        await using var check = new SetupService(await CollectorHost.OpenServiceAsync(options, CancellationToken.None));
        var service = check.Service;
        foreach (var upload in await service.Metadata.ListUploadsAsync(null, null, CancellationToken.None))
        {
            if (upload.State == UploadStates.Complete)
            {
                Assert.Equal(upload.EventCount, (await service.ReadSessionEventsAsync(upload, CancellationToken.None)).Count);
                Assert.Empty(await service.Metadata.ListChunksAsync(upload.Id, CancellationToken.None));
                continue;
            }
            Assert.Equal(UploadStates.Uploading, upload.State);
            // Every chunk the collector says it has is whole and matches its hash: resuming from it is safe.
            foreach (var (index, sha) in await service.Metadata.ChunkHashesAsync(upload.Id, CancellationToken.None))
            {
                await using var chunk = await service.Blobs.OpenReadAsync(CollectorService.ChunkKey(upload.Id, index, sha), CancellationToken.None);
                Assert.NotNull(chunk);
                Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(chunk!)));
                Assert.Equal(CollectorService.ChunkLength(upload, index), chunk!.Length);
            }
        }
    }

    /// <summary>Opens the collector's stores over its data directory, as the admin commands do, and closes them.</summary>
    private sealed class SetupService(CollectorService service) : IAsyncDisposable
    {
        public CollectorService Service { get; } = service;

        public async ValueTask DisposeAsync()
        {
            await Service.Metadata.DisposeAsync();
            Service.Keys.Dispose();
        }
    }

    /// <summary>Passes requests through and SIGKILLs the collector once enough chunks were acknowledged.</summary>
    private sealed class KillAfterChunks(int chunks, Action kill) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _acknowledged;

        public bool Killed { get; private set; }

        public Task KillTask { get; private set; } = Task.CompletedTask;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Put && response.IsSuccessStatusCode && Interlocked.Increment(ref _acknowledged) == chunks)
            {
                // A few milliseconds later, so that the kill lands while the next chunk is on its way or being written.
                Killed = true;
                KillTask = Task.Run(async () =>
                {
                    await Task.Delay(Random.Shared.Next(1, 20), CancellationToken.None);
                    kill();
                }, CancellationToken.None);
            }
            return response;
        }
    }
}
