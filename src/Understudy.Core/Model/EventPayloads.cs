namespace Understudy.Core.Model;

/// <summary>What happened, without when: the part of an event a source knows.</summary>
public abstract record EventPayload
{
    public abstract EventKind Kind { get; }
}

/// <summary>Modifier state as it was just before the event (X11 semantics).</summary>
[Flags]
public enum Modifiers : ushort
{
    None = 0,
    Shift = 1 << 0,
    CapsLock = 1 << 1,
    Ctrl = 1 << 2,
    Alt = 1 << 3,
    NumLock = 1 << 4,
    Super = 1 << 5,
    AltGr = 1 << 6,
}

public static class ModifierNames
{
    private static readonly (Modifiers Flag, string Name)[] Names =
    [
        (Modifiers.Shift, "shift"),
        (Modifiers.CapsLock, "caps_lock"),
        (Modifiers.Ctrl, "ctrl"),
        (Modifiers.Alt, "alt"),
        (Modifiers.NumLock, "num_lock"),
        (Modifiers.Super, "super"),
        (Modifiers.AltGr, "altgr"),
    ];

    public static IEnumerable<string> ToNames(this Modifiers modifiers)
    {
        foreach (var (flag, name) in Names)
        {
            if ((modifiers & flag) != 0)
            {
                yield return name;
            }
        }
    }

    public static bool TryParse(string name, out Modifiers modifier)
    {
        foreach (var (flag, candidate) in Names)
        {
            if (candidate == name)
            {
                modifier = flag;
                return true;
            }
        }
        modifier = Modifiers.None;
        return false;
    }
}

/// <summary>
/// A key press or release. <see cref="Key"/> names the key (the keysym of its base level,
/// e.g. <c>a</c>, <c>Return</c>, <c>shift_l</c>); <see cref="Text"/> is what it produced
/// (e.g. <c>A</c> with shift), null for keys that produce no text and for releases.
/// </summary>
public sealed record KeyPayload(bool IsDown, string Key, string? Text, Modifiers Modifiers, int KeyCode) : EventPayload
{
    public override EventKind Kind => IsDown ? EventKind.KeyDown : EventKind.KeyUp;
}

public sealed record PointerMovePayload(int X, int Y) : EventPayload
{
    public override EventKind Kind => EventKind.PointerMove;
}

public enum MouseButton : byte
{
    Left = 1,
    Middle = 2,
    Right = 3,
    Back = 8,
    Forward = 9,
    Other = 255,
}

public static class MouseButtonNames
{
    public static string ToWireName(this MouseButton button) => button switch
    {
        MouseButton.Left => "left",
        MouseButton.Middle => "middle",
        MouseButton.Right => "right",
        MouseButton.Back => "back",
        MouseButton.Forward => "forward",
        _ => "other",
    };

    public static MouseButton Parse(string name) => name switch
    {
        "left" => MouseButton.Left,
        "middle" => MouseButton.Middle,
        "right" => MouseButton.Right,
        "back" => MouseButton.Back,
        "forward" => MouseButton.Forward,
        _ => MouseButton.Other,
    };
}

public sealed record ButtonPayload(bool IsDown, MouseButton Button, int X, int Y, Modifiers Modifiers) : EventPayload
{
    public override EventKind Kind => IsDown ? EventKind.ButtonDown : EventKind.ButtonUp;
}

/// <summary>One scroll notch (or several, coalesced by the source). Positive <see cref="Dy"/> is down, positive <see cref="Dx"/> is right.</summary>
public sealed record ScrollPayload(int Dx, int Dy, int X, int Y, Modifiers Modifiers) : EventPayload
{
    public override EventKind Kind => EventKind.Scroll;
}

/// <summary>Size of the screen (root window) in pixels.</summary>
public readonly record struct ScreenSize(int Width, int Height);

/// <summary>Screen rectangle in root-window pixels.</summary>
public readonly record struct Rect(int X, int Y, int Width, int Height);

/// <summary>The active window changed, or its title did.</summary>
public sealed record FocusPayload(string App, string? Instance, string? Title, int? Pid, Rect? Bounds, long WindowId) : EventPayload
{
    public override EventKind Kind => EventKind.Focus;
}

/// <summary>Why events are missing from a stretch of the session.</summary>
public static class GapReasons
{
    public const string OutOfScope = "out_of_scope";
    public const string InputOverflow = "input_overflow";
    public const string Paused = "paused";
    public const string DisplayLost = "display_lost";

    /// <summary>The accessibility bus is missing or died: no element or ui events for this stretch.</summary>
    public const string AccessibilityLost = "accessibility_lost";

    /// <summary>An element lookup did not answer in time (a hung or crashed application); <c>dropped</c> counts lookups.</summary>
    public const string ElementTimeout = "element_timeout";

    /// <summary>Frames that could not be grabbed, encoded or stored; <c>dropped</c> counts frames.</summary>
    public const string FrameLost = "frame_lost";
}

/// <summary>
/// Events were deliberately not kept for a while. <see cref="DurationNs"/> spans from the
/// first lost event to the end of the gap; <see cref="Dropped"/> counts lost input events.
/// </summary>
public sealed record GapPayload(string Reason, long DurationNs, long Dropped) : EventPayload
{
    public override EventKind Kind => EventKind.Gap;
}

public static class MarkerTypes
{
    public const string TaskBegin = "task_begin";
    public const string TaskEnd = "task_end";
    public const string SessionBegin = "session_begin";
    public const string SessionEnd = "session_end";
}

public sealed record MarkerPayload(string Marker, string? Label) : EventPayload
{
    public override EventKind Kind => EventKind.Marker;
}

/// <summary>One step of an element's ancestor path, from the element's parent up to its window.</summary>
public sealed record ElementAncestor(string Role, string? Name);

/// <summary>What made the recorder look an element up.</summary>
public static class ElementTriggers
{
    /// <summary>A button press: the element under the pointer.</summary>
    public const string Pointer = "pointer";

    /// <summary>Key input: the focused element (once per focus).</summary>
    public const string Focus = "focus";

    /// <summary>
    /// The toolkit reported a new focus after keys had been typed: <c>for_seq</c> is the last key
    /// before the report, and the element is where typing went from the last focus move on.
    /// </summary>
    public const string FocusChange = "focus_change";
}

/// <summary>
/// The accessible element an input event acted on, looked up after the fact and tied to that
/// event by <see cref="ForSeq"/>. <see cref="Path"/> runs from the parent up to the window.
/// </summary>
public sealed record ElementPayload(
    long ForSeq,
    string Trigger,
    string Role,
    string? Name,
    string? Label,
    ValueList<string> States,
    Rect? Bounds,
    string? App,
    int? Pid,
    ValueList<ElementAncestor> Path) : EventPayload
{
    public override EventKind Kind => EventKind.Element;
}

/// <summary>The semantic actions a <c>ui</c> event reports.</summary>
public static class UiActions
{
    /// <summary>An item was selected in a combo box or list: <c>value</c> is the item, <c>control</c> the box.</summary>
    public const string Select = "select";

    /// <summary>A menu item was activated: <c>path</c> runs from the top menu to the item.</summary>
    public const string Menu = "menu";

    /// <summary>A check box, toggle button or radio button changed: <c>checked</c> is the new state.</summary>
    public const string Toggle = "toggle";

    /// <summary>A slider, spin button or similar changed: <c>value</c> is the new value as text.</summary>
    public const string Value = "value";
}

/// <summary>A semantic UI action reported by the application's accessibility layer.</summary>
public sealed record UiPayload(
    string Action,
    string? Control,
    string? ControlRole,
    string? Value,
    ValueList<string> Path,
    bool? Checked,
    string? App) : EventPayload
{
    public override EventKind Kind => EventKind.Ui;
}

/// <summary>Why a frame was kept.</summary>
public static class FrameRoles
{
    /// <summary>The screen as the user saw it just before the action <c>for_seq</c>.</summary>
    public const string Before = "before";

    /// <summary>The screen once it stopped changing after the action <c>for_seq</c> (or at a timeout).</summary>
    public const string After = "after";
}

/// <summary>
/// A screenshot stored as an encrypted blob. <see cref="Region"/> is the screen rectangle the image
/// shows (in screen pixels); the image itself is <see cref="Width"/>×<see cref="Height"/> after
/// scaling by <see cref="Scale"/>. When <see cref="Base"/> is set, the image is a patch: draw it
/// over the screen of blob <see cref="Base"/> (a keyframe or itself a patch; chains end at a
/// keyframe within 31 steps) to get the whole screen. A blob id always names one whole screen.
/// </summary>
public sealed record FramePayload(
    string Blob,
    long GrabbedMonoNs,
    Rect Region,
    double Scale,
    int Width,
    int Height,
    string Format,
    long? ForSeq,
    string Role,
    string? Base) : EventPayload
{
    public override EventKind Kind => EventKind.Frame;
}

/// <summary>What a <c>redaction</c> event says was removed.</summary>
public static class RedactionTargets
{
    /// <summary>Typed text: the key events <c>from_seq</c>..<c>to_seq</c> were rewritten (see docs/storage.md).</summary>
    public const string Typed = "typed";

    /// <summary>Keystrokes in a password or other sensitive field: they are not in the session at all, this event stands for them.</summary>
    public const string SensitiveField = "sensitive_field";

    /// <summary>Part of a window title in the focus event <c>from_seq</c>.</summary>
    public const string Title = "title";

    /// <summary>Part of an element's name, label or path in the element event <c>from_seq</c>.</summary>
    public const string Element = "element";

    /// <summary>Part of a ui event's control, value or path.</summary>
    public const string Ui = "ui";
}

/// <summary>
/// Something was removed before it reached the disk: <see cref="Type"/> says what kind of thing
/// (an entity type such as <c>EMAIL_ADDRESS</c>, or <c>SENSITIVE_FIELD</c>), <see cref="Count"/>
/// how many spans, <see cref="FromSeq"/>..<see cref="ToSeq"/> the events it concerns. It never
/// holds the value, nor how long it was.
/// </summary>
public sealed record RedactionPayload(string Target, string Type, int Count, long? FromSeq, long? ToSeq) : EventPayload
{
    public override EventKind Kind => EventKind.Redaction;
}
