using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Dataset.Episodes;

/// <summary>Where a step's frame came from.</summary>
public static class FrameSources
{
    /// <summary>The recorder stored this frame for this very action (before it, or settled after it).</summary>
    public const string Recorded = "recorded";

    /// <summary>No frame was recorded for the action; this is the newest frame stored before it (before) or the next action's before frame (after).</summary>
    public const string Nearest = "nearest";
}

/// <summary>
/// A stored frame of a session, as a step refers to it. The image shows <see cref="Region"/> of the
/// screen scaled by <see cref="Scale"/>; when <see cref="Base"/> is set it is a patch over that
/// blob's whole screen (see docs/storage.md). <see cref="Source"/> says how it was picked.
/// </summary>
public sealed record FrameRef(
    string SessionId,
    string Blob,
    long GrabbedMonoNs,
    Rect Region,
    double Scale,
    int Width,
    int Height,
    string Format,
    string? Base,
    string Source);

/// <summary>One observation → action step: the screen before, the action, the screen after.</summary>
public sealed record TrajectoryStep(int Index, AgentAction Action, FrameRef? Before, FrameRef? After);

/// <summary>Flags that tell a dataset builder what an episode lacks.</summary>
public static class QualityFlags
{
    /// <summary>Input events were lost (the recorder's queue overflowed, or the display went away).</summary>
    public const string LostInput = "lost_input";

    /// <summary>Some steps have no recorded before or after frame, or frames were lost.</summary>
    public const string MissingFrames = "missing_frames";

    /// <summary>The session was recorded without frames.</summary>
    public const string NoFrames = "no_frames";

    /// <summary>No accessibility: actions have no targets, ui events are absent.</summary>
    public const string NoAccessibility = "no_accessibility";

    /// <summary>Element lookups timed out or the accessibility bus was lost during the episode.</summary>
    public const string MissingElements = "missing_elements";

    /// <summary>Typing was redacted as unscannable, or typing into sensitive fields was removed: the episode may not be replayable as is.</summary>
    public const string RedactionGaps = "redaction_gaps";

    /// <summary>Fewer steps or less time than the minimum for a useful episode.</summary>
    public const string TooShort = "too_short";

    /// <summary>Recording was paused or went out of scope in the middle of the episode.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The session's log is damaged or was cut short (crash): the episode stops where the valid data ends.</summary>
    public const string Truncated = "truncated";

    /// <summary>The order of the flags in every export.</summary>
    public static readonly IReadOnlyList<string> All =
        [LostInput, MissingFrames, NoFrames, NoAccessibility, MissingElements, RedactionGaps, TooShort, Interrupted, Truncated];

    /// <summary>Flags that mean an episode is not fit for training as is; <c>--min-quality clean</c> excludes them.</summary>
    public static readonly IReadOnlySet<string> Severe = new HashSet<string>(StringComparer.Ordinal) { LostInput, TooShort, Truncated };
}

/// <summary>How an episode's task text was given.</summary>
public static class TaskSources
{
    /// <summary>A task marker (<c>record --task</c>, <c>understudy task begin</c>, the hotkey).</summary>
    public const string Marker = "marker";

    /// <summary>No marker: the episode was cut at an app switch, an idle gap or the session's edges.</summary>
    public const string None = "none";
}

/// <summary>Why an episode ended.</summary>
public static class EpisodeEnds
{
    public const string TaskEnd = "task_end";
    public const string TaskBegin = "task_begin";
    public const string AppSwitch = "app_switch";
    public const string Idle = "idle";
    public const string SessionEnd = "session_end";
}

/// <summary>One episode: a task (or a stretch of work in one app) as a sequence of steps.</summary>
public sealed record Episode
{
    /// <summary><c>&lt;session id&gt;-&lt;index, 3 digits&gt;</c>.</summary>
    public required string Id { get; init; }

    public required string SessionId { get; init; }

    public required int Index { get; init; }

    public string? Task { get; init; }

    public required string TaskSource { get; init; }

    public required string EndReason { get; init; }

    /// <summary>Applications in the order they were first used.</summary>
    public required IReadOnlyList<string> Apps { get; init; }

    public required DateTimeOffset StartWall { get; init; }

    public required DateTimeOffset EndWall { get; init; }

    public required long DurationMs { get; init; }

    /// <summary>The screen in pixels, the space of every action's coordinates; null if the session does not say.</summary>
    public ScreenSize? Screen { get; init; }

    public required IReadOnlyList<TrajectoryStep> Steps { get; init; }

    /// <summary>Raw events of the session that fall in the episode.</summary>
    public required long RawEvents { get; init; }

    /// <summary>Input events that became no action, by reason.</summary>
    public required IReadOnlyDictionary<string, int> DropsByReason { get; init; }

    /// <summary>Redaction events in the episode by entity type (<c>EMAIL_ADDRESS</c>, <c>SENSITIVE_FIELD</c>…).</summary>
    public required IReadOnlyDictionary<string, int> RedactionsByType { get; init; }

    /// <summary>Gaps in the episode by reason, with their total duration in milliseconds.</summary>
    public required IReadOnlyDictionary<string, long> GapMsByReason { get; init; }

    /// <summary>Flags from <see cref="QualityFlags"/>, in the order of <see cref="QualityFlags.All"/>.</summary>
    public required IReadOnlyList<string> Quality { get; init; }

    public IReadOnlyDictionary<string, int> ActionsByKind()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in Steps)
        {
            var name = step.Action.Kind.ToWireName();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return counts;
    }
}
