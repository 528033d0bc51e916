using System.CommandLine;

namespace Understudy.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the whole pipeline on a virtual desktop: a real GTK form, scripted input, a recorded session");
        command.SetAction(_ => 1);
        return command;
    }
}
