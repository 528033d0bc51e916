using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Understudy.Core.Pipeline;

namespace Understudy.Cli.Recording;

/// <summary>
/// Lets <c>understudy task begin|end|status</c> reach a running recorder: a Unix socket
/// <c>&lt;data dir&gt;/recorder.sock</c>, mode 0600 inside the 0700 data directory, so only the
/// person who records can talk to it. One JSON request line, one JSON answer line, then the
/// connection closes. Labels arrive already redacted by the client and go through the recorder's
/// privacy guard again before anything is stored.
/// </summary>
internal sealed class RecorderControlServer : IDisposable
{
    public const string SocketFileName = "recorder.sock";

    /// <summary>The longest request accepted: a command and a label of at most <see cref="TaskLabels.MaxLength"/> characters.</summary>
    private const int MaxRequestBytes = 4096;

    private readonly Socket _listener;
    private readonly string _path;
    private readonly Recorder _recorder;
    private readonly Thread _thread;
    private volatile bool _running = true;

    private RecorderControlServer(Socket listener, string path, Recorder recorder)
    {
        _listener = listener;
        _path = path;
        _recorder = recorder;
        _thread = new Thread(AcceptLoop) { IsBackground = true, Name = "recorder-control" };
        _thread.Start();
    }

    public static string SocketPath(string dataDirectory) => Path.Combine(dataDirectory, SocketFileName);

    /// <summary>
    /// Starts listening, or returns null with a warning on stderr when the socket cannot be made
    /// (a data directory path longer than a Unix socket address allows): recording goes on, the
    /// task hotkey still works, only <c>understudy task</c> cannot reach it.
    /// </summary>
    public static RecorderControlServer? TryStart(string dataDirectory, Recorder recorder)
    {
        var path = SocketPath(dataDirectory);
        if (Encoding.UTF8.GetByteCount(path) > 107)
        {
            Console.Error.WriteLine($"understudy: warning: the data directory path is too long for a control socket ({path}); 'understudy task' cannot reach this recorder, the task hotkey still works");
            return null;
        }
        // A socket file left by a recorder that was killed: the one recorder per data directory
        // (writer lock, status file) is this one, so the file is ours to replace.
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(4);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            Console.Error.WriteLine($"understudy: warning: cannot open the control socket {path}: {ex.Message}; 'understudy task' cannot reach this recorder, the task hotkey still works");
            return null;
        }
        return new RecorderControlServer(listener, path, recorder);
    }

    private void AcceptLoop()
    {
        while (_running)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            {
                try
                {
                    client.ReceiveTimeout = 2000;
                    client.SendTimeout = 2000;
                    var answer = Answer(ReadLine(client));
                    client.Send(answer);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // A client that went away or stalled: nothing to answer.
                }
            }
        }
    }

    private static byte[]? ReadLine(Socket client)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = client.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (read == 0)
            {
                break;
            }
            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
            {
                return buffer[..newline];
            }
        }
        return length < buffer.Length ? buffer[..length] : null;
    }

    private byte[] Answer(byte[]? request)
    {
        if (request is null)
        {
            return Reply(false, $"request longer than {MaxRequestBytes} bytes");
        }
        string? command;
        string? label = null;
        try
        {
            using var document = JsonDocument.Parse(request);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("command", out var commandElement) || commandElement.ValueKind != JsonValueKind.String)
            {
                return Reply(false, "expected {\"command\": ...}");
            }
            command = commandElement.GetString();
            if (root.TryGetProperty("label", out var labelElement) && labelElement.ValueKind == JsonValueKind.String)
            {
                label = labelElement.GetString();
            }
        }
        catch (JsonException)
        {
            return Reply(false, "request is not JSON");
        }
        try
        {
            switch (command)
            {
                case "task_begin":
                    if (label is not null && TaskLabels.Problem(label) is { } problem)
                    {
                        return Reply(false, problem);
                    }
                    _recorder.BeginTask(label);
                    return Reply(true, null);
                case "task_end":
                    return _recorder.EndTask() ? Reply(true, null) : Reply(false, "no task is open");
                case "task_status":
                    return Reply(true, null);
                default:
                    return Reply(false, $"unknown command '{command}' (task_begin, task_end, task_status)");
            }
        }
        catch (InvalidOperationException ex)
        {
            return Reply(false, ex.Message);
        }
    }

    private byte[] Reply(bool ok, string? error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", ok);
            if (error is not null)
            {
                writer.WriteString("error", error);
            }
            writer.WriteBoolean("task_open", _recorder.TaskOpen);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public void Dispose()
    {
        if (!_running)
        {
            return;
        }
        _running = false;
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Left behind, it is replaced by the next recorder and refused by clients meanwhile.
        }
    }
}

/// <summary>What a task label may be: short, one line, printable.</summary>
internal static class TaskLabels
{
    public const int MaxLength = 500;

    /// <summary>Why <paramref name="label"/> cannot be a task label, or null when it can.</summary>
    public static string? Problem(string label)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            return "the task text is empty";
        }
        if (label.Length > MaxLength)
        {
            return $"the task text is {label.Length} characters long; at most {MaxLength}";
        }
        if (label.Any(char.IsControl))
        {
            return "the task text holds a control character (a newline or tab); write it on one line";
        }
        return null;
    }
}
