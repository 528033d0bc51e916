using System.Runtime.InteropServices;
using System.Text;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Input;

/// <summary>A key event turned into names and text.</summary>
internal readonly record struct TranslatedKey(string Key, string? Text, Modifiers Modifiers, uint Keysym);

/// <summary>
/// Turns (keycode, modifier state) into the key's name and the text it produced.
/// For most keys it asks the server's own rules through <c>XLookupString</c> (the lookup
/// delegate), which knows every XKB key type. A keycode that a client remapped during the
/// recording (xdotool binds a spare keycode to 'é' for one keystroke) is resolved from our
/// stream-ordered <see cref="Keymap"/> instead, because Xlib's copy of the map may already be
/// restored by the time the key is translated; for those we apply the rules of XKB's standard
/// types ourselves (letters: shift XOR caps lock; keypad: num lock without shift; others:
/// shift; level 3 and group 2 select the further columns).
/// Runs on the input pump thread, never in the OS callback; strings are cached by keysym, so
/// steady typing allocates nothing.
/// </summary>
/// <param name="keymap">The stream-ordered keymap.</param>
/// <param name="serverLookup">XLookupString on a connection owned by the calling thread, or null to use our rules only.</param>
internal sealed class KeyTranslator(Keymap keymap, Func<int, ushort, uint>? serverLookup = null)
{
    private const ushort ShiftMask = 1 << 0;
    private const ushort LockMask = 1 << 1;
    private const ushort ControlMask = 1 << 2;

    private readonly Dictionary<uint, string> _names = [];
    private readonly Dictionary<uint, string?> _texts = [];

    public Keymap Keymap => keymap;

    public TranslatedKey Translate(int keycode, ushort state, bool isDown)
    {
        var modifiers = ModifiersOf(state);
        var baseKeysym = keymap.Get(keycode, 0);
        var name = NameOf(baseKeysym, keycode);
        if (!isDown)
        {
            return new TranslatedKey(name, null, modifiers, baseKeysym);
        }
        var keysym = serverLookup is not null && !keymap.IsPatched(keycode) ? serverLookup(keycode, state) : ResolveKeysym(keycode, state);
        // With ctrl, alt or super held, a key is a command for the application, not text.
        var producesText = (modifiers & (Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super)) == 0;
        var text = producesText ? TextOf(keysym) : null;
        return new TranslatedKey(name, text, modifiers, keysym);
    }

    public Modifiers ModifiersOf(ushort state)
    {
        var roles = keymap.Roles;
        var result = Modifiers.None;
        if ((state & ShiftMask) != 0)
        {
            result |= Modifiers.Shift;
        }
        if ((state & LockMask) != 0)
        {
            result |= Modifiers.CapsLock;
        }
        if ((state & ControlMask) != 0)
        {
            result |= Modifiers.Ctrl;
        }
        if ((state & roles.AltMask) != 0)
        {
            result |= Modifiers.Alt;
        }
        if ((state & roles.NumLockMask) != 0)
        {
            result |= Modifiers.NumLock;
        }
        if ((state & roles.SuperMask) != 0)
        {
            result |= Modifiers.Super;
        }
        if ((state & (roles.Level3Mask | roles.ModeSwitchMask)) != 0)
        {
            result |= Modifiers.AltGr;
        }
        return result;
    }

    /// <summary>The keysym a key produces in a modifier state, by our rules over the stream-ordered keymap.</summary>
    public uint ResolveKeysym(int keycode, ushort state)
    {
        var roles = keymap.Roles;
        // Under XKB the group is carried in state bits 13–14; a Mode_switch modifier bit does not switch it.
        var group = ((state >> 13) & 3) != 0 ? 1 : 0;
        var first = keymap.Get(keycode, group * 2);
        var second = keymap.Get(keycode, (group * 2) + 1);
        if (group == 1 && first == Keysyms.NoSymbol && second == Keysyms.NoSymbol)
        {
            first = keymap.Get(keycode, 0);
            second = keymap.Get(keycode, 1);
        }
        if ((state & roles.Level3Mask) != 0)
        {
            // XKB's core view lays out G1L1 G1L2 G2L1 G2L2 G1L3 G1L4 G2L3 G2L4.
            var third = keymap.Get(keycode, 4 + (group * 2));
            // Keys of XKB's CTRL+ALT type (F-keys, some keypad keys) show their Ctrl+Alt action
            // (XF86Switch_VT_1, XF86ClearGrab…) in that column; AltGr does not reach it.
            if (third != Keysyms.NoSymbol && !Keysyms.IsVendorAction(third))
            {
                first = third;
                second = keymap.Get(keycode, 5 + (group * 2));
            }
        }

        var shift = (state & ShiftMask) != 0;
        var capsLock = (state & LockMask) != 0;
        var (lower, upper) = Keysyms.ConvertCase(first);
        var isLetter = lower != upper && (second == Keysyms.NoSymbol || second == upper);
        if (second == Keysyms.NoSymbol)
        {
            second = isLetter ? upper : first;
            if (isLetter)
            {
                first = lower;
            }
        }

        if (Keysyms.IsKeypad(second))
        {
            // XKB's KEYPAD type: the digit needs num lock, and shift cancels it.
            return (state & roles.NumLockMask) != 0 && !shift ? second : first;
        }
        if (isLetter)
        {
            return shift ^ capsLock ? second : first;
        }
        return shift ? second : first;
    }

    /// <summary>
    /// The key's name: its base keysym as X names it (<c>a</c>, <c>Return</c>, <c>eacute</c>),
    /// with modifier keys in lower case (<c>shift_l</c>, <c>control_r</c>, <c>caps_lock</c>).
    /// </summary>
    public string NameOf(uint keysym, int keycode)
    {
        if (_names.TryGetValue(keysym == Keysyms.NoSymbol ? 0x8000_0000u | (uint)keycode : keysym, out var cached))
        {
            return cached;
        }
        string name;
        if (keysym == Keysyms.NoSymbol)
        {
            name = $"keycode_{keycode}";
            _names[0x8000_0000u | (uint)keycode] = name;
            return name;
        }
        var native = Marshal.PtrToStringUTF8(Xlib.XKeysymToString(keysym));
        name = native ?? $"0x{keysym:x}";
        if (Keysyms.IsModifier(keysym))
        {
            name = name.ToLowerInvariant();
        }
        _names[keysym] = name;
        return name;
    }

    /// <summary>The characters a keysym types, or null for keys that type none (Return, Tab, arrows, F-keys).</summary>
    public unsafe string? TextOf(uint keysym)
    {
        if (_texts.TryGetValue(keysym, out var cached))
        {
            return cached;
        }
        string? text = null;
        if (keysym != Keysyms.NoSymbol)
        {
            var buffer = stackalloc byte[16];
            var written = XkbCommon.xkb_keysym_to_utf8(keysym, buffer, 16);
            if (written > 1)
            {
                var candidate = Encoding.UTF8.GetString(buffer, written - 1);
                // Return, Tab, BackSpace, Escape and Delete come back as control characters: they are keys, not text.
                if (!candidate.Any(char.IsControl))
                {
                    text = candidate;
                }
            }
        }
        _texts[keysym] = text;
        return text;
    }
}
