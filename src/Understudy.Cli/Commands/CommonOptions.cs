using System.CommandLine;

namespace Understudy.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Data directory (default: $UNDERSTUDY_DATA, else $XDG_DATA_HOME/understudy)",
        HelpName = "DIR",
    };

    public static Option<bool> Json() => new("--json") { Description = "Machine-readable output" };

    public static Argument<string> SessionId() => new("id") { Description = "Session id (see 'understudy sessions list')" };
}
