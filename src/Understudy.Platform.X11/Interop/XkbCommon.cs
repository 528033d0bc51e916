using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

internal static unsafe partial class XkbCommon
{
    /// <summary>Writes the UTF-8 of a keysym; returns the byte count including the NUL, 0 if none, -1 if the buffer is too small.</summary>
    [LibraryImport(NativeLibraries.XkbCommon)]
    public static partial int xkb_keysym_to_utf8(uint keysym, byte* buffer, nuint size);
}
