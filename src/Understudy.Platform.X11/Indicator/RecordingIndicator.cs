using System.Text;
using Understudy.Core.Capture;
using Understudy.Core.Pipeline;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Indicator;

/// <summary>
/// What the person sees and holds while Understudy records: a small always-on-top window in the
/// top right corner ("● REC" on red, "II PAUSED" on grey, class <c>understudy-indicator</c>) and a
/// global pause hotkey grabbed on the root window, so it works whichever window is in front and
/// whether or not the indicator is visible. Its own X connection and thread; the hotkey flips the
/// <see cref="PauseSwitch"/>, which the scope gate turns into a <c>paused</c> gap.
/// </summary>
public sealed unsafe class RecordingIndicator : IDisposable
{
    public const string WindowClass = "understudy-indicator";
    private const int Width = 112;
    private const int Height = 22;
    private const nuint RecordingColour = 0xC62828;
    private const nuint PausedColour = 0x616161;
    private const nuint TextColour = 0xFFFFFF;
    private static readonly uint[] LockCombinations = [0u, Xlib.LockMask, Xlib.Mod2Mask, Xlib.LockMask | Xlib.Mod2Mask];

    private readonly X11Connection _connection;
    private readonly PauseSwitch _pause;
    private readonly WakeupFd _wake = new();
    private readonly Thread _thread;
    private readonly nuint _root;
    private readonly nuint _window;
    private readonly List<(int Keycode, uint Modifiers, Action Pressed)> _hotkeys = [];
    private volatile bool _running = true;
    private volatile bool _redraw = true;

    private RecordingIndicator(X11Connection connection, PauseSwitch pause, PauseHotkey hotkey, bool showWindow, (PauseHotkey Hotkey, Action Pressed)? taskHotkey)
    {
        _connection = connection;
        _pause = pause;
        var display = connection.Handle;
        _root = Xlib.XDefaultRootWindow(display);
        var screen = Xlib.XDefaultScreen(display);
        var width = Xlib.XDisplayWidth(display, screen);
        var bindings = new List<(PauseHotkey Hotkey, string Purpose, Action Pressed)> { (hotkey, "pause hotkey", () => pause.Toggle()) };
        if (taskHotkey is { } task)
        {
            bindings.Add((task.Hotkey, "task hotkey", task.Pressed));
        }
        foreach (var (binding, purpose, pressed) in bindings)
        {
            var keysym = Xlib.XStringToKeysym(binding.Key);
            var keycode = keysym == 0 ? 0 : Xlib.XKeysymToKeycode(display, keysym);
            if (keycode == 0)
            {
                connection.Dispose();
                throw new ArgumentException($"{purpose}: no key '{binding.Key}' on this keyboard");
            }
            _hotkeys.Add((keycode, binding.X11Modifiers, pressed));
            // Grab with every combination of the locks, or the hotkey would stop working with Num Lock on.
            foreach (var locks in LockCombinations)
            {
                Xlib.XGrabKey(display, keycode, binding.X11Modifiers | locks, _root, 0, Xlib.GrabModeAsync, Xlib.GrabModeAsync);
            }
        }
        Xlib.XSelectInput(display, _root, Xlib.KeyPressMask);
        if (showWindow)
        {
            _window = Xlib.XCreateSimpleWindow(display, _root, width - Width - 8, 8, Width, Height, 0, 0, RecordingColour);
            XSetWindowAttributes attributes = default;
            // Unmanaged: never takes the focus, never in the window list, stays above by being raised.
            attributes.OverrideRedirect = 1;
            Xlib.XChangeWindowAttributes(display, _window, Xlib.CWOverrideRedirect, &attributes);
            Xlib.XStoreName(display, _window, "Understudy is recording");
            var name = Encoding.ASCII.GetBytes(WindowClass + "\0");
            var cls = Encoding.ASCII.GetBytes("Understudy\0");
            fixed (byte* namePtr = name)
            fixed (byte* classPtr = cls)
            {
                var hint = new XClassHint { ResName = (nint)namePtr, ResClass = (nint)classPtr };
                Xlib.XSetClassHint(display, _window, &hint);
            }
            Xlib.XSelectInput(display, _window, Xlib.ExposureMask);
            Xlib.XMapRaised(display, _window);
        }
        Xlib.XFlush(display);
        _pause.Changed += OnPauseChanged;
        _thread = new Thread(Loop) { IsBackground = true, Name = "indicator" };
        _thread.Start();
    }

    /// <summary>The indicator window, 0 when it is not shown.</summary>
    public long WindowId => (long)_window;

    /// <param name="taskHotkey">Optionally a second hotkey, which runs its action on the indicator's thread.</param>
    public static RecordingIndicator Start(string? displayName, PauseSwitch pause, PauseHotkey hotkey, bool showWindow = true, (PauseHotkey Hotkey, Action Pressed)? taskHotkey = null)
    {
        ArgumentNullException.ThrowIfNull(pause);
        ArgumentNullException.ThrowIfNull(hotkey);
        return new RecordingIndicator(X11Connection.Open(displayName), pause, hotkey, showWindow, taskHotkey);
    }

    private void OnPauseChanged(bool paused)
    {
        _redraw = true;
        _wake.Signal();
    }

    private void Loop()
    {
        var display = _connection.Handle;
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = Xlib.XConnectionNumber(display), Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = _wake.Fd, Events = Libc.POLLIN };
        var eventBuffer = stackalloc byte[Xlib.XEventSize];
        var lastRaise = Environment.TickCount64;
        while (_running && !_connection.IsLost)
        {
            while (Xlib.XPending(display) > 0 && !_connection.IsLost)
            {
                Xlib.XNextEvent(display, eventBuffer);
                var type = *(int*)eventBuffer;
                if (type == Xlib.KeyPress)
                {
                    // XKeyEvent: keycode at offset 84 on LP64.
                    var keycode = *(uint*)(eventBuffer + 84);
                    // XKeyEvent.state at offset 80: compare only the modifiers a hotkey can name.
                    var state = *(uint*)(eventBuffer + 80) & (Xlib.ControlMask | Xlib.Mod1Mask | Xlib.ShiftMask | Xlib.Mod4Mask);
                    foreach (var (hotkeyCode, modifiers, pressed) in _hotkeys)
                    {
                        if (keycode == hotkeyCode && state == modifiers)
                        {
                            pressed();
                        }
                    }
                }
                else if (type == Xlib.Expose)
                {
                    _redraw = true;
                }
            }
            if (_redraw && _window != 0)
            {
                _redraw = false;
                Draw(display);
            }
            if (_window != 0 && Environment.TickCount64 - lastRaise > 1000)
            {
                // Stay above windows raised since: the person must always see that recording is on.
                Xlib.XRaiseWindow(display, _window);
                Xlib.XFlush(display);
                lastRaise = Environment.TickCount64;
            }
            fds[0].Revents = 0;
            fds[1].Revents = 0;
            Libc.poll(fds, 2, 1000);
            _wake.Drain();
        }
    }

    private void Draw(nint display)
    {
        var paused = _pause.IsPaused;
        Xlib.XSetWindowBackground(display, _window, paused ? PausedColour : RecordingColour);
        Xlib.XClearWindow(display, _window);
        var gc = Xlib.XCreateGC(display, _window, 0, 0);
        Xlib.XSetForeground(display, gc, TextColour);
        var text = Encoding.ASCII.GetBytes(paused ? "II PAUSED" : "* REC");
        fixed (byte* textPtr = text)
        {
            Xlib.XDrawString(display, _window, gc, 10, 15, textPtr, text.Length);
        }
        Xlib.XFreeGC(display, gc);
        Xlib.XFlush(display);
    }

    public void Dispose()
    {
        if (!_running)
        {
            return;
        }
        _running = false;
        _pause.Changed -= OnPauseChanged;
        _wake.Signal();
        _thread.Join(TimeSpan.FromSeconds(2));
        if (!_connection.IsLost)
        {
            var display = _connection.Handle;
            foreach (var (keycode, modifiers, _) in _hotkeys)
            {
                foreach (var locks in LockCombinations)
                {
                    Xlib.XUngrabKey(display, keycode, modifiers | locks, _root);
                }
            }
            if (_window != 0)
            {
                Xlib.XDestroyWindow(display, _window);
            }
            Xlib.XFlush(display);
        }
        _connection.Dispose();
        _wake.Dispose();
    }
}

/// <summary>A hotkey such as <c>ctrl+alt+shift+p</c>: modifiers and an X keysym name.</summary>
public sealed record PauseHotkey(string Key, bool Ctrl, bool Alt, bool Shift, bool Super)
{
    public static PauseHotkey Default { get; } = new("p", Ctrl: true, Alt: true, Shift: true, Super: false);

    internal uint X11Modifiers =>
        (Ctrl ? Xlib.ControlMask : 0) | (Alt ? Xlib.Mod1Mask : 0) | (Shift ? Xlib.ShiftMask : 0) | (Super ? Xlib.Mod4Mask : 0);

    /// <summary>Parses <c>ctrl+alt+shift+p</c>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static PauseHotkey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || parts[^1].Length == 0)
        {
            throw new ArgumentException($"pause hotkey '{text}': expected modifiers and a key, e.g. ctrl+alt+shift+p");
        }
        bool ctrl = false, alt = false, shift = false, super = false;
        foreach (var modifier in parts[..^1])
        {
            switch (modifier.ToLowerInvariant())
            {
                case "ctrl" or "control": ctrl = true; break;
                case "alt": alt = true; break;
                case "shift": shift = true; break;
                case "super" or "win" or "meta": super = true; break;
                default: throw new ArgumentException($"pause hotkey '{text}': unknown modifier '{modifier}' (ctrl, alt, shift, super)");
            }
        }
        if (!ctrl && !alt && !super)
        {
            throw new ArgumentException($"pause hotkey '{text}': needs ctrl, alt or super, or typing would trigger it");
        }
        return new PauseHotkey(parts[^1], ctrl, alt, shift, super);
    }

    public override string ToString() =>
        string.Join('+', new[] { Ctrl ? "ctrl" : null, Alt ? "alt" : null, Shift ? "shift" : null, Super ? "super" : null, Key }.Where(p => p is not null));
}
