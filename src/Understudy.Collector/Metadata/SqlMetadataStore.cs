using System.Data;
using System.Data.Common;

namespace Understudy.Collector.Metadata;

/// <summary>
/// The metadata store over ADO.NET, in SQL that SQLite and PostgreSQL both run (ON CONFLICT,
/// RETURNING, BIGINT milliseconds for times). The subclasses differ only in how they connect,
/// the binary column type, and how the audit chain is serialised across connections.
/// </summary>
public abstract class SqlMetadataStore : IMetadataStore
{
    protected abstract string BinaryType { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellation);

    /// <summary>Starts the transaction that appends to the audit chain so that no other writer can append between its read of the head and its insert.</summary>
    protected abstract Task<DbTransaction> BeginAuditTransactionAsync(DbConnection connection, CancellationToken cancellation);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private string[] Schema =>
    [
        "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, role TEXT NOT NULL, pseudonym TEXT NOT NULL UNIQUE, token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS enrolment_tokens (token_hash TEXT PRIMARY KEY, donor_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)",
        "CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, donor_id TEXT NOT NULL, credential_hash TEXT NOT NULL UNIQUE, enrolled_at BIGINT NOT NULL, revoked_at BIGINT)",
        "CREATE TABLE IF NOT EXISTS consents (donor_id TEXT PRIMARY KEY, granted INTEGER NOT NULL, notice_version INTEGER NOT NULL, updated_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS policies (version INTEGER PRIMARY KEY, policy_yaml TEXT NOT NULL, retention_days INTEGER NOT NULL, published_at BIGINT NOT NULL, published_by TEXT NOT NULL)",
        $"CREATE TABLE IF NOT EXISTS uploads (id TEXT PRIMARY KEY, device_id TEXT NOT NULL, donor_id TEXT NOT NULL, session_id TEXT NOT NULL, state TEXT NOT NULL, total_bytes BIGINT NOT NULL, chunk_size INTEGER NOT NULL, chunk_count INTEGER NOT NULL, sha256 TEXT NOT NULL, sealed_key {BinaryType}, event_count BIGINT NOT NULL, recorded_at BIGINT NOT NULL, ended_at BIGINT NOT NULL, created_at BIGINT NOT NULL, completed_at BIGINT, UNIQUE (device_id, session_id))",
        "CREATE INDEX IF NOT EXISTS uploads_donor ON uploads (donor_id)",
        "CREATE TABLE IF NOT EXISTS chunks (upload_id TEXT NOT NULL, idx INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (upload_id, idx))",
        "CREATE TABLE IF NOT EXISTS audit (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, donor_id TEXT, session_id TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_donor ON audit (donor_id)",
        "CREATE TABLE IF NOT EXISTS datasets (id TEXT PRIMARY KEY, builder_id TEXT NOT NULL, purpose TEXT NOT NULL, state TEXT NOT NULL, created_at BIGINT NOT NULL, rebuild_reason TEXT)",
        "CREATE TABLE IF NOT EXISTS dataset_sessions (dataset_id TEXT NOT NULL, upload_id TEXT NOT NULL, PRIMARY KEY (dataset_id, upload_id))",
        "CREATE INDEX IF NOT EXISTS dataset_sessions_upload ON dataset_sessions (upload_id)",
    ];

    public virtual async Task InitializeAsync(CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        foreach (var statement in Schema)
        {
            await ExecuteAsync(connection, null, statement, [], cancellation).ConfigureAwait(false);
        }
    }

    public async Task CreateAccountAsync(AccountRecord account, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(account);
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO accounts (id, role, pseudonym, token_hash, created_at) VALUES (@id, @role, @pseudonym, @token_hash, @created_at)",
            [("id", account.Id), ("role", Roles.Name(account.Role)), ("pseudonym", account.Pseudonym), ("token_hash", account.TokenHash), ("created_at", Millis(account.CreatedAt))],
            cancellation).ConfigureAwait(false);
    }

    public Task<AccountRecord?> FindAccountByTokenHashAsync(string tokenHash, CancellationToken cancellation) =>
        QuerySingleAsync("SELECT id, role, pseudonym, token_hash, created_at FROM accounts WHERE token_hash = @h", [("h", tokenHash)], ReadAccount, cancellation);

    public Task<AccountRecord?> FindAccountByPseudonymAsync(string pseudonym, CancellationToken cancellation) =>
        QuerySingleAsync("SELECT id, role, pseudonym, token_hash, created_at FROM accounts WHERE pseudonym = @p", [("p", pseudonym)], ReadAccount, cancellation);

    public async Task<int> CountAccountsAsync(CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var count = await ScalarAsync(connection, null, "SELECT COUNT(*) FROM accounts", [], cancellation).ConfigureAwait(false);
        return Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task CreateEnrolmentTokenAsync(string tokenHash, string donorId, string createdBy, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO enrolment_tokens (token_hash, donor_id, created_by, created_at, expires_at, used_at) VALUES (@h, @d, @by, @at, @exp, NULL)",
            [("h", tokenHash), ("d", donorId), ("by", createdBy), ("at", Millis(createdAt)), ("exp", Millis(expiresAt))], cancellation).ConfigureAwait(false);
    }

    public async Task<string?> ConsumeEnrolmentTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        // One statement: two devices presenting the same token at once cannot both get it.
        var donor = await ScalarAsync(connection, null,
            "UPDATE enrolment_tokens SET used_at = @now WHERE token_hash = @h AND used_at IS NULL AND expires_at > @now RETURNING donor_id",
            [("h", tokenHash), ("now", Millis(now))], cancellation).ConfigureAwait(false);
        return donor as string;
    }

    public async Task CreateDeviceAsync(string deviceId, string donorId, string credentialHash, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO devices (id, donor_id, credential_hash, enrolled_at, revoked_at) VALUES (@id, @d, @h, @at, NULL)",
            [("id", deviceId), ("d", donorId), ("h", credentialHash), ("at", Millis(now))], cancellation).ConfigureAwait(false);
    }

    public Task<DeviceRecord?> FindDeviceByCredentialHashAsync(string credentialHash, CancellationToken cancellation) =>
        QuerySingleAsync("SELECT id, donor_id, enrolled_at, revoked_at FROM devices WHERE credential_hash = @h", [("h", credentialHash)], ReadDevice, cancellation);

    public async Task<bool> RevokeDeviceAsync(string deviceId, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var rows = await ExecuteAsync(connection, null, "UPDATE devices SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            [("id", deviceId), ("now", Millis(now))], cancellation).ConfigureAwait(false);
        return rows > 0;
    }

    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(CancellationToken cancellation) =>
        QueryAsync("SELECT id, donor_id, enrolled_at, revoked_at FROM devices ORDER BY enrolled_at, id", [], ReadDevice, cancellation);

    public async Task SetConsentAsync(ConsentRecord consent, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(consent);
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO consents (donor_id, granted, notice_version, updated_at) VALUES (@d, @g, @v, @at) " +
            "ON CONFLICT (donor_id) DO UPDATE SET granted = excluded.granted, notice_version = excluded.notice_version, updated_at = excluded.updated_at",
            [("d", consent.DonorId), ("g", consent.Granted ? 1 : 0), ("v", consent.NoticeVersion), ("at", Millis(consent.UpdatedAt))], cancellation).ConfigureAwait(false);
    }

    public Task<ConsentRecord?> GetConsentAsync(string donorId, CancellationToken cancellation) =>
        QuerySingleAsync("SELECT donor_id, granted, notice_version, updated_at FROM consents WHERE donor_id = @d", [("d", donorId)],
            r => new ConsentRecord(r.GetString(0), Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) != 0, Convert.ToInt32(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), Time(r, 3)), cancellation);

    public async Task<PolicyRecord> PublishPolicyAsync(string policyYaml, int retentionDays, string publishedBy, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var transaction = await BeginAuditTransactionAsync(connection, cancellation).ConfigureAwait(false);
        var current = await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM policies", [], cancellation).ConfigureAwait(false);
        var version = Convert.ToInt32(current, System.Globalization.CultureInfo.InvariantCulture) + 1;
        await ExecuteAsync(connection, transaction,
            "INSERT INTO policies (version, policy_yaml, retention_days, published_at, published_by) VALUES (@v, @y, @r, @at, @by)",
            [("v", version), ("y", policyYaml), ("r", retentionDays), ("at", Millis(now)), ("by", publishedBy)], cancellation).ConfigureAwait(false);
        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        return new PolicyRecord(version, policyYaml, retentionDays, FromMillis(Millis(now)), publishedBy);
    }

    public Task<PolicyRecord?> GetPolicyAsync(CancellationToken cancellation) =>
        QuerySingleAsync("SELECT version, policy_yaml, retention_days, published_at, published_by FROM policies ORDER BY version DESC LIMIT 1", [],
            r => new PolicyRecord(Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetString(1), Convert.ToInt32(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), Time(r, 3), r.GetString(4)), cancellation);

    private const string UploadColumns = "id, device_id, donor_id, session_id, state, total_bytes, chunk_size, chunk_count, sha256, sealed_key, event_count, recorded_at, ended_at, created_at, completed_at";

    public async Task<UploadRecord> CreateOrGetUploadAsync(UploadRecord upload, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await using (var connection = await OpenAsync(cancellation).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, null,
                $"INSERT INTO uploads ({UploadColumns}) VALUES (@id, @device, @donor, @session, @state, @total, @chunk_size, @chunk_count, @sha, @key, @events, @recorded, @ended, @created, NULL) " +
                "ON CONFLICT (device_id, session_id) DO NOTHING",
                [
                    ("id", upload.Id), ("device", upload.DeviceId), ("donor", upload.DonorId), ("session", upload.SessionId), ("state", upload.State),
                    ("total", upload.TotalBytes), ("chunk_size", upload.ChunkSize), ("chunk_count", upload.ChunkCount), ("sha", upload.Sha256),
                    ("key", upload.SealedKey), ("events", upload.EventCount), ("recorded", Millis(upload.RecordedAt)), ("ended", Millis(upload.EndedAt)),
                    ("created", Millis(upload.CreatedAt)),
                ], cancellation).ConfigureAwait(false);
        }
        return await QuerySingleAsync($"SELECT {UploadColumns} FROM uploads WHERE device_id = @device AND session_id = @session",
            [("device", upload.DeviceId), ("session", upload.SessionId)], ReadUpload, cancellation).ConfigureAwait(false)
            ?? throw new InvalidOperationException("an upload just inserted is not there");
    }

    public Task<UploadRecord?> GetUploadAsync(string uploadId, CancellationToken cancellation) =>
        QuerySingleAsync($"SELECT {UploadColumns} FROM uploads WHERE id = @id", [("id", uploadId)], ReadUpload, cancellation);

    public Task<IReadOnlyList<int>> ListChunksAsync(string uploadId, CancellationToken cancellation) =>
        QueryAsync("SELECT idx FROM chunks WHERE upload_id = @id ORDER BY idx", [("id", uploadId)],
            r => Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), cancellation);

    public Task<IReadOnlyList<(int Index, string Sha256)>> ChunkHashesAsync(string uploadId, CancellationToken cancellation) =>
        QueryAsync("SELECT idx, sha256 FROM chunks WHERE upload_id = @id ORDER BY idx", [("id", uploadId)],
            r => (Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetString(1)), cancellation);

    public async Task<string?> FindChunkAsync(string uploadId, int index, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT sha256 FROM chunks WHERE upload_id = @id AND idx = @idx",
            [("id", uploadId), ("idx", index)], cancellation).ConfigureAwait(false) as string;
    }

    public async Task<ChunkWrite> AddChunkAsync(string uploadId, int index, string sha256, int size, CancellationToken cancellation)
    {
        await using (var connection = await OpenAsync(cancellation).ConfigureAwait(false))
        {
            var rows = await ExecuteAsync(connection, null,
                "INSERT INTO chunks (upload_id, idx, sha256, size) VALUES (@id, @idx, @sha, @size) ON CONFLICT (upload_id, idx) DO NOTHING",
                [("id", uploadId), ("idx", index), ("sha", sha256), ("size", size)], cancellation).ConfigureAwait(false);
            if (rows > 0)
            {
                return ChunkWrite.Stored;
            }
        }
        var existing = await FindChunkAsync(uploadId, index, cancellation).ConfigureAwait(false);
        return string.Equals(existing, sha256, StringComparison.Ordinal) ? ChunkWrite.AlreadyStored : ChunkWrite.Conflict;
    }

    public async Task MarkCompleteAsync(string uploadId, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "UPDATE uploads SET state = @complete, completed_at = @now WHERE id = @id AND state = @uploading",
            [("id", uploadId), ("now", Millis(now)), ("complete", Understudy.Upload.UploadStates.Complete), ("uploading", Understudy.Upload.UploadStates.Uploading)], cancellation).ConfigureAwait(false);
    }

    public async Task DeleteChunkRowsAsync(string uploadId, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "DELETE FROM chunks WHERE upload_id = @id", [("id", uploadId)], cancellation).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<UploadRecord>> ListUploadsAsync(string? donorId, string? state, CancellationToken cancellation) =>
        QueryAsync($"SELECT {UploadColumns} FROM uploads WHERE (@donor IS NULL OR donor_id = @donor) AND (@state IS NULL OR state = @state) ORDER BY created_at, id",
            [("donor", donorId), ("state", state)], ReadUpload, cancellation);

    public async Task<bool> EraseUploadAsync(string uploadId, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var rows = await ExecuteAsync(connection, null,
            "UPDATE uploads SET sealed_key = NULL, state = @erased, completed_at = COALESCE(completed_at, @now) WHERE id = @id AND state <> @erased",
            [("id", uploadId), ("now", Millis(now)), ("erased", Understudy.Upload.UploadStates.Erased)], cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "DELETE FROM chunks WHERE upload_id = @id", [("id", uploadId)], cancellation).ConfigureAwait(false);
        return rows > 0;
    }

    public async Task<AuditEntry> AppendAuditAsync(AuditDraft draft, DateTimeOffset now, Func<string, long, DateTimeOffset, AuditDraft, string> chainHash, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(chainHash);
        var at = FromMillis(Millis(now));
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var transaction = await BeginAuditTransactionAsync(connection, cancellation).ConfigureAwait(false);
        var head = await QuerySingleAsync(connection, transaction, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [],
            r => (Seq: Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Hash: r.GetString(1)), cancellation).ConfigureAwait(false);
        var seq = head.Seq + 1;
        var prevHash = head.Hash ?? Audit.AuditChain.GenesisHash;
        var hash = chainHash(prevHash, seq, at, draft);
        await ExecuteAsync(connection, transaction,
            "INSERT INTO audit (seq, at, actor, action, donor_id, session_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @donor, @session, @detail, @prev, @hash)",
            [("seq", seq), ("at", Millis(at)), ("actor", draft.Actor), ("action", draft.Action), ("donor", draft.DonorId), ("session", draft.SessionId),
             ("detail", draft.Detail), ("prev", prevHash), ("hash", hash)], cancellation).ConfigureAwait(false);
        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        return new AuditEntry(seq, at, draft.Actor, draft.Action, draft.DonorId, draft.SessionId, draft.Detail, prevHash, hash);
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? donorId, long afterSeq, int limit, CancellationToken cancellation) =>
        QueryAsync("SELECT seq, at, actor, action, donor_id, session_id, detail, prev_hash, hash FROM audit WHERE seq > @after AND (@donor IS NULL OR donor_id = @donor) ORDER BY seq LIMIT @limit",
            [("after", afterSeq), ("donor", donorId), ("limit", limit)],
            r => new AuditEntry(Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Time(r, 1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8)), cancellation);

    public async Task CreateDatasetAsync(DatasetRecord dataset, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction,
            "INSERT INTO datasets (id, builder_id, purpose, state, created_at, rebuild_reason) VALUES (@id, @b, @p, @s, @at, NULL)",
            [("id", dataset.Id), ("b", dataset.BuilderId), ("p", dataset.Purpose), ("s", dataset.State), ("at", Millis(dataset.CreatedAt))], cancellation).ConfigureAwait(false);
        foreach (var upload in dataset.UploadIds)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO dataset_sessions (dataset_id, upload_id) VALUES (@d, @u)",
                [("d", dataset.Id), ("u", upload)], cancellation).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
    }

    public async Task<DatasetRecord?> GetDatasetAsync(string datasetId, CancellationToken cancellation)
    {
        var found = await QueryAsync("SELECT id, builder_id, purpose, state, created_at, rebuild_reason FROM datasets WHERE id = @id", [("id", datasetId)], ReadDatasetRow, cancellation).ConfigureAwait(false);
        return found.Count == 0 ? null : await WithSessionsAsync(found[0], cancellation).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DatasetRecord>> ListDatasetsAsync(string? containingUploadId, CancellationToken cancellation)
    {
        var rows = await QueryAsync(
            "SELECT id, builder_id, purpose, state, created_at, rebuild_reason FROM datasets WHERE @u IS NULL OR id IN (SELECT dataset_id FROM dataset_sessions WHERE upload_id = @u) ORDER BY created_at, id",
            [("u", containingUploadId)], ReadDatasetRow, cancellation).ConfigureAwait(false);
        var result = new List<DatasetRecord>();
        foreach (var row in rows)
        {
            result.Add(await WithSessionsAsync(row, cancellation).ConfigureAwait(false));
        }
        return result;
    }

    public async Task<bool> MarkDatasetForRebuildAsync(string datasetId, string reason, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var rows = await ExecuteAsync(connection, null, "UPDATE datasets SET state = @s, rebuild_reason = @r WHERE id = @id",
            [("id", datasetId), ("s", DatasetStates.NeedsRebuild), ("r", reason)], cancellation).ConfigureAwait(false);
        return rows > 0;
    }

    private async Task<DatasetRecord> WithSessionsAsync(DatasetRecord row, CancellationToken cancellation)
    {
        var sessions = await QueryAsync("SELECT upload_id FROM dataset_sessions WHERE dataset_id = @d ORDER BY upload_id", [("d", row.Id)], r => r.GetString(0), cancellation).ConfigureAwait(false);
        return row with { UploadIds = sessions };
    }

    private static DatasetRecord ReadDatasetRow(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Time(r, 4), r.IsDBNull(5) ? null : r.GetString(5), []);

    private static AccountRecord ReadAccount(DbDataReader r)
    {
        if (!Roles.TryParse(r.GetString(1), out var role))
        {
            throw new InvalidDataException($"account {r.GetString(0)} has an unknown role");
        }
        return new AccountRecord(r.GetString(0), role, r.GetString(2), r.GetString(3), Time(r, 4));
    }

    private static DeviceRecord ReadDevice(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Time(r, 2), r.IsDBNull(3) ? null : Time(r, 3));

    private static UploadRecord ReadUpload(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        Convert.ToInt64(r.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
        Convert.ToInt32(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture),
        Convert.ToInt32(r.GetValue(7), System.Globalization.CultureInfo.InvariantCulture),
        r.GetString(8),
        r.IsDBNull(9) ? null : (byte[])r.GetValue(9),
        Convert.ToInt64(r.GetValue(10), System.Globalization.CultureInfo.InvariantCulture),
        Time(r, 11), Time(r, 12), Time(r, 13), r.IsDBNull(14) ? null : Time(r, 14));

    protected static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static DateTimeOffset Time(DbDataReader reader, int ordinal) =>
        FromMillis(Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture));

    private async Task<T?> QuerySingleAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbDataReader, T> read, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        return await QuerySingleAsync(connection, null, sql, parameters, read, cancellation).ConfigureAwait(false);
    }

    private static async Task<T?> QuerySingleAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters, Func<DbDataReader, T> read, CancellationToken cancellation)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        return await reader.ReadAsync(cancellation).ConfigureAwait(false) ? read(reader) : default;
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbDataReader, T> read, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    protected static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters, CancellationToken cancellation)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters, CancellationToken cancellation)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Every statement is a constant of this class; values only ever go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null)
            {
                // Untyped NULLs in "@p IS NULL" comparisons need a type for PostgreSQL.
                parameter.DbType = DbType.String;
            }
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
