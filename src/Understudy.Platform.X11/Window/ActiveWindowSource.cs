using System.Runtime.InteropServices;
using System.Text;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Window;

/// <summary>
/// Which application is in front: follows EWMH <c>_NET_ACTIVE_WINDOW</c> on the root window and
/// the title of the active window, and emits a <c>focus</c> event whenever either changes
/// (window managers often announce the same change twice; repeats are dropped).
/// </summary>
internal sealed unsafe class ActiveWindowSource(string? displayName) : ICaptureSource
{
    private X11Connection? _connection;
    private Thread? _thread;
    private volatile bool _running;
    private ICaptureSink? _sink;
    private nuint _root;
    private nuint _activeWindow;
    private FocusPayload? _lastEmitted;
    private Atoms _atoms;
    private readonly WakeupFd _stopSignal = new();

    public string Name => "x11-window";

    public void Start(ICaptureSink sink)
    {
        _sink = sink;
        _connection = X11Connection.Open(displayName);
        _connection.Lost += OnLost;
        var display = _connection.Handle;
        _atoms = new Atoms(display);
        _root = Xlib.XDefaultRootWindow(display);
        Xlib.XSelectInput(display, _root, (nint)Xlib.PropertyChangeMask);
        _running = true;
        _thread = new Thread(Loop) { IsBackground = true, Name = "x11-window" };
        _thread.Start();
    }

    public void Stop()
    {
        _running = false;
        _stopSignal.Signal();
        _thread?.Join(TimeSpan.FromSeconds(3));
    }

    public void Dispose()
    {
        Stop();
        if (_thread is null || !_thread.IsAlive)
        {
            _connection?.Dispose();
            _stopSignal.Dispose();
        }
    }

    private void Loop()
    {
        var connection = _connection!;
        var display = connection.Handle;
        Refresh(activeChanged: true);
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = Xlib.XConnectionNumber(display), Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = _stopSignal.Fd, Events = Libc.POLLIN };
        var eventBuffer = stackalloc byte[Xlib.XEventSize];
        while (_running && !connection.IsLost)
        {
            if (Xlib.XPending(display) == 0)
            {
                // Sleep on the socket and on the stop signal rather than in XNextEvent, so that
                // Stop is noticed at once and nothing wakes us while nothing changes.
                fds[0].Revents = 0;
                fds[1].Revents = 0;
                Libc.poll(fds, 2, -1);
                if (!_running || Xlib.XPending(display) == 0)
                {
                    continue;
                }
            }
            var activeChanged = false;
            var titleChanged = false;
            while (Xlib.XPending(display) > 0 && !connection.IsLost)
            {
                Xlib.XNextEvent(display, eventBuffer);
                if (*(int*)eventBuffer != Xlib.PropertyNotify)
                {
                    continue;
                }
                var window = *(nuint*)(eventBuffer + 32);
                var atom = *(nuint*)(eventBuffer + 40);
                if (window == _root && atom == _atoms.NetActiveWindow)
                {
                    activeChanged = true;
                }
                else if (window == _activeWindow && (atom == _atoms.NetWmName || atom == _atoms.WmName))
                {
                    titleChanged = true;
                }
            }
            if (activeChanged || titleChanged)
            {
                Refresh(activeChanged);
            }
        }
    }

    private void Refresh(bool activeChanged)
    {
        var display = _connection!.Handle;
        if (activeChanged)
        {
            var active = WindowProperties.ReadWindow(display, _root, _atoms.NetActiveWindow);
            if (active != _activeWindow)
            {
                if (_activeWindow != 0)
                {
                    Xlib.XSelectInput(display, _activeWindow, 0);
                }
                _activeWindow = active;
                if (active != 0)
                {
                    // Title changes of the window in front matter (a browser tab switch changes only the title).
                    Xlib.XSelectInput(display, active, (nint)Xlib.PropertyChangeMask);
                }
            }
        }
        var focus = Describe(display, _activeWindow);
        if (focus is null || focus == _lastEmitted)
        {
            return;
        }
        _lastEmitted = focus;
        _sink!.Post(new CapturedEvent(MonotonicClock.NowNs(), DateTimeOffset.UtcNow, focus));
    }

    private FocusPayload? Describe(nint display, nuint window)
    {
        if (window == 0)
        {
            // Nothing in front (desktop, or a window manager without EWMH): say so once.
            return new FocusPayload("", null, null, null, null, 0);
        }
        var (instance, appClass) = WindowProperties.ReadClassHint(display, window);
        var title = WindowProperties.ReadString(display, window, _atoms.NetWmName, _atoms.Utf8String)
            ?? WindowProperties.ReadString(display, window, _atoms.WmName, Xlib.AnyPropertyType);
        var pid = WindowProperties.ReadCardinal(display, window, _atoms.NetWmPid);
        Rect? bounds = null;
        if (Xlib.XGetGeometry(display, window, out _, out _, out _, out var width, out var height, out _, out _) != 0 &&
            Xlib.XTranslateCoordinates(display, window, _root, 0, 0, out var x, out var y, out _) != 0)
        {
            bounds = new Rect(x, y, (int)width, (int)height);
        }
        return new FocusPayload(appClass ?? instance ?? "", instance, title, pid is { } p ? (int)p : null, bounds, (long)window);
    }

    private void OnLost(X11Connection connection)
    {
        _running = false;
        _sink?.Fault(new CaptureFault(Name, $"the X server connection to '{connection.Name}' was lost", DisplayLost: true));
    }

    private readonly struct Atoms(nint display)
    {
        public readonly nuint NetActiveWindow = Xlib.XInternAtom(display, "_NET_ACTIVE_WINDOW", 0);
        public readonly nuint NetWmName = Xlib.XInternAtom(display, "_NET_WM_NAME", 0);
        public readonly nuint WmName = Xlib.XInternAtom(display, "WM_NAME", 0);
        public readonly nuint NetWmPid = Xlib.XInternAtom(display, "_NET_WM_PID", 0);
        public readonly nuint Utf8String = Xlib.XInternAtom(display, "UTF8_STRING", 0);
    }
}
