using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Input;

/// <summary>
/// One record from the XRecord callback, copied by value into the ring. Fixed size and
/// unmanaged so that the callback never allocates.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RawInput
{
    public const byte KeyPress = 2;
    public const byte KeyRelease = 3;
    public const byte ButtonPress = 4;
    public const byte ButtonRelease = 5;
    public const byte MotionNotify = 6;

    /// <summary>A client changed a few keycodes (core ChangeKeyboardMapping), carried inline.</summary>
    public const byte KeymapPatch = 100;

    /// <summary>A client changed the keymap in a way too large to carry; read it from the server again.</summary>
    public const byte KeymapReload = 101;

    public const int MaxInlineKeysyms = 8;

    /// <summary>Arrival time on our monotonic clock; the wall time is derived later, off the callback.</summary>
    public long MonoNs;
    public uint ServerTime;
    public byte Type;
    public byte Detail;
    public ushort State;
    public short RootX;
    public short RootY;
    public byte PatchFirstKeycode;
    public byte PatchKeycodeCount;
    public byte PatchKeysymsPerKeycode;
    public fixed uint PatchKeysyms[MaxInlineKeysyms];
}
