using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Input;

/// <summary>Reads the server's current keyboard and modifier mappings into a <see cref="Keymap"/>.</summary>
internal static unsafe class KeymapLoader
{
    public static Keymap Load(nint display)
    {
        Xlib.XDisplayKeycodes(display, out var min, out var max);
        var count = max - min + 1;
        var native = Xlib.XGetKeyboardMapping(display, (byte)min, count, out var perKeycode);
        if (native == null || perKeycode <= 0)
        {
            throw new InvalidOperationException("the X server returned no keyboard mapping");
        }
        var keysyms = new uint[count * perKeycode];
        try
        {
            for (var i = 0; i < keysyms.Length; i++)
            {
                keysyms[i] = (uint)native[i];
            }
        }
        finally
        {
            Xlib.XFree((nint)native);
        }
        var keymap = new Keymap(min, max, perKeycode, keysyms, ModifierRoles.Default);
        keymap.Roles = LoadRoles(display, keymap);
        return keymap;
    }

    public static ModifierRoles LoadRoles(nint display, Keymap keymap)
    {
        var modmap = Xlib.XGetModifierMapping(display);
        if (modmap == null)
        {
            return ModifierRoles.Default;
        }
        try
        {
            var rows = new List<IReadOnlyList<uint>>(8);
            for (var row = 0; row < 8; row++)
            {
                var keysyms = new List<uint>();
                for (var i = 0; i < modmap->MaxKeysPerModifier; i++)
                {
                    var keycode = modmap->ModifierMap[(row * modmap->MaxKeysPerModifier) + i];
                    if (keycode == 0)
                    {
                        continue;
                    }
                    for (var column = 0; column < Math.Min(4, keymap.KeysymsPerKeycode); column++)
                    {
                        var keysym = keymap.Get(keycode, column);
                        if (keysym != Keysyms.NoSymbol)
                        {
                            keysyms.Add(keysym);
                        }
                    }
                }
                rows.Add(keysyms);
            }
            var roles = ModifierRoles.FromModifierKeysyms(rows);
            return roles == default ? ModifierRoles.Default : roles;
        }
        finally
        {
            Xlib.XFreeModifiermap(modmap);
        }
    }
}
