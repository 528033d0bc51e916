namespace Understudy.Cli.Infrastructure;

/// <summary>Every error leaves the program as exactly one line on stderr, starting with the program name.</summary>
internal static class ErrorReporter
{
    public static int Report(string message, int exitCode)
    {
        var oneLine = message.ReplaceLineEndings(" ").Trim();
        Console.Error.WriteLine($"understudy: {oneLine}");
        return exitCode;
    }

    public static void Warn(string message) => Console.Error.WriteLine($"understudy: warning: {message.ReplaceLineEndings(" ").Trim()}");
}
