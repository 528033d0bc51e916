using System.Text;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Accessibility;

/// <summary>
/// X-side helpers for the accessibility thread: the AT-SPI bus address the display advertises,
/// and the process owning the top-level window under a point, so that a hit test asks only that
/// application (a hung application elsewhere then costs nothing).
/// </summary>
internal sealed unsafe class PointerWindows : IDisposable
{
    private readonly X11Connection _connection;
    private readonly nuint _root;
    private readonly nuint _wmState;
    private readonly nuint _netWmPid;
    private readonly nuint _atSpiBus;

    public PointerWindows(string? displayName)
    {
        _connection = X11Connection.Open(displayName);
        var display = _connection.Handle;
        _root = Xlib.XDefaultRootWindow(display);
        _wmState = Xlib.XInternAtom(display, "WM_STATE", 0);
        _netWmPid = Xlib.XInternAtom(display, "_NET_WM_PID", 0);
        _atSpiBus = Xlib.XInternAtom(display, "AT_SPI_BUS", 0);
    }

    /// <summary>The address the bus launcher wrote on the root window (AT_SPI_BUS), or null.</summary>
    public string? AdvertisedBusAddress()
    {
        var display = _connection.Handle;
        if (Xlib.XGetWindowProperty(display, _root, _atSpiBus, 0, 1024, 0, Xlib.AnyPropertyType, out _, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return null;
        }
        try
        {
            return data == 0 || format != 8 || count == 0 ? null : Encoding.UTF8.GetString(new ReadOnlySpan<byte>((void*)data, (int)count));
        }
        finally
        {
            if (data != 0)
            {
                Xlib.XFree(data);
            }
        }
    }

    /// <summary>The _NET_WM_PID of the managed window under (x, y), or null (desktop, override-redirect popup, no pid).</summary>
    public int? ProcessAt(int x, int y)
    {
        var display = _connection.Handle;
        if (_connection.IsLost || Xlib.XTranslateCoordinates(display, _root, _root, x, y, out _, out _, out var topLevel) == 0 || topLevel == 0)
        {
            return null;
        }
        var client = FindClient(display, topLevel, depth: 0);
        if (client == 0)
        {
            return null;
        }
        if (Xlib.XGetWindowProperty(display, client, _netWmPid, 0, 1, 0, Xlib.XA_CARDINAL, out _, out var format, out var count, out _, out var data) != Xlib.Success)
        {
            return null;
        }
        try
        {
            return format == 32 && count >= 1 && data != 0 ? (int)*(ulong*)data : null;
        }
        finally
        {
            if (data != 0)
            {
                Xlib.XFree(data);
            }
        }
    }

    /// <summary>The window carrying WM_STATE at or below a window-manager frame (the ICCCM client window).</summary>
    private nuint FindClient(nint display, nuint window, int depth)
    {
        if (HasProperty(display, window, _wmState))
        {
            return window;
        }
        // Window-manager frames nest the client one or two levels down; deeper is not a client.
        if (depth >= 3 || Xlib.XQueryTree(display, window, out _, out _, out var children, out var childCount) == 0)
        {
            return 0;
        }
        try
        {
            for (var i = (int)childCount - 1; i >= 0; i--)
            {
                var found = FindClient(display, children[i], depth + 1);
                if (found != 0)
                {
                    return found;
                }
            }
            return 0;
        }
        finally
        {
            if (children != null)
            {
                Xlib.XFree((nint)children);
            }
        }
    }

    private static bool HasProperty(nint display, nuint window, nuint property)
    {
        if (Xlib.XGetWindowProperty(display, window, property, 0, 0, 0, Xlib.AnyPropertyType, out var type, out _, out _, out _, out var data) != Xlib.Success)
        {
            return false;
        }
        if (data != 0)
        {
            Xlib.XFree(data);
        }
        return type != 0;
    }

    public void Dispose() => _connection.Dispose();
}
