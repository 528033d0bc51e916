using System.Globalization;
using System.Text;
using Understudy.Core.Model;

namespace Understudy.Dataset.Import;

/// <summary>
/// pynput key names (what both tools write as <c>name</c>) in our terms: the X name of the key's
/// base keysym (<c>a</c>, <c>Return</c>, <c>BackSpace</c>, modifiers in lower case <c>shift_l</c>,
/// <c>control_l</c>) and the text it typed. Named keys come as pynput <c>Key</c> names
/// (<c>enter</c>, <c>shift_r</c>, <c>cmd</c>) or, from AgentNet on Windows, as virtual-key names
/// (<c>Enter</c>, <c>Page Up</c>); printable keys come as the character typed (<c>a</c>, <c>A</c>,
/// <c>@</c>). A keyboard layout is not recorded, so a character's own keysym stands for its key's
/// base keysym (<c>@</c> → <c>at</c>, not <c>2</c>) and letters use the lower-case letter.
/// </summary>
internal static class PynputKeys
{
    private static readonly Dictionary<string, (string Key, string? Text)> Named = new(StringComparer.Ordinal)
    {
        ["alt"] = ("alt_l", null), ["alt_l"] = ("alt_l", null), ["alt_r"] = ("alt_r", null), ["alt_gr"] = ("iso_level3_shift", null),
        ["backspace"] = ("BackSpace", null), ["caps_lock"] = ("caps_lock", null),
        ["cmd"] = ("super_l", null), ["cmd_l"] = ("super_l", null), ["cmd_r"] = ("super_r", null),
        ["ctrl"] = ("control_l", null), ["ctrl_l"] = ("control_l", null), ["ctrl_r"] = ("control_r", null),
        ["shift"] = ("shift_l", null), ["shift_l"] = ("shift_l", null), ["shift_r"] = ("shift_r", null),
        ["delete"] = ("Delete", null), ["down"] = ("Down", null), ["end"] = ("End", null), ["enter"] = ("Return", null),
        ["esc"] = ("Escape", null), ["home"] = ("Home", null), ["left"] = ("Left", null), ["right"] = ("Right", null), ["up"] = ("Up", null),
        ["page_down"] = ("Next", null), ["page_up"] = ("Prior", null), ["space"] = ("space", " "), ["tab"] = ("Tab", null),
        ["insert"] = ("Insert", null), ["menu"] = ("Menu", null), ["num_lock"] = ("num_lock", null), ["pause"] = ("Pause", null),
        ["print_screen"] = ("Print", null), ["scroll_lock"] = ("Scroll_Lock", null),
        ["media_play_pause"] = ("XF86AudioPlay", null), ["media_volume_mute"] = ("XF86AudioMute", null),
        ["media_volume_down"] = ("XF86AudioLowerVolume", null), ["media_volume_up"] = ("XF86AudioRaiseVolume", null),
        ["media_previous"] = ("XF86AudioPrev", null), ["media_next"] = ("XF86AudioNext", null),
        // AgentNet's virtual-key names, lower-cased with '_' for ' ' ("Page Up" → page_up is above).
        ["shift_key"] = ("shift_l", null), ["control"] = ("control_l", null),
    };

    private static readonly Dictionary<char, string> Punctuation = new()
    {
        [' '] = "space", ['!'] = "exclam", ['"'] = "quotedbl", ['#'] = "numbersign", ['$'] = "dollar", ['%'] = "percent",
        ['&'] = "ampersand", ['\''] = "apostrophe", ['('] = "parenleft", [')'] = "parenright", ['*'] = "asterisk", ['+'] = "plus",
        [','] = "comma", ['-'] = "minus", ['.'] = "period", ['/'] = "slash", [':'] = "colon", [';'] = "semicolon", ['<'] = "less",
        ['='] = "equal", ['>'] = "greater", ['?'] = "question", ['@'] = "at", ['['] = "bracketleft", ['\\'] = "backslash",
        [']'] = "bracketright", ['^'] = "asciicircum", ['_'] = "underscore", ['`'] = "grave", ['{'] = "braceleft", ['|'] = "bar",
        ['}'] = "braceright", ['~'] = "asciitilde",
    };

    /// <summary>
    /// Our key name and text for pynput's <paramref name="name"/> under the modifiers held, or null
    /// for a key that cannot be named (AgentNet's <c>$Unknown (vk)$</c>, control characters).
    /// </summary>
    public static (string Key, string? Text)? Map(string name, Modifiers held)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Rune.DecodeFromUtf16(name, out var rune, out var used) == System.Buffers.OperationStatus.Done && used == name.Length)
        {
            return Character(rune, held);
        }
        if (name.Length is 2 or 3 && (name[0] is 'f' or 'F') && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var f) && f is >= 1 and <= 24)
        {
            return ("F" + f.ToString(CultureInfo.InvariantCulture), null);
        }
        var normal = name.Trim().Replace(' ', '_').ToLowerInvariant();
        return Named.TryGetValue(normal, out var named) ? named : null;
    }

    /// <summary>Which modifier a key is, if any (caps lock is a lock, toggled by its presses).</summary>
    public static Modifiers ModifierOf(string key) => key switch
    {
        "shift_l" or "shift_r" => Modifiers.Shift,
        "control_l" or "control_r" => Modifiers.Ctrl,
        "alt_l" or "alt_r" => Modifiers.Alt,
        "super_l" or "super_r" => Modifiers.Super,
        "iso_level3_shift" => Modifiers.AltGr,
        _ => Modifiers.None,
    };

    private static (string Key, string? Text)? Character(Rune rune, Modifiers held)
    {
        var value = rune.Value;
        if (value is >= 1 and <= 26)
        {
            // Ctrl+letter typed a control character (DuckTrack writes it as is): the letter's key.
            var letter = (char)('a' + value - 1);
            return (letter.ToString(), LetterText(letter, held));
        }
        if (value < 0x20 || value == 0x7f || Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Surrogate)
        {
            return null;
        }
        if (value < 0x80)
        {
            var c = (char)value;
            if (char.IsAsciiLetter(c))
            {
                var lower = char.ToLowerInvariant(c);
                // With Ctrl and without Shift the letter AgentNet writes upper-case (chr(code + 64)) was typed lower-case.
                var text = (held & Modifiers.Ctrl) != 0 && (held & Modifiers.Shift) == 0 ? lower.ToString() : c.ToString();
                return (lower.ToString(), text);
            }
            if (char.IsAsciiDigit(c))
            {
                return (c.ToString(), c.ToString());
            }
            return Punctuation.TryGetValue(c, out var keysym) ? (keysym, c.ToString()) : null;
        }
        // X names keysyms of other characters U+XXXX (U00E9 for é); the lower-case form is the base level.
        var baseRune = Rune.ToLowerInvariant(rune);
        return (string.Create(CultureInfo.InvariantCulture, $"U{baseRune.Value:X4}"), rune.ToString());
    }

    private static string LetterText(char letter, Modifiers held) =>
        ((held & Modifiers.Shift) != 0) ^ ((held & Modifiers.CapsLock) != 0) ? char.ToUpperInvariant(letter).ToString() : letter.ToString();
}
