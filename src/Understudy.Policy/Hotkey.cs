using System.Collections.Frozen;

namespace Understudy.Policy;

/// <summary>
/// The pause hotkey: one or more modifiers and one key, joined by '+', e.g. <c>ctrl+alt+shift+p</c>.
/// The key is an X11 keysym name: a letter or digit, F1–F35, or a named key such as Pause.
/// </summary>
public static class Hotkey
{
    private static readonly FrozenDictionary<string, string> Modifiers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ctrl"] = "ctrl", ["control"] = "ctrl",
        ["alt"] = "alt", ["mod1"] = "alt",
        ["shift"] = "shift",
        ["super"] = "super", ["win"] = "super", ["mod4"] = "super",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] ModifierOrder = ["ctrl", "alt", "shift", "super"];

    private static readonly FrozenDictionary<string, string> NamedKeys = new[]
    {
        "space", "Return", "Escape", "Tab", "BackSpace", "Delete", "Insert", "Home", "End", "Page_Up", "Page_Down",
        "Prior", "Next", "Left", "Right", "Up", "Down", "Pause", "Print", "Scroll_Lock", "Break", "Menu",
        "minus", "equal", "comma", "period", "slash", "backslash", "semicolon", "apostrophe", "grave",
        "bracketleft", "bracketright",
    }.ToFrozenDictionary(k => k, k => k, StringComparer.OrdinalIgnoreCase);

    /// <summary>The normalised hotkey, or null with <paramref name="problem"/> saying why it is not one.</summary>
    public static string? Normalize(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || parts.Any(p => p.Length == 0))
        {
            problem = $"expected modifiers and a key joined by '+', such as ctrl+alt+shift+p, got '{text}'";
            return null;
        }
        var modifiers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts[..^1])
        {
            if (!Modifiers.TryGetValue(part, out var modifier))
            {
                problem = $"unknown modifier '{part}' in '{text}' (expected ctrl, alt, shift or super)";
                return null;
            }
            if (!modifiers.Add(modifier))
            {
                problem = $"modifier '{part}' appears twice in '{text}'";
                return null;
            }
        }
        if (!modifiers.Contains("ctrl") && !modifiers.Contains("alt") && !modifiers.Contains("super"))
        {
            problem = $"'{text}' needs ctrl, alt or super: with shift alone, typing would pause recording";
            return null;
        }
        var key = KeyName(parts[^1]);
        if (key is null)
        {
            problem = $"unknown key '{parts[^1]}' in '{text}' (expected a letter, a digit, F1-F35 or an X11 keysym name such as Pause)";
            return null;
        }
        problem = null;
        return string.Join('+', ModifierOrder.Where(modifiers.Contains).Append(key));
    }

    private static string? KeyName(string key)
    {
        if (key.Length == 1 && char.IsAsciiLetterOrDigit(key[0]))
        {
            return key.ToLowerInvariant();
        }
        if (key.Length is 2 or 3 && (key[0] is 'F' or 'f') && int.TryParse(key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 35 && key[1] != '0')
        {
            return "F" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return NamedKeys.TryGetValue(key, out var name) ? name : null;
    }
}
