using System.Collections.Frozen;
using Understudy.Core.Model;

namespace Understudy.Dataset.Reduction;

/// <summary>X key names (keysyms of the base level, modifiers in lower case) and their PyAutoGUI names.</summary>
public static class KeyNames
{
    /// <summary>The key stored for every key event of a rewritten (redacted) piece but its first text key.</summary>
    public const string Redacted = "redacted";

    private static readonly FrozenDictionary<string, string> PyAutoGui = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Return"] = "enter", ["KP_Enter"] = "enter", ["BackSpace"] = "backspace", ["Tab"] = "tab", ["ISO_Left_Tab"] = "tab",
        ["Escape"] = "esc", ["Delete"] = "delete", ["KP_Delete"] = "delete", ["Insert"] = "insert", ["KP_Insert"] = "insert",
        ["Home"] = "home", ["KP_Home"] = "home", ["End"] = "end", ["KP_End"] = "end",
        ["Prior"] = "pageup", ["Page_Up"] = "pageup", ["KP_Prior"] = "pageup", ["KP_Page_Up"] = "pageup",
        ["Next"] = "pagedown", ["Page_Down"] = "pagedown", ["KP_Next"] = "pagedown", ["KP_Page_Down"] = "pagedown",
        ["Left"] = "left", ["Right"] = "right", ["Up"] = "up", ["Down"] = "down",
        ["KP_Left"] = "left", ["KP_Right"] = "right", ["KP_Up"] = "up", ["KP_Down"] = "down",
        ["space"] = "space", ["Print"] = "printscreen", ["Menu"] = "apps", ["Pause"] = "pause",
        ["Scroll_Lock"] = "scrolllock", ["caps_lock"] = "capslock", ["num_lock"] = "numlock",
        ["shift_l"] = "shift", ["shift_r"] = "shift", ["control_l"] = "ctrl", ["control_r"] = "ctrl",
        ["alt_l"] = "alt", ["alt_r"] = "alt", ["meta_l"] = "alt", ["meta_r"] = "alt", ["super_l"] = "win", ["super_r"] = "win",
        ["minus"] = "-", ["equal"] = "=", ["comma"] = ",", ["period"] = ".", ["slash"] = "/", ["backslash"] = "\\",
        ["semicolon"] = ";", ["apostrophe"] = "'", ["grave"] = "`", ["bracketleft"] = "[", ["bracketright"] = "]",
        ["KP_Add"] = "add", ["KP_Subtract"] = "subtract", ["KP_Multiply"] = "multiply", ["KP_Divide"] = "divide",
        ["KP_Decimal"] = "decimal",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ModifierKeys = new[]
    {
        "shift_l", "shift_r", "control_l", "control_r", "alt_l", "alt_r", "super_l", "super_r", "meta_l", "meta_r",
        "caps_lock", "num_lock", "iso_level3_shift", "mode_switch", "Shift_L", "Shift_R", "Control_L", "Control_R",
        "Alt_L", "Alt_R", "Super_L", "Super_R", "Meta_L", "Meta_R", "Caps_Lock", "Num_Lock", "ISO_Level3_Shift", "Mode_switch",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsModifier(string key) => ModifierKeys.Contains(key);

    /// <summary>The PyAutoGUI name of an X key name: <c>Return</c> → <c>enter</c>, <c>a</c> → <c>a</c>, <c>F5</c> → <c>f5</c>, <c>KP_7</c> → <c>num7</c>.</summary>
    public static string ToPyAutoGui(string key)
    {
        if (PyAutoGui.TryGetValue(key, out var name))
        {
            return name;
        }
        if (key.Length is 2 or 3 && key[0] == 'F' && int.TryParse(key.AsSpan(1), out var f) && f is >= 1 and <= 24)
        {
            return "f" + f.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (key.Length == 4 && key.StartsWith("KP_", StringComparison.Ordinal) && char.IsAsciiDigit(key[3]))
        {
            return "num" + key[3];
        }
        if (key.Length == 1)
        {
            return char.IsAsciiLetterUpper(key[0]) ? key.ToLowerInvariant() : key;
        }
        return key.ToLowerInvariant();
    }

    /// <summary>The held command modifiers in PyAutoGUI names and hotkey order (ctrl, alt, shift, win).</summary>
    public static List<string> HotkeyModifiers(Modifiers modifiers, bool includeShift)
    {
        var names = new List<string>(4);
        if ((modifiers & Modifiers.Ctrl) != 0)
        {
            names.Add("ctrl");
        }
        if ((modifiers & Modifiers.Alt) != 0)
        {
            names.Add("alt");
        }
        if (includeShift && (modifiers & Modifiers.Shift) != 0)
        {
            names.Add("shift");
        }
        if ((modifiers & Modifiers.Super) != 0)
        {
            names.Add("win");
        }
        return names;
    }

    // The X key each PyAutoGUI name stands for, where the reverse of the table above is ambiguous
    // (enter: Return or KP_Enter) or cased differently: the main keyboard's key.
    private static readonly FrozenDictionary<string, string> X11Keys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["enter"] = "Return", ["return"] = "Return", ["backspace"] = "BackSpace", ["tab"] = "Tab", ["esc"] = "Escape", ["escape"] = "Escape",
        ["delete"] = "Delete", ["del"] = "Delete", ["insert"] = "Insert", ["home"] = "Home", ["end"] = "End",
        ["pageup"] = "Prior", ["pagedown"] = "Next", ["left"] = "Left", ["right"] = "Right", ["up"] = "Up", ["down"] = "Down",
        ["space"] = "space", ["printscreen"] = "Print", ["apps"] = "Menu", ["pause"] = "Pause", ["scrolllock"] = "Scroll_Lock",
        ["capslock"] = "Caps_Lock", ["numlock"] = "Num_Lock",
        ["shift"] = "Shift_L", ["ctrl"] = "Control_L", ["alt"] = "Alt_L", ["win"] = "Super_L", ["super"] = "Super_L",
        ["-"] = "minus", ["="] = "equal", [","] = "comma", ["."] = "period", ["/"] = "slash", ["\\"] = "backslash",
        [";"] = "semicolon", ["'"] = "apostrophe", ["`"] = "grave", ["["] = "bracketleft", ["]"] = "bracketright",
        ["add"] = "KP_Add", ["subtract"] = "KP_Subtract", ["multiply"] = "KP_Multiply", ["divide"] = "KP_Divide", ["decimal"] = "KP_Decimal",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The X key name of a PyAutoGUI key name, the inverse of <see cref="ToPyAutoGui"/>:
    /// <c>enter</c> → <c>Return</c>, <c>ctrl</c> → <c>Control_L</c>, <c>f5</c> → <c>F5</c>, <c>num7</c> → <c>KP_7</c>,
    /// <c>a</c> → <c>a</c>; null for an empty name.
    /// </summary>
    public static string? ToX11(string pyAutoGuiName)
    {
        ArgumentNullException.ThrowIfNull(pyAutoGuiName);
        if (pyAutoGuiName.Length == 0)
        {
            return null;
        }
        if (X11Keys.TryGetValue(pyAutoGuiName, out var key))
        {
            return key;
        }
        if (pyAutoGuiName.Length is 2 or 3 && pyAutoGuiName[0] == 'f' && int.TryParse(pyAutoGuiName.AsSpan(1), out var f) && f is >= 1 and <= 24)
        {
            return "F" + f.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (pyAutoGuiName.Length == 4 && pyAutoGuiName.StartsWith("num", StringComparison.Ordinal) && char.IsAsciiDigit(pyAutoGuiName[3]))
        {
            return "KP_" + pyAutoGuiName[3];
        }
        return pyAutoGuiName;
    }
}
