using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Replay;

/// <summary>
/// Replays input through XTEST. Keys are found in the server's keyboard map at level 0 or 1
/// (shift); a character no key produces borrows a keycode that has no symbols, mapped for the
/// rest of the replay and given back on dispose, so any Unicode text can be typed without
/// changing the keys the person has.
/// </summary>
public sealed unsafe class XTestInjector : IInputInjector
{
    private const uint ShiftKeysym = 0xffe1;
    private readonly XTestDriver _driver;
    private readonly X11Connection _connection;
    private readonly Dictionary<uint, (int Keycode, int Level)> _keys = [];
    private readonly Queue<int> _spareKeycodes = new();
    private readonly Dictionary<uint, int> _borrowed = [];
    private readonly Queue<uint> _loanOrder = new();
    private readonly int _shiftKeycode;

    private XTestInjector(XTestDriver driver, X11Connection connection)
    {
        _driver = driver;
        _connection = connection;
        var display = connection.Handle;
        var screen = Xlib.XDefaultScreen(display);
        Screen = new ScreenSize(Xlib.XDisplayWidth(display, screen), Xlib.XDisplayHeight(display, screen));
        ReadKeyboardMap(display);
        _shiftKeycode = _keys.TryGetValue(ShiftKeysym, out var shift) ? shift.Keycode : 0;
    }

    public static XTestInjector Open(string? displayName)
    {
        var driver = XTestDriver.Open(displayName);
        try
        {
            return new XTestInjector(driver, X11Connection.Open(displayName));
        }
        catch
        {
            driver.Dispose();
            throw;
        }
    }

    public ScreenSize Screen { get; }

    public string DisplayName => _driver.DisplayName;

    private void ReadKeyboardMap(nint display)
    {
        Xlib.XDisplayKeycodes(display, out var min, out var max);
        var count = max - min + 1;
        var map = Xlib.XGetKeyboardMapping(display, (byte)min, count, out var perKeycode);
        if (map == null)
        {
            return;
        }
        try
        {
            for (var i = 0; i < count; i++)
            {
                var keycode = min + i;
                var empty = true;
                for (var level = 0; level < perKeycode; level++)
                {
                    var keysym = (uint)map[(i * perKeycode) + level];
                    if (keysym == 0)
                    {
                        continue;
                    }
                    empty = false;
                    // Levels beyond shift need AltGr or a group switch; the first key with the symbol at the lowest level wins.
                    if (level < 2 && (!_keys.TryGetValue(keysym, out var known) || known.Level > level))
                    {
                        _keys[keysym] = (keycode, level);
                    }
                }
                if (empty)
                {
                    _spareKeycodes.Enqueue(keycode);
                }
            }
        }
        finally
        {
            Xlib.XFree((nint)map);
        }
    }

    public void MoveTo(int x, int y) => _driver.MoveTo(x, y);

    public void Button(int button, bool press)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(button, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(button, 9);
        _driver.Button((uint)button, press);
    }

    public void Key(string keysymName, bool press)
    {
        ArgumentException.ThrowIfNullOrEmpty(keysymName);
        var keysym = (uint)Xlib.XStringToKeysym(keysymName);
        if (keysym == 0)
        {
            throw new ArgumentException($"no X key is named '{keysymName}'", nameof(keysymName));
        }
        _driver.Key((uint)KeycodeFor(keysym).Keycode, press);
    }

    public void TypeCharacter(int codePoint)
    {
        // Latin-1 characters are their own keysyms; every other character is 0x01000000 + its code point.
        var keysym = codePoint is >= 0x20 and <= 0x7e or >= 0xa0 and <= 0xff ? (uint)codePoint : 0x0100_0000u | (uint)codePoint;
        var (keycode, level) = KeycodeFor(keysym);
        var shift = level == 1 && _shiftKeycode != 0;
        if (shift)
        {
            _driver.Key((uint)_shiftKeycode, true);
        }
        _driver.Key((uint)keycode, true);
        _driver.Key((uint)keycode, false);
        if (shift)
        {
            _driver.Key((uint)_shiftKeycode, false);
        }
    }

    private (int Keycode, int Level) KeycodeFor(uint keysym)
    {
        if (_keys.TryGetValue(keysym, out var mapped))
        {
            return mapped;
        }
        if (_borrowed.TryGetValue(keysym, out var borrowed))
        {
            return (borrowed, 0);
        }
        if (!_spareKeycodes.TryDequeue(out var spare))
        {
            // Every spare keycode is lent: take back the oldest loan.
            if (!_loanOrder.TryDequeue(out var oldest))
            {
                throw new ArgumentException($"no free key on this keyboard to type U+{keysym & 0xFFFFFF:X4}", nameof(keysym));
            }
            spare = _borrowed[oldest];
            _borrowed.Remove(oldest);
        }
        var display = _connection.Handle;
        var symbols = stackalloc nuint[2] { keysym, keysym };
        Xlib.XChangeKeyboardMapping(display, spare, 2, symbols, 1);
        Xlib.XSync(display, 0);
        // Clients learn of the new mapping from a MappingNotify they handle asynchronously.
        Thread.Sleep(50);
        _borrowed[keysym] = spare;
        _loanOrder.Enqueue(keysym);
        return (spare, 0);
    }

    public void Sync() => _driver.Sync();

    public void Dispose()
    {
        if (_borrowed.Count > 0 && !_connection.IsLost)
        {
            var display = _connection.Handle;
            var none = stackalloc nuint[2];
            foreach (var keycode in _borrowed.Values)
            {
                Xlib.XChangeKeyboardMapping(display, keycode, 2, none, 1);
            }
            Xlib.XSync(display, 0);
        }
        _borrowed.Clear();
        _loanOrder.Clear();
        _connection.Dispose();
        _driver.Dispose();
    }
}
