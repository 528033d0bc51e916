using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;
using Understudy.Platform.X11.Window;

namespace Understudy.Platform.X11.Screen;

/// <summary>
/// The stacking order of top-level windows, read with <c>XQueryTree</c> on the root window (bottom
/// to top, override-redirect popups such as menus and combo lists included). A window manager
/// reparents each application window into a frame; the client inside it carries WM_CLASS and
/// <c>_NET_WM_PID</c>. What never changes for a window (its client, class, pid, frame extents) is
/// cached by window id, so a snapshot costs one round trip plus one per top-level window.
/// </summary>
public sealed unsafe class X11WindowLayoutProbe : IWindowLayoutProbe
{
    private const int MaxWindows = 512;
    private readonly X11Connection _connection;
    private readonly nuint _root;
    private readonly nuint _netWmPid;
    private readonly nuint _netWmName;
    private readonly nuint _utf8String;
    private readonly nuint _frameExtents;
    private readonly nuint _wmState;
    private readonly Dictionary<nuint, WindowFacts> _facts = [];
    private readonly HashSet<nuint> _seen = [];
    private long _snapshots;

    // The layout as last read; reused until the server reports a change under the root window
    // (map, unmap, move, resize, restack) or a second has passed (titles, for title rules).
    private VisibleWindow[]? _cached;
    private const int RefreshEvery = 20;
    private const nint SubstructureNotifyMask = 1 << 19;

    private X11WindowLayoutProbe(X11Connection connection)
    {
        _connection = connection;
        var display = connection.Handle;
        _root = Xlib.XDefaultRootWindow(display);
        _netWmPid = Xlib.XInternAtom(display, "_NET_WM_PID", 0);
        _netWmName = Xlib.XInternAtom(display, "_NET_WM_NAME", 0);
        _utf8String = Xlib.XInternAtom(display, "UTF8_STRING", 0);
        _frameExtents = Xlib.XInternAtom(display, "_NET_FRAME_EXTENTS", 0);
        _wmState = Xlib.XInternAtom(display, "WM_STATE", 0);
        Xlib.XSelectInput(display, _root, SubstructureNotifyMask);
        Xlib.XFlush(display);
    }

    public static X11WindowLayoutProbe Open(string? displayName) => new(X11Connection.Open(displayName));

    public bool TrySnapshot(List<VisibleWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.Clear();
        if (_connection.IsLost)
        {
            return false;
        }
        var display = _connection.Handle;
        var changed = _cached is null || _snapshots % RefreshEvery == 0;
        var eventBuffer = stackalloc byte[Xlib.XEventSize];
        // One round trip: every change the server made before this point (and so before the grab
        // just taken) is now in our queue.
        Xlib.XSync(display, 0);
        while (Xlib.XPending(display) > 0 && !_connection.IsLost)
        {
            Xlib.XNextEvent(display, eventBuffer);
            changed = true;
        }
        if (!changed)
        {
            windows.AddRange(_cached!);
            _snapshots++;
            return !_connection.IsLost;
        }
        if (Xlib.XQueryTree(display, _root, out _, out _, out var children, out var count) == 0)
        {
            _cached = null;
            return false;
        }
        try
        {
            _seen.Clear();
            for (var i = 0; i < Math.Min(count, (uint)MaxWindows); i++)
            {
                var window = children[i];
                XWindowAttributes attributes;
                if (Xlib.XGetWindowAttributes(display, window, &attributes) == 0 || attributes.MapState != Xlib.IsViewable || attributes.Class != 1)
                {
                    continue;
                }
                _seen.Add(window);
                if (!_facts.TryGetValue(window, out var facts))
                {
                    facts = Learn(display, window, attributes.OverrideRedirect != 0);
                    _facts[window] = facts;
                }
                var border = attributes.BorderWidth;
                var frame = new Rect(attributes.X, attributes.Y, attributes.Width + (2 * border), attributes.Height + (2 * border));
                var (left, right, top, bottom) = facts.Extents;
                var client = new Rect(
                    attributes.X + border + left,
                    attributes.Y + border + top,
                    Math.Max(0, attributes.Width - left - right),
                    Math.Max(0, attributes.Height - top - bottom));
                // Titles change; they matter only to title rules, and are read fresh every second.
                var title = facts.Title;
                if (facts.Client != 0 && (_snapshots - facts.TitleReadAt > 20 || facts.TitleReadAt < 0))
                {
                    title = WindowProperties.ReadString(display, facts.Client, _netWmName, _utf8String);
                    _facts[window] = facts with { Title = title, TitleReadAt = _snapshots };
                }
                windows.Add(new VisibleWindow((long)facts.Client, facts.Class, facts.Instance, title, facts.Pid, frame, client));
            }
        }
        finally
        {
            Xlib.XFree((nint)children);
        }
        _snapshots++;
        if (_facts.Count > 4 * MaxWindows)
        {
            foreach (var gone in _facts.Keys.Where(k => !_seen.Contains(k)).ToList())
            {
                _facts.Remove(gone);
            }
        }
        _cached = [.. windows];
        // A window destroyed between the tree and its attributes is skipped; a lost connection fails.
        return !_connection.IsLost;
    }

    private WindowFacts Learn(nint display, nuint window, bool overrideRedirect)
    {
        // The client is the window itself (override-redirect popups, unmanaged windows) or the
        // child carrying WM_STATE inside a window manager's frame.
        var client = overrideRedirect || HasWmState(display, window) ? window : FindClient(display, window);
        string? instance = null;
        string? wmClass = null;
        int? pid = null;
        var extents = (0, 0, 0, 0);
        if (client != 0)
        {
            (instance, wmClass) = WindowProperties.ReadClassHint(display, client);
            pid = WindowProperties.ReadCardinal(display, client, _netWmPid) is { } p and < int.MaxValue ? (int)p : null;
            if (client != window)
            {
                extents = WindowProperties.ReadFourCardinals(display, client, _frameExtents) ?? ClientOffset(display, client, window);
            }
        }
        return new WindowFacts(client, wmClass, instance, pid, extents, null, -1);
    }

    /// <summary>Without _NET_FRAME_EXTENTS: the client's position inside the frame, and the frame's remaining size.</summary>
    private static (int, int, int, int) ClientOffset(nint display, nuint client, nuint frame)
    {
        if (Xlib.XGetGeometry(display, client, out _, out var x, out var y, out var width, out var height, out _, out _) == 0 ||
            Xlib.XGetGeometry(display, frame, out _, out _, out _, out var frameWidth, out var frameHeight, out _, out _) == 0)
        {
            return (0, 0, 0, 0);
        }
        return (x, Math.Max(0, (int)frameWidth - x - (int)width), y, Math.Max(0, (int)frameHeight - y - (int)height));
    }

    private bool HasWmState(nint display, nuint window)
    {
        if (Xlib.XGetWindowProperty(display, window, _wmState, 0, 1, 0, Xlib.AnyPropertyType, out var type, out _, out _, out _, out var data) != Xlib.Success)
        {
            return false;
        }
        if (data != 0)
        {
            Xlib.XFree(data);
        }
        return type != 0;
    }

    private nuint FindClient(nint display, nuint frame)
    {
        // Openbox nests the client one or two levels down; look three deep at most.
        var level = new List<nuint> { frame };
        for (var depth = 0; depth < 3 && level.Count > 0; depth++)
        {
            var next = new List<nuint>();
            foreach (var parent in level)
            {
                if (Xlib.XQueryTree(display, parent, out _, out _, out var children, out var count) == 0)
                {
                    continue;
                }
                try
                {
                    for (var i = 0; i < Math.Min(count, 64u); i++)
                    {
                        if (HasWmState(display, children[i]))
                        {
                            return children[i];
                        }
                        next.Add(children[i]);
                    }
                }
                finally
                {
                    if (children != null)
                    {
                        Xlib.XFree((nint)children);
                    }
                }
            }
            level = next;
        }
        return 0;
    }

    public void Dispose() => _connection.Dispose();

    private sealed record WindowFacts(nuint Client, string? Class, string? Instance, int? Pid, (int Left, int Right, int Top, int Bottom) Extents, string? Title, long TitleReadAt);
}
