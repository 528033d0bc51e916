using System.CommandLine;
using Understudy.Cli.Commands;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Capture;

namespace Understudy.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = BuildRootCommand();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var messages = string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')));
            return ErrorReporter.Report($"{messages} (see 'understudy --help')", ExitCodes.BadInput);
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException ex)
        {
            return ErrorReporter.Report(ex.Message, ExitCodes.BadInput);
        }
        catch (CaptureUnavailableException ex)
        {
            return ErrorReporter.Report(ex.Message, ExitCodes.BadInput);
        }
        catch (CommandFailedException ex)
        {
            return ErrorReporter.Report(ex.Message, ExitCodes.Failure);
        }
        catch (IOException ex)
        {
            return ErrorReporter.Report(ex.Message, ExitCodes.Failure);
        }
        catch (Exception ex)
        {
            // A bug, not a user error: still one line, and only the exception's own message (never content).
            return ErrorReporter.Report($"internal error ({ex.GetType().Name}): {ex.Message}", ExitCodes.Failure);
        }
    }

    internal static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Understudy: record how people use computers, with their consent, as private training data for computer-use agents.")
        {
            RecordCommand.Create(),
            SessionsCommand.Create(),
            DemoCommand.Create(),
            ConsentCommand.Create(),
            StatusCommand.Create(),
            PolicyCommand.Create(),
            RedactCommand.Create(),
            DatasetCommand.Create(),
            ImportCommand.Create(),
            TaskCommand.Create(),
            ReplayCommand.Create(),
            ServeCommand.Create(),
            EnrollCommand.Create(),
            UploadCommand.Create(),
            AuditCommand.Create(),
            AdminCommand.Create(),
        };
        return root;
    }
}
