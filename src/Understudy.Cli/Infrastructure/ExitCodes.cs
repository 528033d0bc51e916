namespace Understudy.Cli.Infrastructure;

/// <summary>Exit codes of every command (DESIGN.md): 0 ok, 1 failure, 2 bad usage or bad input.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}

/// <summary>Wrong flags, unknown ids, unreadable inputs: reported as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command could not do its job for a reason outside the user's input: one line, exit code 1.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
