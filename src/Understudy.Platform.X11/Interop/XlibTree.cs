using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>Window-tree queries used to find which client window (and process) is under a point.</summary>
internal static unsafe partial class Xlib
{
    [LibraryImport(NativeLibraries.X11)]
    public static partial int XQueryTree(nint display, nuint window, out nuint root, out nuint parent, out nuint* children, out uint childCount);
}

/// <summary>setenv(3): libatspi reads the bus address from the C environment, which .NET's own environment does not reach.</summary>
internal static partial class NativeEnvironment
{
    [LibraryImport(NativeLibraries.Libc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int setenv(string name, string value, int overwrite);
}
