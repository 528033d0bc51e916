using Understudy.Core.Model;

namespace Understudy.Core.Guards.Fields;

/// <summary>How the guard and the accessibility source tell typing from other keys: one vocabulary for both.</summary>
public static class TypingKeys
{
    public static KeyClass Classify(KeyPayload key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Key == "BackSpace")
        {
            return KeyClass.BackSpace;
        }
        if (IsModifierKey(key.Key))
        {
            return KeyClass.Modifier;
        }
        if ((key.Modifiers & (Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super)) != 0)
        {
            return KeyClass.Boundary;
        }
        if (key.Text is { Length: > 0 } text && !text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return KeyClass.Text;
        }
        return KeyClass.Boundary;
    }

    /// <summary>A key press that types text into a field (what the application should report inserting).</summary>
    public static bool TypesText(KeyPayload key) => key is { IsDown: true } && Classify(key) == KeyClass.Text;

    public static bool IsModifierKey(string key) => key is "shift_l" or "shift_r" or "Shift_L" or "Shift_R"
        or "control_l" or "control_r" or "Control_L" or "Control_R" or "alt_l" or "alt_r" or "Alt_L" or "Alt_R"
        or "super_l" or "super_r" or "Super_L" or "Super_R" or "meta_l" or "meta_r" or "Meta_L" or "Meta_R"
        or "caps_lock" or "Caps_Lock" or "num_lock" or "Num_Lock" or "ISO_Level3_Shift" or "iso_level3_shift" or "Mode_switch";
}

public enum KeyClass
{
    /// <summary>Types text: part of a piece, attributed to a field.</summary>
    Text,

    /// <summary>Edits the piece under way.</summary>
    BackSpace,

    /// <summary>Shift, Control and the like: part of the piece under way, if any.</summary>
    Modifier,

    /// <summary>Ends a piece: Tab, Enter, cursor keys, hotkeys.</summary>
    Boundary,
}
