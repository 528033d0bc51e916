using Understudy.Collector.Audit;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>The same contract, run against SQLite and against a real PostgreSQL.</summary>
public abstract class MetadataStoreTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _root = new();
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    protected IMetadataStore Store { get; private set; } = null!;

    protected string Root => _root.Path;

    protected abstract Task<IMetadataStore> CreateAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateAsync();
        await Store.InitializeAsync(CancellationToken.None);
        // Initialising twice is harmless (every instance of a cluster does it at start).
        await Store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        _root.Dispose();
    }

    private static UploadRecord Upload(string id, string device = "dev_0000000000000001", string session = "20261123T063000Z-abcdef", string donor = "donor-1") =>
        new(id, device, donor, session, UploadStates.Uploading, 5000, 1024, 5, new string('a', 64), [1, 2, 3], 42, Now, Now, Now, null);

    [Fact]
    public async Task An_enrolment_token_is_consumed_once_and_not_after_expiry()
    {
        await Store.CreateEnrolmentTokenAsync("h1", "donor-1", "steward", Now, Now.AddHours(1), CancellationToken.None);
        await Store.CreateEnrolmentTokenAsync("h2", "donor-2", "steward", Now, Now.AddHours(1), CancellationToken.None);
        var first = Store.ConsumeEnrolmentTokenAsync("h1", Now, CancellationToken.None);
        var second = Store.ConsumeEnrolmentTokenAsync("h1", Now, CancellationToken.None);
        var results = await Task.WhenAll(first, second);
        Assert.Single(results, r => r == "donor-1");
        Assert.Single(results, r => r is null);
        Assert.Null(await Store.ConsumeEnrolmentTokenAsync("h2", Now.AddHours(2), CancellationToken.None));
        Assert.Null(await Store.ConsumeEnrolmentTokenAsync("unknown", Now, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_is_created_once_per_device_and_session()
    {
        var first = await Store.CreateOrGetUploadAsync(Upload("up_0000000000000001"), CancellationToken.None);
        var again = await Store.CreateOrGetUploadAsync(Upload("up_0000000000000002"), CancellationToken.None);
        Assert.Equal("up_0000000000000001", first.Id);
        Assert.Equal("up_0000000000000001", again.Id);
        Assert.Equal(new byte[] { 1, 2, 3 }, again.SealedKey);
        var otherDevice = await Store.CreateOrGetUploadAsync(Upload("up_0000000000000003", device: "dev_0000000000000002"), CancellationToken.None);
        Assert.Equal("up_0000000000000003", otherDevice.Id);
    }

    [Fact]
    public async Task A_chunk_sent_twice_is_stored_once_and_a_different_body_is_a_conflict()
    {
        await Store.CreateOrGetUploadAsync(Upload("up_0000000000000001"), CancellationToken.None);
        Assert.Equal(ChunkWrite.Stored, await Store.AddChunkAsync("up_0000000000000001", 3, new string('b', 64), 1024, CancellationToken.None));
        Assert.Equal(ChunkWrite.AlreadyStored, await Store.AddChunkAsync("up_0000000000000001", 3, new string('b', 64), 1024, CancellationToken.None));
        Assert.Equal(ChunkWrite.Conflict, await Store.AddChunkAsync("up_0000000000000001", 3, new string('c', 64), 1024, CancellationToken.None));
        Assert.Equal(ChunkWrite.Stored, await Store.AddChunkAsync("up_0000000000000001", 0, new string('d', 64), 1024, CancellationToken.None));
        Assert.Equal([0, 3], await Store.ListChunksAsync("up_0000000000000001", CancellationToken.None));
    }

    [Fact]
    public async Task Erasing_an_upload_destroys_its_key_and_marks_it_erased()
    {
        await Store.CreateOrGetUploadAsync(Upload("up_0000000000000001"), CancellationToken.None);
        Assert.True(await Store.EraseUploadAsync("up_0000000000000001", Now, CancellationToken.None));
        Assert.False(await Store.EraseUploadAsync("up_0000000000000001", Now, CancellationToken.None));
        var erased = await Store.GetUploadAsync("up_0000000000000001", CancellationToken.None);
        Assert.Equal(UploadStates.Erased, erased!.State);
        Assert.Null(erased.SealedKey);
    }

    [Fact]
    public async Task Concurrent_audit_appends_form_one_unbroken_chain()
    {
        var chain = new AuditChain(new byte[32]);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Store.AppendAuditAsync(new AuditDraft("steward:acc_1", AuditActions.PolicyChange, i % 2 == 0 ? "donor-1" : null, null, $"change {i}"), Now, chain.Hash, CancellationToken.None)));
        var entries = await Store.ReadAuditAsync(null, 0, 1000, CancellationToken.None);
        Assert.Equal(40, entries.Count);
        Assert.True(chain.Verify(entries).Intact);
        Assert.Equal(20, (await Store.ReadAuditAsync("donor-1", 0, 1000, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Datasets_keep_their_lineage_and_can_be_marked_for_rebuild()
    {
        await Store.CreateDatasetAsync(new DatasetRecord("ds_0000000000000001", "acc_b", "train", DatasetStates.Built, Now, null, ["up_1", "up_2"]), CancellationToken.None);
        await Store.CreateDatasetAsync(new DatasetRecord("ds_0000000000000002", "acc_b", "eval", DatasetStates.Built, Now, null, ["up_2"]), CancellationToken.None);
        Assert.Equal(2, (await Store.ListDatasetsAsync("up_2", CancellationToken.None)).Count);
        var containingFirst = Assert.Single(await Store.ListDatasetsAsync("up_1", CancellationToken.None));
        Assert.Equal(["up_1", "up_2"], containingFirst.UploadIds);
        Assert.True(await Store.MarkDatasetForRebuildAsync("ds_0000000000000001", "erased", CancellationToken.None));
        Assert.Equal(DatasetStates.NeedsRebuild, (await Store.GetDatasetAsync("ds_0000000000000001", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Policies_are_versioned_and_the_latest_is_served()
    {
        Assert.Null(await Store.GetPolicyAsync(CancellationToken.None));
        Assert.Equal(1, (await Store.PublishPolicyAsync("a", 30, "s", Now, CancellationToken.None)).Version);
        Assert.Equal(2, (await Store.PublishPolicyAsync("b", 60, "s", Now, CancellationToken.None)).Version);
        var latest = await Store.GetPolicyAsync(CancellationToken.None);
        Assert.Equal((2, "b", 60), (latest!.Version, latest.PolicyYaml, latest.RetentionDays));
    }

    [Fact]
    public async Task Consent_is_replaced_not_duplicated()
    {
        await Store.SetConsentAsync(new ConsentRecord("d", true, 1, Now), CancellationToken.None);
        await Store.SetConsentAsync(new ConsentRecord("d", false, 1, Now.AddMinutes(1)), CancellationToken.None);
        var consent = await Store.GetConsentAsync("d", CancellationToken.None);
        Assert.False(consent!.Granted);
        Assert.Equal(Now.AddMinutes(1), consent.UpdatedAt);
    }
}

public sealed class SqliteMetadataStoreTests : MetadataStoreTests
{
    protected override Task<IMetadataStore> CreateAsync() => Task.FromResult<IMetadataStore>(new SqliteMetadataStore(Path.Combine(Root, "collector.db")));
}

public sealed class PostgresMetadataStoreTests : MetadataStoreTests
{
    protected override async Task<IMetadataStore> CreateAsync() => new PostgresMetadataStore(await PostgresServer.CreateDatabaseAsync());
}
