using System.Diagnostics;
using Npgsql;

namespace Understudy.Collector.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, started by the project's own
/// scripts/postgres.sh (which installs Debian's postgresql when missing); each test gets a
/// fresh database in it. UNDERSTUDY_TEST_POSTGRES may name an existing server instead.
/// </summary>
internal static class PostgresServer
{
    private static readonly Lazy<string> AdminConnection = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = AdminConnection.Value;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    public static string Directory { get; private set; } = "";

    private static string Start()
    {
        var existing = Environment.GetEnvironmentVariable("UNDERSTUDY_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(existing))
        {
            return existing;
        }
        Directory = System.IO.Directory.CreateTempSubdirectory("understudy-pg-").FullName;
        // The script's watchdog stops the cluster and removes the directory when this test process is gone.
        var connection = Run("start", Directory, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return connection.Trim();
    }

    /// <summary>Stops and starts the server again: the "database unreachable mid-upload" fault, for real.</summary>
    public static void Stop() => Run("stop", Directory);

    public static void Restart()
    {
        var bin = System.IO.Directory.GetDirectories("/usr/lib/postgresql").Order().Last();
        var port = File.ReadAllText(System.IO.Path.Combine(Directory, "port")).Trim();
        var asRoot = Environment.UserName == "root";
        var pgCtl = System.IO.Path.Combine(bin, "bin", "pg_ctl");
        var arguments = $"-D {Directory}/data -l {Directory}/server.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p {port} -k {Directory}\" start";
        var start = asRoot ? new ProcessStartInfo("runuser", $"-u postgres -- {pgCtl} {arguments}") : new ProcessStartInfo(pgCtl, arguments);
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("postgres did not restart");
        }
    }

    private static string Run(string action, string directory, string? owner = null) => ProjectScripts.Run("postgres.sh", action, directory, owner);

    public static string RepoRoot() => ProjectScripts.RepoRoot();
}
