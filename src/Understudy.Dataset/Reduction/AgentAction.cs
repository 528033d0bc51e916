using Understudy.Core.Model;

namespace Understudy.Dataset.Reduction;

/// <summary>The kinds of action a session reduces to: the action space agent models are trained on.</summary>
public enum ActionKind
{
    /// <summary>A button pressed and released in place, once (<see cref="AgentAction.Clicks"/> = 1), twice or three times.</summary>
    Click,

    /// <summary>A button pressed, moved beyond the drag distance, released: <see cref="AgentAction.Position"/> to <see cref="AgentAction.EndPosition"/>.</summary>
    Drag,

    /// <summary>A button held in place longer than the hold time.</summary>
    Hold,

    /// <summary>Scroll notches coalesced per direction and place.</summary>
    Scroll,

    /// <summary>Text typed into one field, with BackSpace and selection replacement applied.</summary>
    Type,

    /// <summary>A key with ctrl, alt or super held (shift counts too when it is held with one of them, or with a key that types no text).</summary>
    Hotkey,

    /// <summary>A key that types nothing on its own: Enter, Tab, Escape, arrows, BackSpace outside typed text, F-keys.</summary>
    Press,

    /// <summary>An item selected in a combo box or list (from a <c>ui</c> event).</summary>
    Select,

    /// <summary>A menu item activated (from a <c>ui</c> event): <see cref="UiTarget.Path"/> from the top menu to the item.</summary>
    Menu,

    /// <summary>A check box, toggle or radio button changed (from a <c>ui</c> event).</summary>
    Toggle,

    /// <summary>A slider, spin button or similar set to a value (from a <c>ui</c> event).</summary>
    SetValue,
}

public static class ActionKindNames
{
    public static string ToWireName(this ActionKind kind) => kind switch
    {
        ActionKind.Click => "click",
        ActionKind.Drag => "drag",
        ActionKind.Hold => "hold",
        ActionKind.Scroll => "scroll",
        ActionKind.Type => "type",
        ActionKind.Hotkey => "hotkey",
        ActionKind.Press => "press",
        ActionKind.Select => "select",
        ActionKind.Menu => "menu",
        ActionKind.Toggle => "toggle",
        ActionKind.SetValue => "set_value",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown action kind"),
    };
}

/// <summary>A screen position in root-window pixels.</summary>
public readonly record struct ScreenPoint(int X, int Y);

/// <summary>One sample of the pointer's path, <see cref="OffsetMs"/> milliseconds after the path began.</summary>
public readonly record struct PathSample(int OffsetMs, int X, int Y);

/// <summary>What a semantic (<c>ui</c>) action names: the control, its role, the chosen value or the menu path, a toggle's new state.</summary>
public sealed record UiTarget(string? Control, string? ControlRole, string? Value, ValueList<string> Path, bool? Checked);

/// <summary>The application and window an action happened in, as the focus event named them (titles already redacted).</summary>
public sealed record ActionContext(string App, string? Instance, string? Title, Rect? WindowBounds);

/// <summary>
/// One action of a trajectory. <see cref="InputSeqs"/> lists every raw button press and key
/// press (and key release) the action consumed, so that every input event of a session is
/// accounted for either by exactly one action or by a <see cref="ReductionDrop"/>.
/// </summary>
public sealed record AgentAction
{
    public required ActionKind Kind { get; init; }

    /// <summary>Seq of the first and last raw event the action spans.</summary>
    public required long FirstSeq { get; init; }

    public required long LastSeq { get; init; }

    public required long StartMonoNs { get; init; }

    public required long EndMonoNs { get; init; }

    public required DateTimeOffset StartWall { get; init; }

    /// <summary>Where the action happened: the click, the drag's start, the scroll's place. Null for key actions.</summary>
    public ScreenPoint? Position { get; init; }

    /// <summary>Where a drag ended.</summary>
    public ScreenPoint? EndPosition { get; init; }

    public MouseButton? Button { get; init; }

    /// <summary>1, 2 or 3 for clicks; 0 otherwise.</summary>
    public int Clicks { get; init; }

    /// <summary>Scroll notches: positive <see cref="ScrollDy"/> is down, positive <see cref="ScrollDx"/> is right.</summary>
    public int ScrollDx { get; init; }

    public int ScrollDy { get; init; }

    /// <summary>The typed text, redacted (placeholders such as <c>&lt;EMAIL_ADDRESS&gt;</c> or <c>&lt;REDACTED&gt;</c> stay as they are).</summary>
    public string? Text { get; init; }

    /// <summary>Keys of a hotkey or press in PyAutoGUI names (<c>ctrl</c>, <c>shift</c>, <c>s</c>, <c>enter</c>), modifiers first.</summary>
    public ValueList<string> Keys { get; init; }

    /// <summary>How many times a press was repeated (an arrow held or hit five times is one press with 5).</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Modifiers held during a click, drag or scroll (e.g. shift-click).</summary>
    public ValueList<string> HeldModifiers { get; init; }

    public UiTarget? Ui { get; init; }

    /// <summary>The accessible element acted on: under the pointer for pointer actions, the focused field for keys.</summary>
    public ElementPayload? Target { get; init; }

    public ActionContext? Context { get; init; }

    /// <summary>The pointer's path from the end of the previous action to this one (drags: to the release), decimated to a bounded length.</summary>
    public ValueList<PathSample> PointerPath { get; init; }

    /// <summary>Entity types removed from what this action carries (<c>EMAIL_ADDRESS</c>, <c>SENSITIVE_FIELD</c>…), one per span.</summary>
    public ValueList<string> Redactions { get; init; }

    /// <summary>The raw button and key events the action consumed.</summary>
    public ValueList<long> InputSeqs { get; init; }
}

/// <summary>Why a raw input event became no action.</summary>
public static class DropReasons
{
    /// <summary>A modifier pressed and released on its own (a lone shift, ctrl, caps lock).</summary>
    public const string LoneModifier = "lone_modifier";

    /// <summary>A release whose press is not in the session (recording started, resumed or came back in scope while it was held).</summary>
    public const string ReleaseWithoutPress = "release_without_press";

    /// <summary>A press whose release never came (the session ended, a gap or a focus loss cut it).</summary>
    public const string PressWithoutRelease = "press_without_release";

    /// <summary>A release that came after its action was already handed on (held longer than the release wait).</summary>
    public const string ReleaseAfterAction = "release_after_action";

    /// <summary>Text typed and then erased with BackSpace before anything else happened: no action is left to learn from.</summary>
    public const string TypedThenErased = "typed_then_erased";

    /// <summary>A button (back, forward, others) that has no place in the action space.</summary>
    public const string UnsupportedButton = "unsupported_button";

    /// <summary>The recorder's own pause or task hotkey: a control of the recording, not an action in the application.</summary>
    public const string RecorderHotkey = "recorder_hotkey";
}

/// <summary>A raw input event that became no action, and why.</summary>
public readonly record struct ReductionDrop(long Seq, string Reason);
