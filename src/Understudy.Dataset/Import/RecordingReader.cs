using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Understudy.Dataset.Import;

/// <summary>
/// Reads an AgentNet Tool or DuckTrack recording folder into a <see cref="SourceRecording"/>, as far
/// as it validly goes: every malformed line, unknown action or missing file is one problem (file and
/// line) and the rest is kept. Only a folder without any readable events fails the import. Nothing
/// read here is ever put into a message.
/// </summary>
internal static class RecordingReader
{
    public const string EventsFile = "events.jsonl";
    public const string MetadataFile = "metadata.json";
    public const string ElementFile = "element.jsonl";
    public const string TopWindowFile = "top_window.jsonl";
    public const string TaskFile = "task_name.json";

    // Element and window trees nest deeply (AXChildren in AXChildren…); events are flat.
    private static readonly JsonDocumentOptions TreeOptions = new() { MaxDepth = 512 };
    private static readonly JsonDocumentOptions FlatOptions = new() { MaxDepth = 16 };

    // Far beyond any perf_counter reading, near enough that differences stay within a long of nanoseconds.
    private const double MaxTimestamp = 4e9;
    private const double MaxCoordinate = 1e6;

    public static SourceRecording Read(string path, ImportFormat format, ImportDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var directory = Path.GetFullPath(path);
        if (!Directory.Exists(directory))
        {
            throw new ImportInputException(File.Exists(directory)
                ? $"{path}: not a folder (give the {format.ToWireName()} recording's folder, the one holding {EventsFile})"
                : $"{path}: no such folder");
        }
        var recording = new SourceRecording(format, directory);
        var eventsPath = Path.Combine(directory, EventsFile);
        if (!File.Exists(eventsPath))
        {
            throw new ImportInputException($"{Path.Combine(path, EventsFile)}: missing (not a {format.ToWireName()} recording?)");
        }
        recording.EventsFileWritten = File.GetLastWriteTimeUtc(eventsPath);
        ReadMetadata(recording, diagnostics);
        ReadEvents(recording, eventsPath, diagnostics);
        if (format == ImportFormat.AgentNet)
        {
            ReadTask(recording, diagnostics);
            ReadTopWindows(recording, diagnostics);
            ReadElements(recording, diagnostics);
        }
        recording.VideoPath = FindVideo(directory);
        if (!recording.Events.Any(e => e.Kind != SourceKind.Focus))
        {
            throw new ImportInputException($"{Path.Combine(path, EventsFile)}: no valid input events");
        }
        return recording;
    }

    private static void ReadMetadata(SourceRecording recording, ImportDiagnostics diagnostics)
    {
        var metadataPath = Path.Combine(recording.Directory, MetadataFile);
        if (!File.Exists(metadataPath))
        {
            diagnostics.Problem(MetadataFile, null, $"missing: screen size unknown, wall-clock times taken from the modification time of {EventsFile}");
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(metadataPath), TreeOptions);
        }
        catch (JsonException ex)
        {
            diagnostics.Problem(MetadataFile, ex.LineNumber + 1, "not valid JSON: its screen size, start time and video timing are not used");
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Problem(MetadataFile, null, $"cannot be read: {ex.Message}");
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                diagnostics.Problem(MetadataFile, null, "not a JSON object: its screen size, start time and video timing are not used");
                return;
            }
            if (TryInt(root, "screen_width", out var width) && TryInt(root, "screen_height", out var height) && width is > 0 and <= 65536 && height is > 0 and <= 65536)
            {
                recording.Screen = new Core.Model.ScreenSize(width, height);
            }
            else
            {
                diagnostics.Problem(MetadataFile, null, "fields 'screen_width'/'screen_height' missing or not positive integers: screen size unknown");
            }
            if (TryInt(root, "scroll_direction", out var direction) && direction is 1 or -1)
            {
                recording.ScrollDirection = direction;
            }
            if (root.TryGetProperty("start_time", out var start) && start.ValueKind == JsonValueKind.String)
            {
                // Written by Python's datetime.now(): local time of the recording machine, no zone. Read in
                // this machine's zone (imports are normally made on the machine that recorded).
                if (DateTime.TryParseExact(start.GetString(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var local))
                {
                    recording.StartWall = new DateTimeOffset(local).ToUniversalTime();
                }
                else
                {
                    diagnostics.Problem(MetadataFile, null, "field 'start_time': not 'YYYY-MM-DD HH:MM:SS'; wall-clock times taken from the modification time of events.jsonl");
                }
            }
            recording.VideoStartTs = VideoStart(root, recording.Format);
        }
    }

    /// <summary>
    /// The source clock reading at which the video starts: AgentNet's <c>video_start_timestamp</c>, else
    /// the OBS "output started" state change both tools log (<c>obs_record_state_timings</c>).
    /// </summary>
    private static double? VideoStart(JsonElement root, ImportFormat format)
    {
        if (format == ImportFormat.AgentNet && TryNumber(root, "video_start_timestamp", out var videoStart))
        {
            return videoStart;
        }
        if (root.TryGetProperty("obs_record_state_timings", out var timings) && timings.ValueKind == JsonValueKind.Object)
        {
            foreach (var state in (string[])["OBS_WEBSOCKET_OUTPUT_STARTED", "OBS_WEBSOCKET_OUTPUT_STARTING"])
            {
                if (timings.TryGetProperty(state, out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0
                    && list[0].ValueKind == JsonValueKind.Number && list[0].TryGetDouble(out var at) && double.IsFinite(at) && Math.Abs(at) < MaxTimestamp)
                {
                    return at;
                }
            }
        }
        return null;
    }

    private static void ReadEvents(SourceRecording recording, string eventsPath, ImportDiagnostics diagnostics)
    {
        long order = 0;
        ForEachLine(eventsPath, EventsFile, FlatOptions, diagnostics, (line, root) =>
        {
            if (!TryNumber(root, "time_stamp", out var ts) || Math.Abs(ts) >= MaxTimestamp)
            {
                diagnostics.Skip(EventsFile, line, SkipReasons.InvalidField, "field 'time_stamp' missing or not a number of seconds (line skipped)");
                return;
            }
            if (!root.TryGetProperty("action", out var actionElement) || actionElement.ValueKind != JsonValueKind.String)
            {
                diagnostics.Skip(EventsFile, line, SkipReasons.InvalidField, "field 'action' missing or not a string (line skipped)");
                return;
            }
            var action = actionElement.GetString();
            SourceEvent? parsed = action switch
            {
                "move" => Point(line, root, diagnostics, new SourceEvent(ts, order, EventsFile, line, SourceKind.Move)),
                "click" => Click(line, root, diagnostics, ts, order),
                "scroll" => Scroll(line, root, diagnostics, ts, order),
                "press" or "release" => Key(line, root, diagnostics, ts, order, action == "press"),
                "pause" => new SourceEvent(ts, order, EventsFile, line, SourceKind.Pause),
                "resume" => new SourceEvent(ts, order, EventsFile, line, SourceKind.Resume),
                _ => null,
            };
            if (action is not ("move" or "click" or "scroll" or "press" or "release" or "pause" or "resume"))
            {
                diagnostics.Skip(EventsFile, line, SkipReasons.UnknownAction, $"unknown action {Describe(action)} (line skipped)");
                return;
            }
            if (parsed is not null)
            {
                recording.Events.Add(parsed);
                order++;
            }
        });
    }

    private static SourceEvent? Point(long line, JsonElement root, ImportDiagnostics diagnostics, SourceEvent partial)
    {
        if (!TryNumber(root, "x", out var x) || !TryNumber(root, "y", out var y) || Math.Abs(x) > MaxCoordinate || Math.Abs(y) > MaxCoordinate)
        {
            diagnostics.Skip(EventsFile, line, SkipReasons.InvalidField, "fields 'x'/'y' missing or not screen coordinates (line skipped)");
            return null;
        }
        return partial with { X = x, Y = y };
    }

    private static SourceEvent? Click(long line, JsonElement root, ImportDiagnostics diagnostics, double ts, long order)
    {
        if (!root.TryGetProperty("button", out var button) || button.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("pressed", out var pressed) || pressed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            diagnostics.Skip(EventsFile, line, SkipReasons.InvalidField, "fields 'button' (string) and 'pressed' (true/false) required for a click (line skipped)");
            return null;
        }
        return Point(line, root, diagnostics, new SourceEvent(ts, order, EventsFile, line, SourceKind.Click) { Button = button.GetString(), Pressed = pressed.GetBoolean() });
    }

    private static SourceEvent? Scroll(long line, JsonElement root, ImportDiagnostics diagnostics, double ts, long order)
    {
        if (!TryNumber(root, "dx", out var dx) || !TryNumber(root, "dy", out var dy) || Math.Abs(dx) > MaxCoordinate || Math.Abs(dy) > MaxCoordinate)
        {
            diagnostics.Skip(EventsFile, line, SkipReasons.InvalidField, "fields 'dx'/'dy' missing or not numbers (line skipped)");
            return null;
        }
        return Point(line, root, diagnostics, new SourceEvent(ts, order, EventsFile, line, SourceKind.Scroll) { Dx = dx, Dy = dy });
    }

    private static SourceEvent? Key(long line, JsonElement root, ImportDiagnostics diagnostics, double ts, long order, bool down)
    {
        if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } keyName)
        {
            // pynput gives no name for some keys (a KeyCode without a char, e.g. some keypad or media keys).
            diagnostics.Skip(EventsFile, line, SkipReasons.UnknownKey, "key without a name (line skipped)");
            return null;
        }
        return new SourceEvent(ts, order, EventsFile, line, down ? SourceKind.Press : SourceKind.Release) { Name = keyName };
    }

    private static void ReadTask(SourceRecording recording, ImportDiagnostics diagnostics)
    {
        var taskPath = Path.Combine(recording.Directory, TaskFile);
        if (!File.Exists(taskPath))
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(taskPath), FlatOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("task_name", out var name) && name.ValueKind == JsonValueKind.String
                && name.GetString()?.Trim() is { Length: > 0 } task)
            {
                recording.Task = task;
            }
            else
            {
                diagnostics.Problem(TaskFile, null, "no string field 'task_name': the recording gets no task markers");
            }
        }
        catch (JsonException ex)
        {
            diagnostics.Problem(TaskFile, ex.LineNumber + 1, "not valid JSON: the recording gets no task markers");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Problem(TaskFile, null, $"cannot be read: {ex.Message}");
        }
    }

    private static void ReadTopWindows(SourceRecording recording, ImportDiagnostics diagnostics)
    {
        var windowsPath = Path.Combine(recording.Directory, TopWindowFile);
        if (!File.Exists(windowsPath))
        {
            return;
        }
        long order = long.MaxValue / 2;
        ForEachLine(windowsPath, TopWindowFile, FlatOptions, diagnostics, (line, root) =>
        {
            if (!TryNumber(root, "time_stamp", out var ts) || Math.Abs(ts) >= MaxTimestamp
                || !root.TryGetProperty("top_window_name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } app)
            {
                diagnostics.Skip(TopWindowFile, line, SkipReasons.InvalidField, "fields 'time_stamp' (number) and 'top_window_name' (string) required (line skipped)");
                return;
            }
            recording.Events.Add(new SourceEvent(ts, order++, TopWindowFile, line, SourceKind.Focus) { Name = app });
        });
    }

    private static void ReadElements(SourceRecording recording, ImportDiagnostics diagnostics)
    {
        var elementsPath = Path.Combine(recording.Directory, ElementFile);
        if (!File.Exists(elementsPath))
        {
            return;
        }
        ForEachLine(elementsPath, ElementFile, TreeOptions, diagnostics, (line, root) =>
        {
            recording.HasElementFile = true;
            if (!TryNumber(root, "time_stamp", out var ts) || Math.Abs(ts) >= MaxTimestamp || !root.TryGetProperty("a11y_tree", out var tree))
            {
                diagnostics.Skip(ElementFile, line, SkipReasons.InvalidField, "fields 'time_stamp' (number) and 'a11y_tree' required (line skipped)");
                return;
            }
            if (AgentNetElements.Describe(tree) is not { } element)
            {
                diagnostics.Skip(ElementFile, line, SkipReasons.EmptyElement, "no element recorded at this click (line skipped)");
                return;
            }
            recording.Elements.Add(element with { Ts = ts, Line = line });
        });
    }

    /// <summary>The recording's video: the first .mp4 (else .mkv, .mov) in the folder itself, by name.</summary>
    private static string? FindVideo(string directory)
    {
        foreach (var extension in (string[])[".mp4", ".mkv", ".mov"])
        {
            var found = Directory.EnumerateFiles(directory, "*" + extension, SearchOption.TopDirectoryOnly)
                .Where(f => f.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>Calls <paramref name="handle"/> for every line that is a JSON object; every other non-empty line is one problem.</summary>
    private static void ForEachLine(string path, string name, JsonDocumentOptions options, ImportDiagnostics diagnostics, Action<long, JsonElement> handle)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Problem(name, null, $"cannot be read: {ex.Message}");
            return;
        }
        using (reader)
        {
            long lineNumber = 0;
            while (true)
            {
                string? line;
                try
                {
                    line = reader.ReadLine();
                }
                catch (IOException ex)
                {
                    diagnostics.Problem(name, lineNumber + 1, $"cannot be read further: {ex.Message}");
                    return;
                }
                if (line is null)
                {
                    return;
                }
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(line, options);
                }
                catch (JsonException ex)
                {
                    // The position only: the line's content is not repeated.
                    diagnostics.Skip(name, lineNumber, SkipReasons.MalformedLine, string.Create(CultureInfo.InvariantCulture, $"not valid JSON (at byte {ex.BytePositionInLine ?? 0}; line skipped)"));
                    continue;
                }
                using (document)
                {
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        diagnostics.Skip(name, lineNumber, SkipReasons.MalformedLine, "not a JSON object (line skipped)");
                        continue;
                    }
                    handle(lineNumber, document.RootElement);
                }
            }
        }
    }

    internal static bool TryNumber(JsonElement root, string name, out double value)
    {
        value = 0;
        return root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool TryInt(JsonElement root, string name, out int value)
    {
        value = 0;
        return root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    /// <summary>An action name is repeated only when it looks like one (a short lower-case word): never arbitrary content.</summary>
    private static string Describe(string? action) =>
        action is { Length: > 0 and <= 32 } && action.All(c => c is (>= 'a' and <= 'z') or '_') ? $"'{action}'" : "(not a known action name)";
}
