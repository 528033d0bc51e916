using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Understudy.Collector.Audit;
using Understudy.Collector.Blobs;
using Understudy.Collector.Ingest;
using Understudy.Collector.Metadata;
using Understudy.Collector.Security;
using Understudy.Core.Model;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Collector;

/// <summary>
/// What the collector does, independent of HTTP: enrolment, ingest, consent, policy, audit,
/// datasets, retention, access and erasure. The HTTP layer (<see cref="Http.CollectorEndpoints"/>)
/// and the admin commands call it after deciding who the caller is.
/// </summary>
public sealed partial class CollectorService
{
    private const int MaxSessionEvents = 1_000_000_000;

    public CollectorService(CollectorOptions options, IMetadataStore metadata, IBlobStore blobs, CollectorKeys keys, TimeProvider? time = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Keys = keys ?? throw new ArgumentNullException(nameof(keys));
        Time = time ?? TimeProvider.System;
        Chain = new AuditChain(keys.AuditKey);
        _auditHead = new AuditHead(options.DataDirectory);
    }

    private readonly AuditHead _auditHead;

    public CollectorOptions Options { get; }

    public IMetadataStore Metadata { get; }

    public IBlobStore Blobs { get; }

    public CollectorKeys Keys { get; }

    public TimeProvider Time { get; }

    public AuditChain Chain { get; }

    private DateTimeOffset Now => Time.GetUtcNow();

    public async Task<AuditEntry> AuditAsync(Caller actor, string action, string? donorId, string? sessionId, string detail, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var entry = await Metadata.AppendAuditAsync(new AuditDraft(actor.AuditName, action, donorId, sessionId, detail), Now, Chain.Hash, cancellation).ConfigureAwait(false);
        _auditHead.Record(entry);
        return entry;
    }

    /// <summary>Verifies the whole chain, and that it still ends at or beyond the last entry this collector wrote.</summary>
    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellation)
    {
        var entries = await ReadAllAuditAsync(null, cancellation).ConfigureAwait(false);
        return _auditHead.Check(Chain.Verify(entries), entries);
    }

    // ---- accounts ------------------------------------------------------------------------

    /// <summary>Creates an individual account and returns its bearer token, shown this once and stored only hashed.</summary>
    public async Task<(AccountRecord Account, string Token)> CreateAccountAsync(Caller actor, Role role, string name, CancellationToken cancellation)
    {
        Validate.AccountName(name);
        var pseudonym = Keys.Pseudonym(name);
        if (await Metadata.FindAccountByPseudonymAsync(pseudonym, cancellation).ConfigureAwait(false) is not null)
        {
            throw CollectorError.Conflict("account_exists", $"an account named '{name}' already exists");
        }
        var token = Secrets.New(Secrets.AccountPrefix);
        var account = new AccountRecord(Secrets.NewId("acc_"), role, pseudonym, Secrets.Hash(token), Now);
        await Metadata.CreateAccountAsync(account, cancellation).ConfigureAwait(false);
        await AuditAsync(actor, AuditActions.AccountCreated, role == Role.Donor ? pseudonym : null, null, $"{Roles.Name(role)} account {account.Id}", cancellation).ConfigureAwait(false);
        return (account, token);
    }

    public async Task<Caller?> AuthenticateAsync(string? bearer, CancellationToken cancellation)
    {
        if (Secrets.LooksLike(bearer, Secrets.AccountPrefix))
        {
            var account = await Metadata.FindAccountByTokenHashAsync(Secrets.Hash(bearer!), cancellation).ConfigureAwait(false);
            return account is null ? null : new Caller(CallerKind.Account, account.Id, account.Role, account.Role == Role.Donor ? account.Pseudonym : null);
        }
        if (Secrets.LooksLike(bearer, Secrets.DevicePrefix))
        {
            var device = await Metadata.FindDeviceByCredentialHashAsync(Secrets.Hash(bearer!), cancellation).ConfigureAwait(false);
            if (device is null)
            {
                return null;
            }
            if (device.RevokedAt is not null)
            {
                throw CollectorError.Unauthorized($"device {device.Id} was revoked; enrol again with a new token");
            }
            return new Caller(CallerKind.Device, device.Id, null, device.DonorId);
        }
        return null;
    }

    // ---- enrolment -----------------------------------------------------------------------

    public async Task<string> CreateEnrolmentTokenAsync(Caller steward, string donorAccountName, CancellationToken cancellation)
    {
        Validate.AccountName(donorAccountName);
        var donor = await Metadata.FindAccountByPseudonymAsync(Keys.Pseudonym(donorAccountName), cancellation).ConfigureAwait(false);
        if (donor is not { Role: Role.Donor })
        {
            throw CollectorError.Invalid("unknown_donor", $"there is no donor account named '{donorAccountName}'; create it first");
        }
        var token = Secrets.New(Secrets.EnrolmentPrefix);
        await Metadata.CreateEnrolmentTokenAsync(Secrets.Hash(token), donor.Pseudonym, steward.AuditName, Now, Now + Options.EnrolmentTokenLifetime, cancellation).ConfigureAwait(false);
        return token;
    }

    public async Task<EnrollResponse> EnrollAsync(EnrollRequest request, CancellationToken cancellation)
    {
        if (!Secrets.LooksLike(request.Token, Secrets.EnrolmentPrefix))
        {
            throw CollectorError.BadRequest("invalid_token", "token: not an enrolment token");
        }
        var donor = await Metadata.ConsumeEnrolmentTokenAsync(Secrets.Hash(request.Token), Now, cancellation).ConfigureAwait(false)
            ?? throw CollectorError.Unauthorized("enrolment token is unknown, already used or expired");
        var credential = Secrets.New(Secrets.DevicePrefix);
        var deviceId = Secrets.NewId("dev_");
        await Metadata.CreateDeviceAsync(deviceId, donor, Secrets.Hash(credential), Now, cancellation).ConfigureAwait(false);
        var device = new Caller(CallerKind.Device, deviceId, null, donor);
        await AuditAsync(device, AuditActions.DeviceEnrolled, donor, null, $"device {deviceId} enrolled", cancellation).ConfigureAwait(false);
        var policy = await Metadata.GetPolicyAsync(cancellation).ConfigureAwait(false);
        return new EnrollResponse(deviceId, credential, Convert.ToBase64String(Keys.PublicKeyInfo), Keys.KeyId, policy?.Version ?? 0);
    }

    public async Task RevokeDeviceAsync(Caller steward, string deviceId, CancellationToken cancellation)
    {
        Validate.Id(deviceId, "dev_", "device_id");
        if (!await Metadata.RevokeDeviceAsync(deviceId, Now, cancellation).ConfigureAwait(false))
        {
            throw CollectorError.NotFound($"device {deviceId} does not exist or is already revoked");
        }
        await AuditAsync(steward, AuditActions.DeviceRevoked, null, null, $"device {deviceId} revoked", cancellation).ConfigureAwait(false);
    }

    // ---- consent and policy --------------------------------------------------------------

    public async Task<ConsentRecord> SetConsentAsync(Caller donor, bool granted, int noticeVersion, CancellationToken cancellation)
    {
        var record = new ConsentRecord(donor.DonorId!, granted, noticeVersion, Now);
        await Metadata.SetConsentAsync(record, cancellation).ConfigureAwait(false);
        await AuditAsync(donor, AuditActions.ConsentChange, donor.DonorId, null, granted ? $"consent given for notice {noticeVersion}" : "consent withdrawn", cancellation).ConfigureAwait(false);
        return record;
    }

    /// <summary>Consent is current when given, not withdrawn since, and for the notice this collector shows.</summary>
    public async Task<bool> ConsentIsCurrentAsync(string donorId, CancellationToken cancellation)
    {
        var consent = await Metadata.GetConsentAsync(donorId, cancellation).ConfigureAwait(false);
        return consent is { Granted: true } && consent.NoticeVersion == Understudy.Policy.Consent.ConsentNotice.Version;
    }

    public async Task<PolicyRecord> PublishPolicyAsync(Caller steward, string policyYaml, int retentionDays, CancellationToken cancellation)
    {
        Validate.Policy(policyYaml, retentionDays);
        var record = await Metadata.PublishPolicyAsync(policyYaml, retentionDays, steward.AuditName, Now, cancellation).ConfigureAwait(false);
        await AuditAsync(steward, AuditActions.PolicyChange, null, null,
            $"policy version {record.Version} published (sha256 {Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(policyYaml)))[..16]}, retention {retentionDays} days)", cancellation).ConfigureAwait(false);
        return record;
    }

    // ---- ingest --------------------------------------------------------------------------

    public async Task<UploadStatus> CreateUploadAsync(Caller device, CreateUploadRequest request, CancellationToken cancellation)
    {
        Validate.Upload(request, Options);
        if (request.EndedAt > Now + TimeSpan.FromDays(1))
        {
            throw CollectorError.BadRequest("invalid_field", "ended_at: in the future (check the recorder's clock)");
        }
        if (!string.Equals(request.CollectorKeyId, Keys.KeyId, StringComparison.Ordinal))
        {
            throw CollectorError.Conflict("collector_key_changed", $"collector_key_id: sealed to key {request.CollectorKeyId}, this collector's key is {Keys.KeyId}; enrol again");
        }
        var sealedKey = Convert.FromBase64String(request.SealedKey);
        var probe = new byte[SealedKeyEnvelope.DataKeySize];
        try
        {
            if (!SealedKeyEnvelope.TryOpen(sealedKey, request.SessionId, Keys.SealingKey, probe))
            {
                throw CollectorError.Invalid("sealed_key_invalid", "sealed_key: does not open with this collector's key for this session id");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(probe);
        }
        await RequireConsentAsync(device, cancellation).ConfigureAwait(false);
        var candidate = new UploadRecord(Secrets.NewId("up_"), device.Id, device.DonorId!, request.SessionId, UploadStates.Uploading, request.TotalBytes,
            request.ChunkSize, SessionSealer.ChunkCount(request.TotalBytes, request.ChunkSize), request.Sha256, sealedKey, request.EventCount,
            request.CreatedAt, request.EndedAt, Now, null);
        var stored = await Metadata.CreateOrGetUploadAsync(candidate, cancellation).ConfigureAwait(false);
        if (stored.State == UploadStates.Erased)
        {
            throw CollectorError.Conflict("upload_erased", $"session {request.SessionId} was erased on the collector; it is not accepted again");
        }
        if (stored.Sha256 != request.Sha256 || stored.TotalBytes != request.TotalBytes || stored.ChunkSize != request.ChunkSize || stored.EventCount != request.EventCount)
        {
            throw CollectorError.Conflict("session_conflict", $"session {request.SessionId} is already being uploaded by this device with other contents (upload {stored.Id})");
        }
        return await StatusAsync(stored, cancellation).ConfigureAwait(false);
    }

    public async Task<UploadStatus> GetUploadStatusAsync(Caller device, string uploadId, CancellationToken cancellation) =>
        await StatusAsync(await OwnUploadAsync(device, uploadId, cancellation).ConfigureAwait(false), cancellation).ConfigureAwait(false);

    private async Task<UploadStatus> StatusAsync(UploadRecord upload, CancellationToken cancellation)
    {
        IReadOnlyList<int> received = upload.State == UploadStates.Complete
            ? [.. Enumerable.Range(0, upload.ChunkCount)]
            : await Metadata.ListChunksAsync(upload.Id, cancellation).ConfigureAwait(false);
        return new UploadStatus(upload.Id, upload.SessionId, upload.State, upload.ChunkCount, upload.ChunkSize, upload.TotalBytes, received, upload.EventCount);
    }

    private async Task<UploadRecord> OwnUploadAsync(Caller device, string uploadId, CancellationToken cancellation)
    {
        Validate.Id(uploadId, "up_", "upload_id");
        var upload = await Metadata.GetUploadAsync(uploadId, cancellation).ConfigureAwait(false);
        // Another device's upload is reported exactly like a missing one.
        if (upload is null || upload.DeviceId != device.Id)
        {
            throw CollectorError.NotFound($"upload {uploadId} does not exist");
        }
        return upload;
    }

    private async Task RequireConsentAsync(Caller device, CancellationToken cancellation)
    {
        if (!await ConsentIsCurrentAsync(device.DonorId!, cancellation).ConfigureAwait(false))
        {
            throw CollectorError.Forbidden("consent_not_current", "the donor of this device has not given current consent (or withdrew it); nothing is accepted");
        }
    }

    /// <summary>Expected length of chunk <paramref name="index"/>: the chunk size, except the last one.</summary>
    public static int ChunkLength(UploadRecord upload, int index) =>
        index < upload.ChunkCount - 1 ? upload.ChunkSize : (int)(upload.TotalBytes - ((long)upload.ChunkSize * (upload.ChunkCount - 1)));

    public async Task<UploadRecord> OpenChunkAsync(Caller device, string uploadId, int index, string? sha256, CancellationToken cancellation)
    {
        var upload = await OwnUploadAsync(device, uploadId, cancellation).ConfigureAwait(false);
        if (upload.State == UploadStates.Complete)
        {
            throw CollectorError.Conflict("upload_complete", $"upload {uploadId} is already complete and verified");
        }
        if (upload.State == UploadStates.Erased)
        {
            throw CollectorError.Conflict("upload_erased", $"upload {uploadId} was erased");
        }
        if (index < 0 || index >= upload.ChunkCount)
        {
            throw CollectorError.Invalid("chunk_index_out_of_range", $"chunk index {index}: upload {uploadId} has chunks 0..{upload.ChunkCount - 1}");
        }
        if (!Validate.IsSha256(sha256))
        {
            throw CollectorError.BadRequest("chunk_hash_missing", $"header {ProtocolJson.ChunkHashHeader}: expected 64 lowercase hex digits");
        }
        await RequireConsentAsync(device, cancellation).ConfigureAwait(false);
        return upload;
    }

    /// <summary>Stores one chunk whose length and hash the caller has checked. Durable (blob fsynced, row committed) before it returns.</summary>
    public async Task<ChunkResponse> StoreChunkAsync(UploadRecord upload, int index, string sha256, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        var existing = await Metadata.FindChunkAsync(upload.Id, index, cancellation).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing == sha256
                ? new ChunkResponse(upload.Id, index, Stored: false)
                : throw CollectorError.Conflict("chunk_conflict", $"chunk {index} of upload {upload.Id} is already stored with other contents");
        }
        // The hash is part of the key: two different bodies racing for one index cannot overwrite
        // each other's bytes, and the row that wins names the bytes that belong to it.
        await Blobs.PutAsync(ChunkKey(upload.Id, index, sha256), content, cancellation).ConfigureAwait(false);
        return await Metadata.AddChunkAsync(upload.Id, index, sha256, content.Length, cancellation).ConfigureAwait(false) switch
        {
            ChunkWrite.Stored => new ChunkResponse(upload.Id, index, Stored: true),
            ChunkWrite.AlreadyStored => new ChunkResponse(upload.Id, index, Stored: false),
            _ => throw CollectorError.Conflict("chunk_conflict", $"chunk {index} of upload {upload.Id} is already stored with other contents"),
        };
    }

    internal static string ChunkKey(string uploadId, int index, string sha256) => $"{BlobKeys.Chunk(uploadId, index)}-{sha256[..16]}";

    /// <summary>
    /// Assembles the chunks, checks the whole bundle's hash, opens it with the session key and
    /// verifies every frame and blob; only then stores it as the session and marks it complete.
    /// A session that fails is never marked complete. Repeating the call is harmless.
    /// </summary>
    public async Task<UploadStatus> CompleteAsync(Caller device, string uploadId, CancellationToken cancellation)
    {
        var upload = await OwnUploadAsync(device, uploadId, cancellation).ConfigureAwait(false);
        if (upload.State == UploadStates.Complete)
        {
            return await StatusAsync(upload, cancellation).ConfigureAwait(false);
        }
        if (upload.State == UploadStates.Erased)
        {
            throw CollectorError.Conflict("upload_erased", $"upload {uploadId} was erased");
        }
        await RequireConsentAsync(device, cancellation).ConfigureAwait(false);
        var chunks = await Metadata.ChunkHashesAsync(upload.Id, cancellation).ConfigureAwait(false);
        if (chunks.Count < upload.ChunkCount)
        {
            var have = chunks.Select(c => c.Index).ToHashSet();
            var missing = Enumerable.Range(0, upload.ChunkCount).Where(i => !have.Contains(i)).Take(10);
            throw CollectorError.Conflict("chunks_missing", $"upload {uploadId} lacks chunks {string.Join(", ", missing)}{(upload.ChunkCount - chunks.Count > 10 ? ", …" : "")}");
        }
        FilePermissions.CreatePrivateDirectory(Options.TemporaryDirectory);
        var assembled = Path.Combine(Options.TemporaryDirectory, "bundle-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using (var output = new FileStream(assembled, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FilePermissions.PrivateFile, BufferSize = 1 << 16 }))
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
                    try
                    {
                        foreach (var (index, sha) in chunks)
                        {
                            await using var chunk = await Blobs.OpenReadAsync(ChunkKey(upload.Id, index, sha), cancellation).ConfigureAwait(false)
                                ?? throw new BlobStoreException($"chunk {index} of upload {upload.Id} is recorded but its bytes are missing");
                            int read;
                            while ((read = await chunk.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                            {
                                hash.AppendData(buffer, 0, read);
                                await output.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != upload.Sha256)
                {
                    await DiscardChunksAsync(upload.Id, cancellation).ConfigureAwait(false);
                    throw CollectorError.Invalid("session_hash_mismatch", $"upload {uploadId}: the chunks put together have sha256 {actual[..16]}…, the upload declared {upload.Sha256[..16]}…; its chunks were discarded, start it again");
                }
            }
            var problem = WithDataKey(upload, key => SessionVerifier.Verify(assembled, upload.SessionId, key, upload.EventCount, Options.TemporaryDirectory));
            if (problem is not null)
            {
                await DiscardChunksAsync(upload.Id, cancellation).ConfigureAwait(false);
                throw CollectorError.Invalid("session_invalid", $"upload {uploadId} does not verify: {problem}; its chunks were discarded");
            }
            await using (var bundle = new FileStream(assembled, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                await Blobs.PutStreamAsync(BlobKeys.Bundle(upload.Id), bundle, cancellation).ConfigureAwait(false);
            }
            // Order matters for kill -9: the bundle is durable before the row says complete, and
            // the chunks go only after. A crash in between leaves either a resumable upload or a
            // complete one with leftover chunks that RecoverAsync removes.
            await Metadata.MarkCompleteAsync(upload.Id, Now, cancellation).ConfigureAwait(false);
            await DiscardChunksAsync(upload.Id, cancellation).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(assembled);
        }
        return await StatusAsync((await Metadata.GetUploadAsync(upload.Id, cancellation).ConfigureAwait(false))!, cancellation).ConfigureAwait(false);
    }

    private async Task DiscardChunksAsync(string uploadId, CancellationToken cancellation)
    {
        await Metadata.DeleteChunkRowsAsync(uploadId, cancellation).ConfigureAwait(false);
        await Blobs.DeletePrefixAsync(BlobKeys.ChunkFolder(uploadId), cancellation).ConfigureAwait(false);
    }

    /// <summary>After a restart: chunks of sessions that completed just before a crash are removed, temporary files too.</summary>
    public async Task RecoverAsync(CancellationToken cancellation)
    {
        foreach (var upload in await Metadata.ListUploadsAsync(null, UploadStates.Complete, cancellation).ConfigureAwait(false))
        {
            await DiscardChunksAsync(upload.Id, cancellation).ConfigureAwait(false);
        }
        if (Directory.Exists(Options.TemporaryDirectory))
        {
            foreach (var leftover in Directory.EnumerateFiles(Options.TemporaryDirectory))
            {
                File.Delete(leftover);
            }
        }
    }

    private T WithDataKey<T>(UploadRecord upload, Func<byte[], T> use)
    {
        if (upload.SealedKey is null)
        {
            throw CollectorError.Conflict("upload_erased", $"upload {upload.Id} was erased; its key is gone");
        }
        var key = new byte[SealedKeyEnvelope.DataKeySize];
        try
        {
            if (!SealedKeyEnvelope.TryOpen(upload.SealedKey, upload.SessionId, Keys.SealingKey, key))
            {
                throw new CryptographicException($"upload {upload.Id}: its sealed key does not open with this collector's key");
            }
            return use(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The decrypted events of a complete session. Callers audit the read first.</summary>
    internal async Task<IReadOnlyList<SessionEvent>> ReadSessionEventsAsync(UploadRecord upload, CancellationToken cancellation)
    {
        var length = await Blobs.LengthAsync(BlobKeys.Bundle(upload.Id), cancellation).ConfigureAwait(false);
        await using var bundle = await Blobs.OpenReadAsync(BlobKeys.Bundle(upload.Id), cancellation).ConfigureAwait(false);
        if (bundle is null || length is null)
        {
            throw new BlobStoreException($"session {upload.Id} is complete but its bundle is missing from the blob store");
        }
        return WithDataKey(upload, key => SessionVerifier.ReadEvents(bundle, length.Value, upload.SessionId, key, Options.TemporaryDirectory));
    }

    internal static void WriteEventsJson(Utf8JsonWriter writer, IEnumerable<SessionEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        writer.WriteStartArray();
        foreach (var sessionEvent in events)
        {
            buffer.ResetWrittenCount();
            EventJson.Write(sessionEvent, buffer);
            writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        }
        writer.WriteEndArray();
    }
}
