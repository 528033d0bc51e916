using System.Runtime.InteropServices;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Interop;

namespace Understudy.Desktop.Tests.Frames;

/// <summary>
/// A plain X window that is white until it is clicked and red from then on, the way an application
/// reacts to a click: the change is drawn by the window's own event loop after the press arrives.
/// All of its Xlib calls happen on its own thread.
/// </summary>
internal sealed unsafe partial class ClickTargetWindow : IDisposable
{
    public const uint White = 0xFFFFFF;
    public const uint Red = 0xFF0000;
    private const int ButtonPress = 4;
    private const int Expose = 12;
    private const long ButtonPressMask = 1L << 2;
    private const long ExposureMask = 1L << 15;

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _shown = new(false);
    private volatile bool _stop;
    private Exception? _failure;
    private int _presses;

    private ClickTargetWindow(string display, int x, int y, int width, int height)
    {
        Width = width;
        Height = height;
        _thread = new Thread(() => Run(display, x, y)) { IsBackground = true, Name = "click-target-window" };
        _thread.Start();
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Where the window's top-left corner is on the screen, once shown.</summary>
    public (int X, int Y) Origin { get; private set; }

    public int Presses => Volatile.Read(ref _presses);

    public static ClickTargetWindow Show(string display, TimeSpan timeout)
    {
        var window = new ClickTargetWindow(display, 300, 200, 240, 160);
        if (!window._shown.Wait(timeout) || window._failure is not null)
        {
            window.Dispose();
            throw new InvalidOperationException("the click target window did not appear", window._failure);
        }
        return window;
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _shown.Dispose();
    }

    private void Run(string display, int x, int y)
    {
        try
        {
            using var connection = X11Connection.Open(display);
            var handle = connection.Handle;
            var root = Xlib.XDefaultRootWindow(handle);
            var window = Xlib.XCreateSimpleWindow(handle, root, x, y, (uint)Width, (uint)Height, 0, 0, White);
            Xlib.XSelectInput(handle, window, (nint)(ButtonPressMask | ExposureMask));
            XMapRaised(handle, window);
            Xlib.XSync(handle, 0);
            var xEvent = stackalloc byte[Xlib.XEventSize];
            while (!_stop)
            {
                while (Xlib.XPending(handle) > 0)
                {
                    Xlib.XNextEvent(handle, xEvent);
                    var type = *(int*)xEvent;
                    if (type == Expose && !_shown.IsSet)
                    {
                        Xlib.XTranslateCoordinates(handle, window, root, 0, 0, out var rootX, out var rootY, out _);
                        Origin = (rootX, rootY);
                        _shown.Set();
                    }
                    else if (type == ButtonPress)
                    {
                        XSetWindowBackground(handle, window, Red);
                        XClearWindow(handle, window);
                        Xlib.XFlush(handle);
                        Interlocked.Increment(ref _presses);
                    }
                }
                Thread.Sleep(2);
            }
            Xlib.XDestroyWindow(handle, window);
            Xlib.XSync(handle, 0);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Understudy.Core.Capture.CaptureUnavailableException)
        {
            _failure = ex;
            _shown.Set();
        }
    }

    [LibraryImport("libX11.so.6")]
    private static partial int XMapRaised(nint display, nuint window);

    [LibraryImport("libX11.so.6")]
    private static partial int XSetWindowBackground(nint display, nuint window, nuint pixel);

    [LibraryImport("libX11.so.6")]
    private static partial int XClearWindow(nint display, nuint window);
}
