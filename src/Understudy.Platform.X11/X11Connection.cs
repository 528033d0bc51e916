using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11;

/// <summary>
/// One Xlib connection. Xlib's defaults are wrong for a recorder: a protocol error (a window
/// closing while we read its title) prints and exits, and a lost connection exits the process
/// before we can close the session. We install handlers that count errors and report the loss
/// instead, so the recorder can flush and close its session cleanly.
/// </summary>
internal sealed unsafe class X11Connection : IDisposable
{
    private static int s_handlersInstalled;
    private static long s_protocolErrors;

    // Displays whose server went away. After an I/O error Xlib may leave a display's lock held,
    // and XCloseDisplay on any connection to that server then blocks forever; a dead server has
    // nothing to release, so those connections are abandoned instead of closed.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> s_lostDisplays = new(StringComparer.Ordinal);

    private GCHandle _self;
    private nint _display;
    private int _lost;

    private X11Connection(nint display, string name)
    {
        _display = display;
        Name = name;
        _self = GCHandle.Alloc(this);
        Xlib.XSetIOErrorExitHandler(display, &OnConnectionLost, GCHandle.ToIntPtr(_self));
    }

    public string Name { get; }

    public nint Handle => _display;

    public bool IsLost => Volatile.Read(ref _lost) != 0 || s_lostDisplays.ContainsKey(Name);

    /// <summary>Called once, from whichever thread noticed, when the X server connection breaks.</summary>
    public event Action<X11Connection>? Lost;

    public static long ProtocolErrors => Interlocked.Read(ref s_protocolErrors);

    /// <summary>Opens the display, or throws <see cref="CaptureUnavailableException"/> saying what to do.</summary>
    public static X11Connection Open(string? displayName)
    {
        InstallProcessHandlers();
        var name = displayName ?? Environment.GetEnvironmentVariable("DISPLAY");
        if (string.IsNullOrEmpty(name))
        {
            throw new CaptureUnavailableException(
                "no X display: DISPLAY is not set. Run on an X11 desktop, or try 'understudy demo', which starts a virtual one.");
        }
        var display = Xlib.XOpenDisplay(name);
        if (display == 0)
        {
            throw new CaptureUnavailableException($"cannot open X display '{name}': is the X server running and are you allowed to connect (xhost/XAUTHORITY)?");
        }
        return new X11Connection(display, name);
    }

    public void Dispose()
    {
        var display = Interlocked.Exchange(ref _display, 0);
        if (display != 0 && !IsLost && !s_lostDisplays.ContainsKey(Name))
        {
            Xlib.XCloseDisplay(display);
        }
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    private static void InstallProcessHandlers()
    {
        if (Interlocked.Exchange(ref s_handlersInstalled, 1) != 0)
        {
            return;
        }
        Xlib.XInitThreads();
        Xlib.XSetErrorHandler(&OnProtocolError);
        Xlib.XSetIOErrorHandler(&OnIOError);
    }

    [UnmanagedCallersOnly]
    private static int OnProtocolError(nint display, nint errorEvent)
    {
        // BadWindow and friends are expected when windows close under us; callers see a failed status.
        Interlocked.Increment(ref s_protocolErrors);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnIOError(nint display) => 0;

    [UnmanagedCallersOnly]
    private static void OnConnectionLost(nint display, nint userData)
    {
        if (GCHandle.FromIntPtr(userData).Target is X11Connection connection &&
            Interlocked.Exchange(ref connection._lost, 1) == 0)
        {
            s_lostDisplays[connection.Name] = true;
            connection.Lost?.Invoke(connection);
        }
    }
}
