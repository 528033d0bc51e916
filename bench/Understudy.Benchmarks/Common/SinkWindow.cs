using System.Runtime.InteropServices;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Interop;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// A plain top-level window, on a connection of its own, that selects pointer motion, keys and
/// buttons and reads (and discards) every event it gets, like an application under the pointer
/// that does little with its input. With a client interested in the events the X server flushes
/// its output, record data included, after every request; over the bare root window it does not.
/// </summary>
internal sealed unsafe partial class SinkWindow : IDisposable
{
    private const long InputMask = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6); // key, button, pointer motion

    private readonly X11Connection _connection;
    private readonly nuint _window;
    private readonly Thread _reader;
    private volatile bool _running = true;
    private long _events;

    public SinkWindow(int x, int y, int width, int height)
    {
        _connection = X11Connection.Open(null);
        var display = _connection.Handle;
        _window = XCreateSimpleWindow(display, Xlib.XDefaultRootWindow(display), x, y, (uint)width, (uint)height, 0, 0, 0xffffff);
        var name = Marshal.StringToHGlobalAnsi("understudy-bench-sink");
        var @class = Marshal.StringToHGlobalAnsi("UnderstudyBenchSink");
        try
        {
            var hint = new XClassHint { ResName = name, ResClass = @class };
            XSetClassHint(display, _window, &hint);
        }
        finally
        {
            Marshal.FreeHGlobal(name);
            Marshal.FreeHGlobal(@class);
        }
        Xlib.XSelectInput(display, _window, (nint)InputMask);
        XMapRaised(display, _window);
        Xlib.XSync(display, 0);
        _reader = new Thread(Read) { IsBackground = true, Name = "bench-sink" };
        _reader.Start();
        // Mapped, placed and focused by the window manager.
        Thread.Sleep(700);
    }

    public long EventsRead => Interlocked.Read(ref _events);

    private void Read()
    {
        var display = _connection.Handle;
        var buffer = stackalloc byte[Xlib.XEventSize];
        while (_running)
        {
            var any = false;
            while (Xlib.XPending(display) > 0)
            {
                Xlib.XNextEvent(display, buffer);
                Interlocked.Increment(ref _events);
                any = true;
            }
            if (!any)
            {
                Thread.Sleep(1);
            }
        }
    }

    public void Dispose()
    {
        _running = false;
        _reader.Join();
        XDestroyWindow(_connection.Handle, _window);
        Xlib.XSync(_connection.Handle, 0);
        _connection.Dispose();
    }

    [LibraryImport(NativeLibraries.X11)]
    private static partial nuint XCreateSimpleWindow(nint display, nuint parent, int x, int y, uint width, uint height, uint borderWidth, nuint border, nuint background);

    [LibraryImport(NativeLibraries.X11)]
    private static partial int XMapRaised(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    private static partial int XDestroyWindow(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    private static partial int XSetClassHint(nint display, nuint window, XClassHint* classHint);
}
