namespace Understudy.Collector.Metadata;

/// <summary>
/// Everything the collector knows besides blobs. One interface, two implementations over the
/// same SQL (<see cref="SqliteMetadataStore"/>, <see cref="PostgresMetadataStore"/>), so the
/// same tests hold both to the same behaviour. Every write is committed durably before it returns.
/// </summary>
public interface IMetadataStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken cancellation);

    Task CreateAccountAsync(AccountRecord account, CancellationToken cancellation);

    Task<AccountRecord?> FindAccountByTokenHashAsync(string tokenHash, CancellationToken cancellation);

    Task<AccountRecord?> FindAccountByPseudonymAsync(string pseudonym, CancellationToken cancellation);

    Task<int> CountAccountsAsync(CancellationToken cancellation);

    Task CreateEnrolmentTokenAsync(string tokenHash, string donorId, string createdBy, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellation);

    /// <summary>Marks the token used and returns its donor, or null if unknown, used or expired. At most one caller ever gets it.</summary>
    Task<string?> ConsumeEnrolmentTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellation);

    Task CreateDeviceAsync(string deviceId, string donorId, string credentialHash, DateTimeOffset now, CancellationToken cancellation);

    Task<DeviceRecord?> FindDeviceByCredentialHashAsync(string credentialHash, CancellationToken cancellation);

    Task<bool> RevokeDeviceAsync(string deviceId, DateTimeOffset now, CancellationToken cancellation);

    Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(CancellationToken cancellation);

    Task SetConsentAsync(ConsentRecord consent, CancellationToken cancellation);

    Task<ConsentRecord?> GetConsentAsync(string donorId, CancellationToken cancellation);

    Task<PolicyRecord> PublishPolicyAsync(string policyYaml, int retentionDays, string publishedBy, DateTimeOffset now, CancellationToken cancellation);

    Task<PolicyRecord?> GetPolicyAsync(CancellationToken cancellation);

    /// <summary>Inserts the upload unless this device already has one for the session; returns the stored one either way.</summary>
    Task<UploadRecord> CreateOrGetUploadAsync(UploadRecord upload, CancellationToken cancellation);

    Task<UploadRecord?> GetUploadAsync(string uploadId, CancellationToken cancellation);

    Task<IReadOnlyList<int>> ListChunksAsync(string uploadId, CancellationToken cancellation);

    /// <summary>The hash of chunk <paramref name="index"/> if it is stored.</summary>
    Task<string?> FindChunkAsync(string uploadId, int index, CancellationToken cancellation);

    Task<ChunkWrite> AddChunkAsync(string uploadId, int index, string sha256, int size, CancellationToken cancellation);

    Task<IReadOnlyList<(int Index, string Sha256)>> ChunkHashesAsync(string uploadId, CancellationToken cancellation);

    Task MarkCompleteAsync(string uploadId, DateTimeOffset now, CancellationToken cancellation);

    Task DeleteChunkRowsAsync(string uploadId, CancellationToken cancellation);

    Task<IReadOnlyList<UploadRecord>> ListUploadsAsync(string? donorId, string? state, CancellationToken cancellation);

    /// <summary>Crypto-shreds: the sealed key is gone and the state is erased, in one commit.</summary>
    Task<bool> EraseUploadAsync(string uploadId, DateTimeOffset now, CancellationToken cancellation);

    Task<AuditEntry> AppendAuditAsync(AuditDraft draft, DateTimeOffset now, Func<string, long, DateTimeOffset, AuditDraft, string> chainHash, CancellationToken cancellation);

    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? donorId, long afterSeq, int limit, CancellationToken cancellation);

    Task CreateDatasetAsync(DatasetRecord dataset, CancellationToken cancellation);

    Task<DatasetRecord?> GetDatasetAsync(string datasetId, CancellationToken cancellation);

    Task<IReadOnlyList<DatasetRecord>> ListDatasetsAsync(string? containingUploadId, CancellationToken cancellation);

    Task<bool> MarkDatasetForRebuildAsync(string datasetId, string reason, CancellationToken cancellation);
}
