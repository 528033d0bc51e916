using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Understudy.Cli.Infrastructure;
using Understudy.Cli.Recording;
using Understudy.Core.Redaction;
using Understudy.Redaction;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy task begin TEXT | end | status</c>: marks where a task starts and ends in the
/// running recording, so that the dataset builder cuts episodes there and gives them the task's text.
/// </summary>
internal static class TaskCommand
{
    public static Command Create()
    {
        var command = new Command("task", "Mark the start and end of a task in the running recording (episodes are cut there and named after it)");
        var text = new Argument<string>("text") { Description = "What the task is, in one line (personal data in it is redacted)" };
        command.Add(Verb("begin", "Begin a task (ends the open one first)", text));
        command.Add(Verb("end", "End the open task", null));
        command.Add(Verb("status", "Say whether a task is open", null));
        return command;
    }

    private static Command Verb(string verb, string description, Argument<string>? text)
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command(verb, description) { data, json };
        if (text is not null)
        {
            command.Add(text);
        }
        command.SetAction(parse =>
        {
            string? label = null;
            if (text is not null)
            {
                label = parse.GetValue(text)!.Trim();
                if (TaskLabels.Problem(label) is { } problem)
                {
                    throw new UsageException($"task begin: {problem}");
                }
                // The text leaves this process only redacted, like everything else the recorder keeps.
                label = TextRedactionEngine.Shared.Redact(label, TextSource.Other).Text;
            }
            var directory = ConsentCommand.ResolveDataDirectory(parse.GetValue(data));
            var answer = Send(directory, $"task_{verb}", label);
            if (!answer.Ok)
            {
                throw new UsageException($"task {verb}: the recorder refused: {answer.Error}");
            }
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("task_open", answer.TaskOpen);
                    if (label is not null)
                    {
                        writer.WriteString("label", label);
                    }
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine(verb switch
                {
                    "begin" => $"task begun: {label}",
                    "end" => "task ended",
                    _ => answer.TaskOpen ? "a task is open" : "no task is open",
                });
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record ControlAnswer(bool Ok, string? Error, bool TaskOpen);

    private static ControlAnswer Send(string dataDirectory, string command, string? label)
    {
        var path = RecorderControlServer.SocketPath(dataDirectory);
        if (!File.Exists(path))
        {
            throw new UsageException($"no recorder is running with data directory {dataDirectory} (start one with 'understudy record')");
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            throw new UsageException($"no recorder is running with data directory {dataDirectory} ({path} is left from one that stopped)");
        }
        using var request = new MemoryStream();
        using (var writer = new Utf8JsonWriter(request))
        {
            writer.WriteStartObject();
            writer.WriteString("command", command);
            if (label is not null)
            {
                writer.WriteString("label", label);
            }
            writer.WriteEndObject();
        }
        request.WriteByte((byte)'\n');
        try
        {
            socket.Send(request.ToArray());
            var buffer = new byte[4096];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None)) > 0)
            {
                length += read;
            }
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = document.RootElement;
            return new ControlAnswer(
                root.GetProperty("ok").GetBoolean(),
                root.TryGetProperty("error", out var error) ? error.GetString() : null,
                root.TryGetProperty("task_open", out var open) && open.GetBoolean());
        }
        catch (Exception ex) when (ex is SocketException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CommandFailedException($"task: no usable answer from the recorder at {path}: {ex.Message}");
        }
    }
}
