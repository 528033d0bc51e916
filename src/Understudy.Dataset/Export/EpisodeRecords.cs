using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Dataset.Export;

/// <summary>
/// The native dataset schema (<c>episodes.jsonl</c>, one <see cref="EpisodeRecord"/> a line),
/// documented by <c>schema/episode.schema.json</c>. Every other export is made from these records,
/// so a field that is not here is in no export. Coordinates are screen pixels; images are paths
/// relative to the dataset's root.
/// </summary>
public sealed record EpisodeRecord
{
    /// <summary>Bumped when a field changes meaning or goes away; new optional fields do not bump it.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string EpisodeId { get; init; }

    public required string SessionId { get; init; }

    public required int Index { get; init; }

    public string? Task { get; init; }

    public required string TaskSource { get; init; }

    public required string EndReason { get; init; }

    public required IReadOnlyList<string> Apps { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    public required long DurationMs { get; init; }

    public ScreenRecord? Screen { get; init; }

    public required long RawEvents { get; init; }

    public required IReadOnlyList<string> Quality { get; init; }

    public required IReadOnlyDictionary<string, int> ActionsByKind { get; init; }

    public required IReadOnlyDictionary<string, int> DropsByReason { get; init; }

    public required IReadOnlyDictionary<string, int> RedactionsByType { get; init; }

    public required IReadOnlyDictionary<string, long> GapMsByReason { get; init; }

    public required IReadOnlyList<StepRecord> Steps { get; init; }
}

public sealed record ScreenRecord(int Width, int Height);

public sealed record StepRecord
{
    public required int Index { get; init; }

    public required ActionRecord Action { get; init; }

    public FrameRecord? Before { get; init; }

    public FrameRecord? After { get; init; }
}

public sealed record ActionRecord
{
    /// <summary>click, drag, hold, scroll, type, hotkey, press, select, menu, toggle, set_value.</summary>
    public required string Kind { get; init; }

    public required long FirstSeq { get; init; }

    public required long LastSeq { get; init; }

    /// <summary>Milliseconds from the episode's start.</summary>
    public required long OffsetMs { get; init; }

    public required long DurationMs { get; init; }

    public PointRecord? Position { get; init; }

    public PointRecord? EndPosition { get; init; }

    public string? Button { get; init; }

    public int? Clicks { get; init; }

    public int? ScrollDx { get; init; }

    public int? ScrollDy { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<string>? Keys { get; init; }

    public int? Repeat { get; init; }

    public IReadOnlyList<string>? HeldModifiers { get; init; }

    public UiRecord? Ui { get; init; }

    public ElementRecord? Target { get; init; }

    public ContextRecord? Context { get; init; }

    /// <summary>[offset ms, x, y] triples.</summary>
    public IReadOnlyList<int[]>? PointerPath { get; init; }

    public IReadOnlyList<string>? Redactions { get; init; }
}

public sealed record PointRecord(int X, int Y);

public sealed record RectRecord(int X, int Y, int Width, int Height);

public sealed record UiRecord(string? Control, string? ControlRole, string? Value, IReadOnlyList<string>? Path, bool? Checked);

public sealed record ElementRecord(
    string Role,
    string? Name,
    string? Label,
    IReadOnlyList<string> States,
    RectRecord? Bounds,
    string? App,
    IReadOnlyList<AncestorRecord> Ancestors);

public sealed record AncestorRecord(string Role, string? Name);

public sealed record ContextRecord(string App, string? Instance, string? Title, RectRecord? WindowBounds);

/// <summary>A step's screen: the whole screen as an image file, and how it was picked (recorded | nearest).</summary>
public sealed record FrameRecord(string Image, int Width, int Height, double Scale, string Source, long OffsetMs);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(EpisodeRecord))]
[JsonSerializable(typeof(ActionRecord))]
internal sealed partial class EpisodeRecordJson : JsonSerializerContext
{
    public static EpisodeRecord? Parse(string line) => JsonSerializer.Deserialize(line, Default.EpisodeRecord);

    public static string Format(EpisodeRecord record) => JsonSerializer.Serialize(record, Default.EpisodeRecord);
}
