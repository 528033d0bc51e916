namespace Understudy.Core.Model;

/// <summary>
/// Every kind of event a session can hold. The numeric values are part of the on-disk
/// format: never renumber, only append.
/// </summary>
public enum EventKind : byte
{
    KeyDown = 1,
    KeyUp = 2,
    PointerMove = 3,
    ButtonDown = 4,
    ButtonUp = 5,
    Scroll = 6,
    Focus = 7,
    Gap = 8,
    Marker = 9,
    Element = 10,
    Frame = 11,
    Ui = 12,
    Redaction = 13,
}

public static class EventKindNames
{
    public static string ToWireName(this EventKind kind) => kind switch
    {
        EventKind.KeyDown => "key_down",
        EventKind.KeyUp => "key_up",
        EventKind.PointerMove => "pointer_move",
        EventKind.ButtonDown => "button_down",
        EventKind.ButtonUp => "button_up",
        EventKind.Scroll => "scroll",
        EventKind.Focus => "focus",
        EventKind.Gap => "gap",
        EventKind.Marker => "marker",
        EventKind.Element => "element",
        EventKind.Frame => "frame",
        EventKind.Ui => "ui",
        EventKind.Redaction => "redaction",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown event kind"),
    };

    public static bool TryParseWireName(string name, out EventKind kind)
    {
        foreach (var candidate in Enum.GetValues<EventKind>())
        {
            if (candidate.ToWireName() == name)
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
