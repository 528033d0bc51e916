using Understudy.Core.Capture;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Replay;

/// <summary>
/// Synthetic input through the XTEST extension on its own connection: what replay, the
/// benchmarks and the tests use to drive a display. Requests are buffered by Xlib; call
/// <see cref="Flush"/> to send them and <see cref="Sync"/> to wait until the server has processed them.
/// </summary>
public sealed class XTestDriver : IDisposable
{
    private readonly X11Connection _connection;
    private readonly int _screen;

    private XTestDriver(X11Connection connection)
    {
        _connection = connection;
        _screen = Xlib.XDefaultScreen(connection.Handle);
    }

    public static XTestDriver Open(string? displayName)
    {
        var connection = X11Connection.Open(displayName);
        if (XTst.XTestQueryExtension(connection.Handle, out _, out _, out _, out _) == 0)
        {
            connection.Dispose();
            throw new CaptureUnavailableException($"the X server on '{connection.Name}' has no XTEST extension: input cannot be replayed there");
        }
        return new XTestDriver(connection);
    }

    public string DisplayName => _connection.Name;

    public void MoveTo(int x, int y) => XTst.XTestFakeMotionEvent(_connection.Handle, _screen, x, y, 0);

    /// <summary>X button numbers: 1 left, 2 middle, 3 right, 4/5 wheel up/down, 6/7 wheel left/right.</summary>
    public void Button(uint button, bool press) => XTst.XTestFakeButtonEvent(_connection.Handle, button, press ? 1 : 0, 0);

    public void Key(uint keycode, bool press) => XTst.XTestFakeKeyEvent(_connection.Handle, keycode, press ? 1 : 0, 0);

    /// <summary>The keycode the server's current map gives a keysym, or 0 when none has it.</summary>
    public uint KeycodeOf(uint keysym) => (uint)Xlib.XKeysymToKeycode(_connection.Handle, keysym);

    public void Flush() => Xlib.XFlush(_connection.Handle);

    public void Sync() => Xlib.XSync(_connection.Handle, 0);

    public void Dispose() => _connection.Dispose();
}
