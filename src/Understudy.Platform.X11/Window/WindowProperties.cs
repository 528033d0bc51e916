using System.Runtime.InteropServices;
using System.Text;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Window;

/// <summary>Reads single window properties (format 32 windows and cardinals, format 8 strings) with bounded sizes.</summary>
internal static unsafe class WindowProperties
{
    public static nuint ReadWindow(nint display, nuint window, nuint property)
    {
        if (Xlib.XGetWindowProperty(display, window, property, 0, 1, 0, Xlib.XA_WINDOW, out _, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return 0;
        }
        try
        {
            // Format-32 properties arrive as C longs.
            return format == 32 && count >= 1 && data != 0 ? *(nuint*)data : 0;
        }
        finally
        {
            if (data != 0)
            {
                Xlib.XFree(data);
            }
        }
    }

    public static ulong? ReadCardinal(nint display, nuint window, nuint property)
    {
        if (Xlib.XGetWindowProperty(display, window, property, 0, 1, 0, Xlib.XA_CARDINAL, out _, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return null;
        }
        try
        {
            return format == 32 && count >= 1 && data != 0 ? *(ulong*)data : null;
        }
        finally
        {
            if (data != 0)
            {
                Xlib.XFree(data);
            }
        }
    }

    public static string? ReadString(nint display, nuint window, nuint property, nuint type)
    {
        // Titles longer than 4 KiB are cut: enough for any real title, bounded for a hostile one.
        if (Xlib.XGetWindowProperty(display, window, property, 0, 1024, 0, type, out var actualType, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return null;
        }
        try
        {
            if (data == 0 || format != 8 || actualType == 0)
            {
                return null;
            }
            var bytes = new ReadOnlySpan<byte>((void*)data, (int)count);
            // WM_NAME may be Latin-1 (STRING) rather than UTF-8.
            return actualType == Xlib.XA_STRING ? Encoding.Latin1.GetString(bytes) : Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            if (data != 0)
            {
                Xlib.XFree(data);
            }
        }
    }

    /// <summary>WM_CLASS: the instance (res_name) and class (res_class) parts, either null when absent.</summary>
    public static (string? Instance, string? Class) ReadClassHint(nint display, nuint window)
    {
        XClassHint hint = default;
        if (Xlib.XGetClassHint(display, window, &hint) == 0)
        {
            return (null, null);
        }
        var instance = Marshal.PtrToStringUTF8(hint.ResName);
        var wmClass = Marshal.PtrToStringUTF8(hint.ResClass);
        if (hint.ResName != 0)
        {
            Xlib.XFree(hint.ResName);
        }
        if (hint.ResClass != 0)
        {
            Xlib.XFree(hint.ResClass);
        }
        return (instance, wmClass);
    }

    /// <summary>The four cardinals of a property such as <c>_NET_FRAME_EXTENTS</c> (left, right, top, bottom), or null.</summary>
    public static (int Left, int Right, int Top, int Bottom)? ReadFourCardinals(nint display, nuint window, nuint property)
    {
        if (Xlib.XGetWindowProperty(display, window, property, 0, 4, 0, Xlib.XA_CARDINAL, out _, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return null;
        }
        try
        {
            if (format != 32 || count < 4 || data == 0)
            {
                return null;
            }
            var values = (ulong*)data;
            return ((int)Math.Min(values[0], 4096), (int)Math.Min(values[1], 4096), (int)Math.Min(values[2], 4096), (int)Math.Min(values[3], 4096));
        }
        finally
        {
            Xlib.XFree(data);
        }
    }
}
