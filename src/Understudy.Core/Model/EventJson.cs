using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Understudy.Core.Model;

/// <summary>
/// The JSONL form of events (<c>sessions export --format jsonl</c>): one object per line,
/// snake_case, always the same fields for a kind (absent values are <c>null</c>), so that
/// scripts and later stages can rely on the shape.
/// </summary>
public static class EventJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    public static string ToJson(SessionEvent sessionEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(sessionEvent, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(SessionEvent e, IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteNumber("seq", e.Seq);
        json.WriteNumber("t_mono_ns", e.MonoNs);
        json.WriteString("t_wall", e.Wall.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("kind", e.Kind.ToWireName());
        switch (e.Payload)
        {
            case KeyPayload key:
                json.WriteString("key", key.Key);
                json.WriteStringOrNull("text", key.Text);
                WriteModifiers(json, key.Modifiers);
                json.WriteNumber("keycode", key.KeyCode);
                break;
            case PointerMovePayload move:
                json.WriteNumber("x", move.X);
                json.WriteNumber("y", move.Y);
                break;
            case ButtonPayload button:
                json.WriteString("button", button.Button.ToWireName());
                json.WriteNumber("x", button.X);
                json.WriteNumber("y", button.Y);
                WriteModifiers(json, button.Modifiers);
                break;
            case ScrollPayload scroll:
                json.WriteNumber("dx", scroll.Dx);
                json.WriteNumber("dy", scroll.Dy);
                json.WriteNumber("x", scroll.X);
                json.WriteNumber("y", scroll.Y);
                WriteModifiers(json, scroll.Modifiers);
                break;
            case FocusPayload focus:
                json.WriteString("app", focus.App);
                json.WriteStringOrNull("instance", focus.Instance);
                json.WriteStringOrNull("title", focus.Title);
                json.WriteNumberOrNull("pid", focus.Pid);
                WriteRect(json, "window", focus.Bounds);
                json.WriteNumber("window_id", focus.WindowId);
                break;
            case GapPayload gap:
                json.WriteString("reason", gap.Reason);
                json.WriteNumber("duration_ns", gap.DurationNs);
                json.WriteNumber("dropped", gap.Dropped);
                break;
            case MarkerPayload marker:
                json.WriteString("marker", marker.Marker);
                json.WriteStringOrNull("label", marker.Label);
                break;
            case ElementPayload element:
                json.WriteNumber("for_seq", element.ForSeq);
                json.WriteString("trigger", element.Trigger);
                json.WriteString("role", element.Role);
                json.WriteStringOrNull("name", element.Name);
                json.WriteStringOrNull("label", element.Label);
                WriteStrings(json, "states", element.States);
                WriteRect(json, "bounds", element.Bounds);
                json.WriteStringOrNull("app", element.App);
                json.WriteNumberOrNull("pid", element.Pid);
                json.WriteStartArray("path");
                foreach (var ancestor in element.Path)
                {
                    json.WriteStartObject();
                    json.WriteString("role", ancestor.Role);
                    json.WriteStringOrNull("name", ancestor.Name);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case UiPayload ui:
                json.WriteString("action", ui.Action);
                json.WriteStringOrNull("control", ui.Control);
                json.WriteStringOrNull("control_role", ui.ControlRole);
                json.WriteStringOrNull("value", ui.Value);
                WriteStrings(json, "path", ui.Path);
                if (ui.Checked is { } isChecked)
                {
                    json.WriteBoolean("checked", isChecked);
                }
                else
                {
                    json.WriteNull("checked");
                }
                json.WriteStringOrNull("app", ui.App);
                break;
            case FramePayload frame:
                json.WriteString("blob", frame.Blob);
                json.WriteNumber("grabbed_mono_ns", frame.GrabbedMonoNs);
                WriteRect(json, "region", frame.Region);
                json.WriteNumber("scale", frame.Scale);
                json.WriteNumber("width", frame.Width);
                json.WriteNumber("height", frame.Height);
                json.WriteString("format", frame.Format);
                json.WriteNumberOrNull("for_seq", frame.ForSeq);
                json.WriteString("role", frame.Role);
                json.WriteStringOrNull("base", frame.Base);
                break;
            case RedactionPayload redaction:
                json.WriteString("target", redaction.Target);
                json.WriteString("type", redaction.Type);
                json.WriteNumber("count", redaction.Count);
                json.WriteNumberOrNull("from_seq", redaction.FromSeq);
                json.WriteNumberOrNull("to_seq", redaction.ToSeq);
                break;
            default:
                throw new ArgumentException($"no JSON form for payload {e.Payload.GetType().Name}", nameof(e));
        }
        json.WriteEndObject();
    }

    /// <summary>Parses one exported line. Throws <see cref="FormatException"/> naming the field that is wrong.</summary>
    public static SessionEvent Parse(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not a JSON object: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("not a JSON object");
            }
            var kindName = RequireString(root, "kind");
            if (!EventKindNames.TryParseWireName(kindName, out var kind))
            {
                throw new FormatException($"field 'kind': unknown event kind '{kindName}'");
            }
            var seq = RequireInt64(root, "seq");
            var mono = RequireInt64(root, "t_mono_ns");
            var wallText = RequireString(root, "t_wall");
            if (!DateTimeOffset.TryParse(wallText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var wall))
            {
                throw new FormatException($"field 't_wall': not a UTC timestamp '{wallText}'");
            }
            EventPayload payload = kind switch
            {
                EventKind.KeyDown or EventKind.KeyUp => new KeyPayload(
                    kind == EventKind.KeyDown,
                    RequireString(root, "key"),
                    OptionalString(root, "text"),
                    ParseModifiers(root),
                    (int)RequireInt64(root, "keycode")),
                EventKind.PointerMove => new PointerMovePayload((int)RequireInt64(root, "x"), (int)RequireInt64(root, "y")),
                EventKind.ButtonDown or EventKind.ButtonUp => new ButtonPayload(
                    kind == EventKind.ButtonDown,
                    MouseButtonNames.Parse(RequireString(root, "button")),
                    (int)RequireInt64(root, "x"),
                    (int)RequireInt64(root, "y"),
                    ParseModifiers(root)),
                EventKind.Scroll => new ScrollPayload(
                    (int)RequireInt64(root, "dx"),
                    (int)RequireInt64(root, "dy"),
                    (int)RequireInt64(root, "x"),
                    (int)RequireInt64(root, "y"),
                    ParseModifiers(root)),
                EventKind.Focus => new FocusPayload(
                    RequireString(root, "app"),
                    OptionalString(root, "instance"),
                    OptionalString(root, "title"),
                    root.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : null,
                    ParseRect(root, "window"),
                    RequireInt64(root, "window_id")),
                EventKind.Gap => new GapPayload(RequireString(root, "reason"), RequireInt64(root, "duration_ns"), RequireInt64(root, "dropped")),
                EventKind.Marker => new MarkerPayload(RequireString(root, "marker"), OptionalString(root, "label")),
                EventKind.Element => new ElementPayload(
                    RequireInt64(root, "for_seq"),
                    RequireString(root, "trigger"),
                    RequireString(root, "role"),
                    OptionalString(root, "name"),
                    OptionalString(root, "label"),
                    ParseStrings(root, "states"),
                    ParseRect(root, "bounds"),
                    OptionalString(root, "app"),
                    root.TryGetProperty("pid", out var elementPid) && elementPid.ValueKind == JsonValueKind.Number ? elementPid.GetInt32() : null,
                    ParseAncestors(root)),
                EventKind.Ui => new UiPayload(
                    RequireString(root, "action"),
                    OptionalString(root, "control"),
                    OptionalString(root, "control_role"),
                    OptionalString(root, "value"),
                    ParseStrings(root, "path"),
                    root.TryGetProperty("checked", out var isChecked) && isChecked.ValueKind is JsonValueKind.True or JsonValueKind.False ? isChecked.GetBoolean() : null,
                    OptionalString(root, "app")),
                EventKind.Frame => new FramePayload(
                    RequireString(root, "blob"),
                    RequireInt64(root, "grabbed_mono_ns"),
                    ParseRect(root, "region") ?? throw new FormatException("field 'region': expected an object"),
                    root.TryGetProperty("scale", out var scale) && scale.ValueKind == JsonValueKind.Number ? scale.GetDouble() : throw new FormatException("field 'scale': expected a number"),
                    (int)RequireInt64(root, "width"),
                    (int)RequireInt64(root, "height"),
                    RequireString(root, "format"),
                    root.TryGetProperty("for_seq", out var forSeq) && forSeq.ValueKind == JsonValueKind.Number ? forSeq.GetInt64() : null,
                    RequireString(root, "role"),
                    OptionalString(root, "base")),
                EventKind.Redaction => new RedactionPayload(
                    RequireString(root, "target"),
                    RequireString(root, "type"),
                    (int)RequireInt64(root, "count"),
                    OptionalInt64(root, "from_seq"),
                    OptionalInt64(root, "to_seq")),
                _ => throw new FormatException($"field 'kind': unsupported kind '{kindName}'"),
            };
            return new SessionEvent(seq, mono, wall, payload);
        }
    }

    private static void WriteModifiers(Utf8JsonWriter json, Modifiers modifiers)
    {
        json.WriteStartArray("modifiers");
        foreach (var name in modifiers.ToNames())
        {
            json.WriteStringValue(name);
        }
        json.WriteEndArray();
    }

    private static Modifiers ParseModifiers(JsonElement root)
    {
        if (!root.TryGetProperty("modifiers", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("field 'modifiers': expected an array");
        }
        var result = Modifiers.None;
        foreach (var item in array.EnumerateArray())
        {
            var name = item.GetString() ?? string.Empty;
            if (!ModifierNames.TryParse(name, out var flag))
            {
                throw new FormatException($"field 'modifiers': unknown modifier '{name}'");
            }
            result |= flag;
        }
        return result;
    }

    private static void WriteRect(Utf8JsonWriter json, string name, Rect? rect)
    {
        if (rect is not { } bounds)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("x", bounds.X);
        json.WriteNumber("y", bounds.Y);
        json.WriteNumber("width", bounds.Width);
        json.WriteNumber("height", bounds.Height);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, ValueList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static ValueList<string> ParseStrings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"field '{name}': expected an array");
        }
        var values = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            values.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException($"field '{name}': expected strings"));
        }
        return values;
    }

    private static ValueList<ElementAncestor> ParseAncestors(JsonElement root)
    {
        if (!root.TryGetProperty("path", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("field 'path': expected an array");
        }
        var values = new List<ElementAncestor>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("field 'path': expected objects");
            }
            values.Add(new ElementAncestor(RequireString(item, "role"), OptionalString(item, "name")));
        }
        return values;
    }

    private static Rect? ParseRect(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var window) || window.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (window.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"field '{name}': expected an object or null");
        }
        return new Rect(
            (int)RequireInt64(window, "x"),
            (int)RequireInt64(window, "y"),
            (int)RequireInt64(window, "width"),
            (int)RequireInt64(window, "height"));
    }

    private static string RequireString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"field '{name}': expected a string");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? OptionalInt64(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static long RequireInt64(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new FormatException($"field '{name}': expected an integer");
}
