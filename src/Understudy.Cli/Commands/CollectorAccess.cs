using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Collector;
using Understudy.Collector.Http;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary>How the collector-side commands (serve, audit verify, admin) find the collector's data and configuration.</summary>
internal static class CollectorAccess
{
    public const string DataEnvironmentVariable = "UNDERSTUDY_COLLECTOR_DATA";

    public static Option<string?> Data() => new("--data")
    {
        Description = "Collector data directory (default: $UNDERSTUDY_COLLECTOR_DATA, else <understudy data>/collector)",
        HelpName = "DIR",
    };

    public static Option<string?> Config() => new("--config")
    {
        Description = "Collector configuration file (JSON; see docs/collector.md)",
        HelpName = "FILE",
    };

    public static CollectorOptions Options(string? config, string? data)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        var defaultData = !string.IsNullOrWhiteSpace(fromEnvironment)
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(DataDirectory.Resolve(null), "collector");
        try
        {
            var options = CollectorConfigFile.Load(config, defaultData);
            // --data wins over the file: the operator named it on this command line.
            return data is null ? options : options with { DataDirectory = Path.GetFullPath(data) };
        }
        catch (ConfigException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>Opens the collector's stores directly, for an operator with access to its data directory (no server needed).</summary>
    public static CollectorService Open(CollectorOptions options)
    {
        try
        {
            return CollectorHost.OpenServiceAsync(options, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or StorageException or ArgumentException)
        {
            throw new CommandFailedException($"cannot open the collector's data in {options.DataDirectory}: {ex.Message}");
        }
    }

    /// <summary>How the operator appears in the audit log: the OS account that ran the command.</summary>
    public static Caller Operator => Caller.Operator("cli-" + Environment.UserName);

    public static int Fail(CollectorError error) =>
        ErrorReporter.Report(error.Message, error.Status is >= 400 and < 500 ? ExitCodes.BadInput : ExitCodes.Failure);
}
