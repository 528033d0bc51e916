using System.Data.Common;
using Npgsql;

namespace Understudy.Collector.Metadata;

/// <summary>
/// PostgreSQL, for many collector instances behind a load balancer. Commits are durable with
/// the server's defaults (synchronous_commit on). The audit chain is serialised across every
/// instance with a transaction-scoped advisory lock.
/// </summary>
public sealed class PostgresMetadataStore : SqlMetadataStore
{
    // An arbitrary constant that names "the audit chain" among advisory locks.
    private const long AuditChainLockKey = 0x55_44_41_55_44_49_54;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresMetadataStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    protected override string BinaryType => "BYTEA";

    public override async Task InitializeAsync(CancellationToken cancellation)
    {
        await using (var connection = await OpenAsync(cancellation).ConfigureAwait(false))
        {
            // Several instances may start at once; creating the schema is serialised too.
            await using var transaction = await BeginAuditTransactionAsync(connection, cancellation).ConfigureAwait(false);
            await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        }
        await base.InitializeAsync(cancellation).ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellation) =>
        await _dataSource.OpenConnectionAsync(cancellation).ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginAuditTransactionAsync(DbConnection connection, CancellationToken cancellation)
    {
        var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@k)", [("k", AuditChainLockKey)], cancellation).ConfigureAwait(false);
        return transaction;
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
