using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Understudy.Collector.Metadata;

/// <summary>
/// The embedded default: one SQLite file in the collector's data directory, in WAL mode with
/// synchronous=FULL (a commit is on disk when it returns) and secure_delete (erased keys are
/// overwritten in the file, not only unlinked from its b-tree).
/// </summary>
public sealed class SqliteMetadataStore : SqlMetadataStore
{
    private readonly string _connectionString;

    public SqliteMetadataStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    protected override string BinaryType => "BLOB";

    public override async Task InitializeAsync(CancellationToken cancellation)
    {
        if (!File.Exists(DatabasePath))
        {
            // Created owner-only before SQLite opens it: the file holds sealed keys and pseudonyms.
            await using (new FileStream(DatabasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
            }
        }
        await using (var connection = await OpenAsync(cancellation).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", [], cancellation).ConfigureAwait(false);
        }
        await base.InitializeAsync(cancellation).ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA busy_timeout=30000", [], cancellation).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // SQLite has one writer at a time; an IMMEDIATE transaction takes the write lock at BEGIN,
    // so two appenders cannot both read the same chain head.
    protected override async Task<DbTransaction> BeginAuditTransactionAsync(DbConnection connection, CancellationToken cancellation) =>
        await ((SqliteConnection)connection).BeginTransactionAsync(cancellation).ConfigureAwait(false);
}
