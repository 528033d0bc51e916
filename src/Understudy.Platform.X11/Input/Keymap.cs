namespace Understudy.Platform.X11.Input;

/// <summary>What each of the eight X modifier bits means on this server.</summary>
internal readonly record struct ModifierRoles(ushort AltMask, ushort NumLockMask, ushort SuperMask, ushort Level3Mask, ushort ModeSwitchMask)
{
    /// <summary>The usual assignment (Mod1 alt, Mod2 num lock, Mod4 super, Mod5 level 3), used when the server map says nothing.</summary>
    public static ModifierRoles Default { get; } = new(AltMask: 1 << 3, NumLockMask: 1 << 4, SuperMask: 1 << 6, Level3Mask: 1 << 7, ModeSwitchMask: 0);

    /// <summary>Derives the roles from the keysyms bound to each modifier (what XGetModifierMapping returns).</summary>
    public static ModifierRoles FromModifierKeysyms(IReadOnlyList<IReadOnlyList<uint>> keysymsPerModifier)
    {
        ushort alt = 0, numLock = 0, super = 0, level3 = 0, modeSwitch = 0;
        // Rows 0–2 are Shift, Lock and Control, fixed by the protocol; only Mod1–Mod5 vary.
        for (var row = 3; row < Math.Min(8, keysymsPerModifier.Count); row++)
        {
            var bit = (ushort)(1 << row);
            foreach (var keysym in keysymsPerModifier[row])
            {
                switch (keysym)
                {
                    case Keysyms.AltL or Keysyms.AltR or Keysyms.MetaL or Keysyms.MetaR:
                        alt |= bit;
                        break;
                    case Keysyms.NumLock:
                        numLock |= bit;
                        break;
                    case Keysyms.SuperL or Keysyms.SuperR or Keysyms.HyperL or Keysyms.HyperR:
                        super |= bit;
                        break;
                    case Keysyms.IsoLevel3Shift:
                        level3 |= bit;
                        break;
                    case Keysyms.ModeSwitch:
                        modeSwitch |= bit;
                        break;
                }
            }
        }
        return new ModifierRoles(alt, numLock, super, level3, modeSwitch);
    }
}

/// <summary>
/// The server's keycode → keysym table, kept by us rather than read from Xlib's cache so that
/// it can be updated in the same order as the recorded input: a client that remaps a keycode
/// for one keystroke (xdotool typing 'é') changes it before the press and restores it after
/// the release, and the recorded stream carries both changes in order.
/// </summary>
internal sealed class Keymap
{
    private uint[] _keysyms;

    public Keymap(int minKeycode, int maxKeycode, int keysymsPerKeycode, uint[] keysyms, ModifierRoles roles)
    {
        if (minKeycode < 8 || maxKeycode > 255 || maxKeycode < minKeycode || keysymsPerKeycode < 1)
        {
            throw new ArgumentException($"invalid keymap range {minKeycode}..{maxKeycode} × {keysymsPerKeycode}");
        }
        if (keysyms.Length != (maxKeycode - minKeycode + 1) * keysymsPerKeycode)
        {
            throw new ArgumentException("keysym table size does not match the keycode range");
        }
        MinKeycode = minKeycode;
        MaxKeycode = maxKeycode;
        KeysymsPerKeycode = keysymsPerKeycode;
        _keysyms = keysyms;
        Roles = roles;
    }

    public int MinKeycode { get; }

    public int MaxKeycode { get; }

    public int KeysymsPerKeycode { get; private set; }

    public ModifierRoles Roles { get; set; }

    private readonly bool[] _patched = new bool[256];

    /// <summary>True once a recorded request changed this keycode: the server's own lookup may then lag behind the stream.</summary>
    public bool IsPatched(int keycode) => keycode is >= 0 and < 256 && _patched[keycode];

    public uint Get(int keycode, int column)
    {
        if (keycode < MinKeycode || keycode > MaxKeycode || column < 0 || column >= KeysymsPerKeycode)
        {
            return Keysyms.NoSymbol;
        }
        return _keysyms[((keycode - MinKeycode) * KeysymsPerKeycode) + column];
    }

    /// <summary>Applies a ChangeKeyboardMapping request: <paramref name="count"/> keycodes from <paramref name="firstKeycode"/>, <paramref name="perKeycode"/> keysyms each.</summary>
    public void Apply(int firstKeycode, int count, int perKeycode, ReadOnlySpan<uint> keysyms)
    {
        if (count <= 0 || perKeycode <= 0 || keysyms.Length < count * perKeycode)
        {
            return;
        }
        if (perKeycode > KeysymsPerKeycode)
        {
            Widen(perKeycode);
        }
        for (var i = 0; i < count; i++)
        {
            var keycode = firstKeycode + i;
            if (keycode < MinKeycode || keycode > MaxKeycode)
            {
                continue;
            }
            _patched[keycode] = true;
            var row = (keycode - MinKeycode) * KeysymsPerKeycode;
            for (var column = 0; column < KeysymsPerKeycode; column++)
            {
                _keysyms[row + column] = column < perKeycode ? keysyms[(i * perKeycode) + column] : Keysyms.NoSymbol;
            }
        }
    }

    private void Widen(int perKeycode)
    {
        var rows = MaxKeycode - MinKeycode + 1;
        var wider = new uint[rows * perKeycode];
        for (var row = 0; row < rows; row++)
        {
            Array.Copy(_keysyms, row * KeysymsPerKeycode, wider, row * perKeycode, KeysymsPerKeycode);
        }
        _keysyms = wider;
        KeysymsPerKeycode = perKeycode;
    }
}
