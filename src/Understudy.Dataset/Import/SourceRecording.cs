using Understudy.Core.Model;

namespace Understudy.Dataset.Import;

/// <summary>The kinds of raw input record both tools write to events.jsonl (pynput listeners).</summary>
internal enum SourceKind
{
    Move,
    Click,
    Scroll,
    Press,
    Release,
    Pause,
    Resume,
    Focus,
}

/// <summary>
/// One input record as the source tool wrote it, checked but not yet mapped: key names become ours
/// only in order, because the modifier state depends on what came before. <see cref="Order"/> keeps
/// the file order for records with equal timestamps.
/// </summary>
internal sealed record SourceEvent(double Ts, long Order, string File, long Line, SourceKind Kind)
{
    public double X { get; init; }

    public double Y { get; init; }

    public double Dx { get; init; }

    public double Dy { get; init; }

    public string? Button { get; init; }

    public bool Pressed { get; init; }

    /// <summary>The key's name (press, release) or the application's name (focus). Content: never printed.</summary>
    public string? Name { get; init; }
}

/// <summary>The element under the pointer at a press (AgentNet element.jsonl), already in our terms.</summary>
internal sealed record SourceElement(double Ts, long Line, string Role, string? Name, string? Label, ValueList<string> States, Rect? Bounds);

/// <summary>Everything read from one recording folder, before mapping.</summary>
internal sealed class SourceRecording(ImportFormat format, string directory)
{
    public ImportFormat Format { get; } = format;

    public string Directory { get; } = directory;

    public ScreenSize? Screen { get; set; }

    /// <summary>1, or -1 when the source machine used natural scrolling (metadata <c>scroll_direction</c>).</summary>
    public int ScrollDirection { get; set; } = 1;

    /// <summary>Wall-clock time of <see cref="StartTs"/> (metadata <c>start_time</c>), if known.</summary>
    public DateTimeOffset? StartWall { get; set; }

    /// <summary>The source clock reading <see cref="StartWall"/> belongs to: the video start, else the first event.</summary>
    public double? VideoStartTs { get; set; }

    /// <summary>When events.jsonl was last written: the end of the recording when metadata is missing.</summary>
    public DateTimeOffset EventsFileWritten { get; set; }

    public string? Task { get; set; }

    public string? VideoPath { get; set; }

    public List<SourceEvent> Events { get; } = [];

    public List<SourceElement> Elements { get; } = [];

    /// <summary>Whether the source recorded elements at all (element.jsonl present and not empty).</summary>
    public bool HasElementFile { get; set; }
}
