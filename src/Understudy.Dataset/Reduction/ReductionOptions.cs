namespace Understudy.Dataset.Reduction;

/// <summary>
/// The thresholds of the reduction (docs/dataset.md). Defaults follow what the best open pipelines
/// use (OpenCUA's 0.5 s / 4 px multi-click, 6 px drag, 1 s hold) so datasets stay comparable.
/// </summary>
public sealed record ReductionOptions
{
    /// <summary>A press this soon after the previous press of the same button, and close enough, continues a double or triple click.</summary>
    public TimeSpan MultiClickInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public int MultiClickRadiusPx { get; init; } = 4;

    /// <summary>A release farther than this from its press is a drag.</summary>
    public int DragDistancePx { get; init; } = 6;

    /// <summary>A button held in place at least this long is a press-and-hold.</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Scroll notches in the same direction, this close in time and place, are one scroll.</summary>
    public TimeSpan ScrollMergeGap { get; init; } = TimeSpan.FromMilliseconds(700);

    public int ScrollMergeRadiusPx { get; init; } = 40;

    /// <summary>Typing that pauses longer than this starts a new type action.</summary>
    public TimeSpan TypeMergeGap { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The same special key again within this time adds to the press's repeat count.</summary>
    public TimeSpan PressRepeatGap { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An action waits at most this long for the release of its keys before it is handed on.</summary>
    public TimeSpan ReleaseWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A ui event this soon after a click or key press turns that action into a semantic one.</summary>
    public TimeSpan UiAttachWindow { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// The recorder's pause and task hotkeys (policy defaults), as PyAutoGUI key names: their key
    /// presses are dropped, not made into hotkey actions.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> RecorderHotkeys { get; init; } =
    [
        ["ctrl", "alt", "shift", "p"],
        ["ctrl", "alt", "shift", "t"],
    ];

    /// <summary>Pointer paths are decimated to at most this many samples.</summary>
    public int MaxPathSamples { get; init; } = 64;

    /// <summary>Problems with the values, one line each; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                problems.Add($"{name}: expected more than 0 and at most 1 hour, got {value.TotalMilliseconds} ms");
            }
        }
        void Pixels(int value, string name)
        {
            if (value is < 0 or > 10_000)
            {
                problems.Add($"{name}: expected 0 to 10000 pixels, got {value}");
            }
        }
        Positive(MultiClickInterval, "multi_click_interval");
        Positive(HoldTime, "hold_time");
        Positive(ScrollMergeGap, "scroll_merge_gap");
        Positive(TypeMergeGap, "type_merge_gap");
        Positive(PressRepeatGap, "press_repeat_gap");
        Positive(ReleaseWait, "release_wait");
        Positive(UiAttachWindow, "ui_attach_window");
        Pixels(MultiClickRadiusPx, "multi_click_radius");
        Pixels(DragDistancePx, "drag_distance");
        Pixels(ScrollMergeRadiusPx, "scroll_merge_radius");
        if (MaxPathSamples is < 2 or > 100_000)
        {
            problems.Add($"max_path_samples: expected 2 to 100000, got {MaxPathSamples}");
        }
        return problems;
    }
}
