namespace Understudy.Platform.X11.Input;

/// <summary>The keysym values the translator reasons about (X11 keysymdef.h).</summary>
internal static class Keysyms
{
    public const uint NoSymbol = 0;
    public const uint ShiftL = 0xffe1;
    public const uint ShiftR = 0xffe2;
    public const uint ControlL = 0xffe3;
    public const uint ControlR = 0xffe4;
    public const uint CapsLock = 0xffe5;
    public const uint ShiftLock = 0xffe6;
    public const uint MetaL = 0xffe7;
    public const uint MetaR = 0xffe8;
    public const uint AltL = 0xffe9;
    public const uint AltR = 0xffea;
    public const uint SuperL = 0xffeb;
    public const uint SuperR = 0xffec;
    public const uint HyperL = 0xffed;
    public const uint HyperR = 0xffee;
    public const uint NumLock = 0xff7f;
    public const uint ModeSwitch = 0xff7e;
    public const uint IsoLevel3Shift = 0xfe03;
    public const uint UnicodeOffset = 0x01000000;

    public static bool IsModifier(uint keysym) =>
        keysym is >= ShiftL and <= HyperR or NumLock or ModeSwitch or >= 0xfe01 and <= 0xfe0f;

    /// <summary>XFree86 vendor action keysyms (0x1008FE00–0x1008FEFF): VT switches, grabs, zoom.</summary>
    public static bool IsVendorAction(uint keysym) => keysym is >= 0x1008fe00 and <= 0x1008feff;

    public static bool IsKeypad(uint keysym) => keysym is >= 0xff80 and <= 0xffbd || (keysym >= 0x11000000 && keysym <= 0x1100ffff);

    /// <summary>Lower and upper case forms of a keysym; both equal when it has no case.</summary>
    public static (uint Lower, uint Upper) ConvertCase(uint keysym)
    {
        if (keysym >= UnicodeOffset && keysym <= UnicodeOffset + 0x10ffff)
        {
            var codePoint = (int)(keysym - UnicodeOffset);
            if (codePoint > 0xffff || char.IsSurrogate((char)codePoint))
            {
                return (keysym, keysym);
            }
            var c = (char)codePoint;
            return (UnicodeOffset + char.ToLowerInvariant(c), UnicodeOffset + char.ToUpperInvariant(c));
        }
        return keysym switch
        {
            >= 'a' and <= 'z' => (keysym, keysym - 0x20),
            >= 'A' and <= 'Z' => (keysym + 0x20, keysym),
            // Latin-1 letters; 0xd7 (×) and 0xf7 (÷) have no case, ß (0xdf) and ÿ (0xff) have no Latin-1 upper form.
            >= 0xe0 and <= 0xfe when keysym != 0xf7 => (keysym, keysym - 0x20),
            >= 0xc0 and <= 0xde when keysym != 0xd7 => (keysym + 0x20, keysym),
            _ => (keysym, keysym),
        };
    }
}
