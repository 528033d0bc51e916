using System.Diagnostics;

namespace Understudy.Collector.Tests.Support;

/// <summary>Runs the repository's own service scripts (scripts/postgres.sh, scripts/s3.sh) the way a person would.</summary>
internal static class ProjectScripts
{
    /// <summary>Runs <c>scripts/NAME ACTION DIRECTORY [OWNER]</c> and returns its standard output; throws with its stderr when it fails.</summary>
    public static string Run(string name, string action, string directory, string? owner = null)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoRoot(), "scripts", name)) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(action);
        start.ArgumentList.Add(directory);
        if (owner is not null)
        {
            start.ArgumentList.Add(owner);
        }
        using var process = Process.Start(start)!;
        // Both streams at once: a script that fills one pipe while the other is read would hang.
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"scripts/{name} {action} failed ({process.ExitCode}): {error.GetAwaiter().GetResult()}");
    }

    public static string RepoRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Understudy.slnx")))
        {
            directory = Path.GetDirectoryName(directory);
        }
        return directory ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
