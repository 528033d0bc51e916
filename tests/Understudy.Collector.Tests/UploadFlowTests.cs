using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>Recorder to collector, end to end over real HTTP, against each metadata store.</summary>
public abstract class UploadFlowTests : IAsyncLifetime
{
    private readonly TestRecorder _recorder = new();

    protected abstract StoreKind Kind { get; }

    private TestCollector Collector { get; set; } = null!;

    public async Task InitializeAsync() => Collector = await TestCollector.StartAsync(Kind);

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _recorder.Dispose();
    }

    private static UploadQueueOptions NoHold => new() { ReviewHold = TimeSpan.Zero, ChunkSize = 4096, InitialBackoff = TimeSpan.FromMilliseconds(1) };

    private UploadQueue Queue(Donor donor, CollectorClient client, UploadQueueOptions? options = null) =>
        new(_recorder.Store, _recorder.Key, donor.Credential, client, options ?? NoHold, delay: (_, _) => Task.CompletedTask);

    [Fact]
    public async Task A_recorded_session_arrives_verified_and_complete_and_a_second_run_sends_nothing()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        var sessionId = _recorder.Record(3000, frames: 3);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);

        var report = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);

        Assert.Equal([sessionId], report.Uploaded);
        Assert.Empty(report.Problems);
        using var donorHttp = Collector.Client(donor.Token);
        var sessions = await donorHttp.GetFromJsonAsync<JsonElement>("v1/me/sessions");
        var session = Assert.Single(sessions.EnumerateArray());
        Assert.Equal(sessionId, session.GetProperty("session_id").GetString());
        Assert.Equal("complete", session.GetProperty("state").GetString());
        Assert.Equal(3003, session.GetProperty("event_count").GetInt64());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_recorder.DataPath, UploadQueue.OutboxFolderName), "*.bundle"));
        var upload = Assert.Single(await Collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None));
        Assert.True(await Collector.Service.Blobs.LengthAsync(Understudy.Collector.Blobs.BlobKeys.Bundle(upload.Id), CancellationToken.None) > 0);
        // With S3 blobs nothing but keys and metadata is on the collector's disk.
        Assert.Equal(Kind != StoreKind.SqliteS3, Directory.Exists(Collector.Options.BlobDirectory));

        var again = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);
        Assert.Empty(again.Uploaded);
        Assert.Single(await Collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_session_inside_its_review_hold_stays_on_the_machine()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        var sessionId = _recorder.Record(10);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);

        var report = await Queue(donor, client, NoHold with { ReviewHold = TimeSpan.FromHours(24) }).RunAsync(() => true, CancellationToken.None);

        Assert.Empty(report.Uploaded);
        Assert.Equal([sessionId], report.Held);
        Assert.Empty(await Collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task Withdrawn_consent_on_the_collector_refuses_the_upload_and_the_recorder_keeps_the_session_queued()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        _recorder.Record(50);
        using var donorHttp = Collector.Client(donor.Token);
        (await donorHttp.PutAsJsonAsync("v1/me/consent", new { granted = false, notice_version = 0 })).EnsureSuccessStatusCode();
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);

        var refused = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);

        Assert.Empty(refused.Uploaded);
        Assert.Contains(refused.Problems, p => p.Contains("403", StringComparison.Ordinal));
        Assert.Single(refused.Queued);
        Assert.Empty(await Collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None));

        (await donorHttp.PutAsJsonAsync("v1/me/consent", new { granted = true, notice_version = Understudy.Policy.Consent.ConsentNotice.Version })).EnsureSuccessStatusCode();
        var accepted = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);
        Assert.Single(accepted.Uploaded);
    }

    [Fact]
    public async Task A_session_deleted_after_sealing_and_a_withdrawal_empty_the_outbox_unsent()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        var deleted = _recorder.Record(30, seed: 1);
        var kept = _recorder.Record(30, seed: 2);
        using var away = new CollectorClient(new Uri($"http://127.0.0.1:{FreePort()}/"), donor.Credential.Credential);
        var sealedOnly = await Queue(donor, away, NoHold with { MaxAttempts = 1 }).RunAsync(() => true, CancellationToken.None);
        Assert.Equal(2, sealedOnly.Queued.Count);

        _recorder.Store.Delete(deleted);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);
        var report = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);
        Assert.Equal([kept], report.Uploaded);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_recorder.DataPath, UploadQueue.OutboxFolderName), deleted + "*"));
        Assert.Equal([kept], (await Collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None)).Select(u => u.SessionId));

        _recorder.Record(30, seed: 3);
        Assert.Single((await Queue(donor, away, NoHold with { MaxAttempts = 1 }).RunAsync(() => true, CancellationToken.None)).Queued);
        var withdrawn = await Queue(donor, client).RunAsync(() => false, CancellationToken.None);
        Assert.Empty(withdrawn.Queued);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_recorder.DataPath, UploadQueue.OutboxFolderName)));
    }

    [Fact]
    public async Task Local_consent_that_is_not_current_uploads_nothing()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        _recorder.Record(10);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);
        var report = await Queue(donor, client).RunAsync(() => false, CancellationToken.None);
        Assert.Empty(report.Uploaded);
        Assert.Empty(report.Queued);
    }

    [Fact]
    public async Task A_revoked_device_and_a_reused_enrolment_token_are_refused()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        using var stewardHttp = Collector.Client(steward);
        var token = (await (await stewardHttp.PostAsJsonAsync("v1/enrolment-tokens", new { account = "alice" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var anonymous = new CollectorClient(Collector.Address, null);
        await anonymous.EnrollAsync(token, CancellationToken.None);
        var reused = await Assert.ThrowsAsync<CollectorException>(() => anonymous.EnrollAsync(token, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, reused.Status);

        Assert.Equal(HttpStatusCode.NoContent, (await stewardHttp.PostAsync($"v1/devices/{donor.Credential.DeviceId}/revoke", null)).StatusCode);
        _recorder.Record(10);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);
        var report = await Queue(donor, client).RunAsync(() => true, CancellationToken.None);
        Assert.Empty(report.Uploaded);
        Assert.Contains(report.Problems, p => p.Contains("revoked", StringComparison.Ordinal));
        var policy = await Assert.ThrowsAsync<CollectorException>(() => client.GetPolicyAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, policy.Status);
    }

    [Fact]
    public async Task Policy_is_distributed_to_devices_with_its_version()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        using var stewardHttp = Collector.Client(steward);
        (await stewardHttp.PutAsJsonAsync("v1/policy", new { policy_yaml = TestCollector.MinimalPolicy + "retention:\n  review_hold_hours: 2\n", retention_days = 90 })).EnsureSuccessStatusCode();
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);
        var policy = await client.GetPolicyAsync(CancellationToken.None);
        Assert.Equal(2, policy.Version);
        Assert.Equal(90, policy.RetentionDays);
        Assert.Contains("review_hold_hours: 2", policy.PolicyYaml, StringComparison.Ordinal);

        var invalid = await stewardHttp.PutAsJsonAsync("v1/policy", new { policy_yaml = "version: 1\nappz: []\n", retention_days = 90 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("appz", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_collector_is_unreachable_the_outbox_stays_bounded_and_nothing_is_lost()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        var ids = new[] { _recorder.Record(20, seed: 1), _recorder.Record(20, seed: 2), _recorder.Record(20, seed: 3) };
        var closedPort = new Uri($"http://127.0.0.1:{FreePort()}/");
        using var away = new CollectorClient(closedPort, donor.Credential.Credential, timeout: TimeSpan.FromSeconds(5));
        var waits = new List<TimeSpan>();
        var bounded = NoHold with { MaxQueuedSessions = 2, MaxAttempts = 4 };
        var queue = new UploadQueue(_recorder.Store, _recorder.Key, donor.Credential, away, bounded, delay: (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        });

        var offline = await queue.RunAsync(() => true, CancellationToken.None);

        Assert.Empty(offline.Uploaded);
        Assert.Equal(2, offline.Queued.Count);
        Assert.Single(offline.Held);
        Assert.Equal(3, waits.Count); // 4 attempts, 3 backoffs, then the run ends
        using var back = new CollectorClient(Collector.Address, donor.Credential.Credential);
        var online = await Queue(donor, back, bounded).RunAsync(() => true, CancellationToken.None);
        var last = await Queue(donor, back, bounded).RunAsync(() => true, CancellationToken.None);
        Assert.Equal(ids.Order(StringComparer.Ordinal), online.Uploaded.Concat(last.Uploaded).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await Collector.Service.Metadata.ListUploadsAsync(null, UploadStates.Complete, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task An_erasure_follows_the_session_into_a_built_dataset()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var alice = await Collector.EnrolledDonorAsync("alice", steward);
        var builderToken = await Collector.CreateAccountAsync(Role.Builder, "bob-ml");
        _recorder.Record(200, frames: 1);
        using var client = new CollectorClient(Collector.Address, alice.Credential.Credential);
        Assert.Single((await Queue(alice, client).RunAsync(() => true, CancellationToken.None)).Uploaded);
        using var builder = Collector.Client(builderToken);
        var built = await (await builder.PostAsJsonAsync("v1/datasets", new { purpose = "train a form-filling agent" })).Content.ReadFromJsonAsync<JsonElement>();
        var datasetId = built.GetProperty("dataset_id").GetString();
        var uploadId = Assert.Single(built.GetProperty("sessions").EnumerateArray()).GetString();
        var content = await builder.GetFromJsonAsync<JsonElement>($"v1/datasets/{datasetId}/sessions/{uploadId}");
        Assert.Equal(201, content.GetProperty("events").GetArrayLength());

        using var stewardHttp = Collector.Client(steward);
        var erasure = await stewardHttp.PostAsJsonAsync("v1/requests/erasure", new { account = "alice" });
        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        var report = await erasure.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(uploadId, Assert.Single(report.GetProperty("sessions_erased").EnumerateArray()).GetString());
        var marked = Assert.Single(report.GetProperty("datasets_marked_for_rebuild").EnumerateArray());
        Assert.Equal(datasetId, marked.GetProperty("id").GetString());

        var after = await builder.GetAsync($"v1/datasets/{datasetId}/sessions/{uploadId}");
        Assert.Equal(HttpStatusCode.Conflict, after.StatusCode);
        Assert.Contains("rebuilt", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var upload = await Collector.Service.Metadata.GetUploadAsync(uploadId!, CancellationToken.None);
        Assert.Null(upload!.SealedKey);
        Assert.Equal(UploadStates.Erased, upload.State);
        Assert.Null(await Collector.Service.Blobs.LengthAsync(Understudy.Collector.Blobs.BlobKeys.Bundle(uploadId!), CancellationToken.None));
        var datasets = await builder.GetFromJsonAsync<JsonElement>("v1/datasets");
        Assert.Equal("needs_rebuild", Assert.Single(datasets.EnumerateArray()).GetProperty("state").GetString());

        using var aliceHttp = Collector.Client(alice.Token);
        var trail = await aliceHttp.GetFromJsonAsync<JsonElement>("v1/me/audit");
        var actions = trail.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains(AuditActions.DatasetBuilt, actions);
        Assert.Contains(AuditActions.ContentRead, actions);
        Assert.Contains(AuditActions.Deletion, actions);
        Assert.Contains(AuditActions.DatasetMarkedForRebuild, actions);
        Assert.All(trail.EnumerateArray(), e => Assert.Equal(Collector.Service.Keys.Pseudonym("alice"), e.GetProperty("donor_id").GetString()));
    }

    [Fact]
    public async Task Retention_deletes_sessions_past_the_policy_limit()
    {
        var steward = await Collector.StewardWithPolicyAsync();
        var donor = await Collector.EnrolledDonorAsync("alice", steward);
        _recorder.Record(10);
        using var client = new CollectorClient(Collector.Address, donor.Credential.Credential);
        Assert.Single((await Queue(donor, client).RunAsync(() => true, CancellationToken.None)).Uploaded);
        using var stewardHttp = Collector.Client(steward);

        var kept = await (await stewardHttp.PostAsync("v1/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, kept.GetProperty("sessions_deleted").GetArrayLength());
        (await stewardHttp.PutAsJsonAsync("v1/policy", new { policy_yaml = TestCollector.MinimalPolicy, retention_days = 1 })).EnsureSuccessStatusCode();
        Collector.Clock.Advance(TimeSpan.FromDays(2));
        var swept = await (await stewardHttp.PostAsync("v1/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, swept.GetProperty("sessions_deleted").GetArrayLength());
        Assert.Empty(await Collector.Service.Metadata.ListUploadsAsync(null, UploadStates.Complete, CancellationToken.None));
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class SqliteUploadFlowTests : UploadFlowTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUploadFlowTests : UploadFlowTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

public sealed class S3UploadFlowTests : UploadFlowTests
{
    protected override StoreKind Kind => StoreKind.SqliteS3;
}
