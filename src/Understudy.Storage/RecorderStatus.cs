using System.Globalization;
using System.Text.Json;

namespace Understudy.Storage;

/// <summary>What a running recorder says about itself in <c>recorder.json</c>.</summary>
public sealed record RecorderStatus(
    int Pid,
    string SessionId,
    DateTimeOffset StartedAt,
    bool Paused,
    DateTimeOffset? PausedSince,
    string? PolicyName,
    string? PolicyHash);

/// <summary>
/// <c>&lt;data dir&gt;/recorder.json</c>: written by the recorder when it starts, on every pause
/// and resume, and cleared when it stops, so that <c>understudy status</c> and
/// <c>understudy consent withdraw</c> can find it. Mode 0600, replaced atomically (temporary
/// file, fsync, rename, fsync of the directory). A file whose pid is no longer an understudy
/// process is stale: a recorder that was killed leaves it behind.
/// </summary>
public sealed class RecorderStatusFile
{
    public const string FileName = "recorder.json";

    public RecorderStatusFile(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        DataDirectory = dataDirectory;
        FilePath = Path.Combine(dataDirectory, FileName);
    }

    public string DataDirectory { get; }

    public string FilePath { get; }

    /// <summary>Replaces the file with <paramref name="status"/>; creates the data directory (0700) if needed.</summary>
    public void Write(RecorderStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("pid", status.Pid);
            writer.WriteString("session_id", status.SessionId);
            writer.WriteString("started_at", Format(status.StartedAt));
            writer.WriteBoolean("paused", status.Paused);
            if (status.PausedSince is { } since)
            {
                writer.WriteString("paused_since", Format(since));
            }
            else
            {
                writer.WriteNull("paused_since");
            }
            WriteOptional(writer, "policy_name", status.PolicyName);
            WriteOptional(writer, "policy_hash", status.PolicyHash);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        try
        {
            FilePermissions.CreatePrivateDirectory(DataDirectory);
            var temporary = Path.Combine(DataDirectory, $".{FileName}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                using (var stream = FilePermissions.CreatePrivateFile(temporary))
                {
                    stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, FilePath, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
            UnixNative.FsyncDirectory(DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot write {FilePath}: {ex.Message}", ex);
        }
    }

    /// <summary>Removes the file, if it belongs to <paramref name="pid"/> (default: this process) or is unreadable.</summary>
    public void Clear(int? pid = null)
    {
        var owner = pid ?? Environment.ProcessId;
        if (TryRead() is { } status && status.Pid != owner)
        {
            return;
        }
        try
        {
            File.Delete(FilePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot remove {FilePath}: {ex.Message}", ex);
        }
    }

    /// <summary>The file's content, or null when it is missing or unreadable (never throws for a damaged file).</summary>
    public RecorderStatus? TryRead()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(FilePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return new RecorderStatus(
                root.GetProperty("pid").GetInt32(),
                root.GetProperty("session_id").GetString() ?? "",
                Parse(root.GetProperty("started_at").GetString()!),
                root.GetProperty("paused").GetBoolean(),
                OptionalString(root, "paused_since") is { } since ? Parse(since) : null,
                OptionalString(root, "policy_name"),
                OptionalString(root, "policy_hash"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }

    /// <summary>The status of a recorder that is really running: the file exists and its pid is a live understudy process.</summary>
    public RecorderStatus? TryReadLive() => TryRead() is { } status && IsUnderstudyProcess(status.Pid) ? status : null;

    /// <summary>
    /// Asks the running recorder to stop (SIGTERM: it closes its session cleanly) and waits up to
    /// <paramref name="timeout"/> for it to exit. Returns the pid it stopped, or null when no live
    /// understudy recorder was found. Throws <see cref="StorageException"/> when it would not stop.
    /// </summary>
    public int? StopRecorder(TimeSpan timeout)
    {
        if (TryReadLive() is not { } status)
        {
            return null;
        }
        if (!UnixNative.Terminate(status.Pid))
        {
            return IsUnderstudyProcess(status.Pid)
                ? throw new StorageException($"cannot signal the recorder (pid {status.Pid}) to stop")
                : null;
        }
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (IsAlive(status.Pid))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new StorageException($"the recorder (pid {status.Pid}) did not stop within {timeout.TotalSeconds:0} s");
            }
            Thread.Sleep(50);
        }
        return status.Pid;
    }

    /// <summary>Whether <paramref name="pid"/> is alive (in /proc, not a zombie) and runs understudy: its command line names an understudy executable or assembly.</summary>
    public static bool IsUnderstudyProcess(int pid)
    {
        if (!IsAlive(pid))
        {
            return false;
        }
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            foreach (var argument in cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries).Take(3))
            {
                if (Path.GetFileName(argument).StartsWith("understudy", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether /proc/&lt;pid&gt; exists and the process is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ...": the state follows the last ')', comm may contain anything.
            var end = stat.LastIndexOf(')');
            return end < 0 || end + 2 >= stat.Length || stat[end + 2] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
