using Understudy.Core.Model;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// A seeded model of ordinary desktop use at about 20 events/s: ~80 % pointer motion with small
/// deltas, ~15 % key presses and releases typing prose, ~5 % clicks and wheel notches, and a change
/// of application every ~2 minutes. Deterministic for a given seed, so runs compare.
/// </summary>
internal sealed class TypicalInput(int seed = 42, int screenWidth = 1920, int screenHeight = 1080)
{
    private const string Prose =
        "Thanks for the update, I have moved the review to Thursday. The budget sheet is attached; " +
        "please check rows 12 to 40 before we send it on. Let me know if anything looks off, Alice. ";

    private static readonly (string App, string Instance, string Title, Rect Bounds)[] Apps =
    [
        ("thunderbird", "Mail", "Inbox (12) - alice@example.com - Mozilla Thunderbird", new Rect(0, 27, 1920, 1053)),
        ("libreoffice-calc", "libreoffice", "Q3 planning - budget draft.ods - LibreOffice Calc", new Rect(60, 80, 1600, 900)),
        ("Code", "code", "SessionWriter.cs - understudy - Visual Studio Code", new Rect(0, 27, 1920, 1053)),
        ("Gnome-terminal", "gnome-terminal-server", "alice@laptop: ~/src/understudy", new Rect(320, 200, 1100, 700)),
        ("firefox", "Navigator", "Pull requests · understudy/understudy — Mozilla Firefox", new Rect(0, 27, 1920, 1053)),
    ];

    private readonly Random _random = new(seed);
    private int _x = screenWidth / 2;
    private int _y = screenHeight / 2;
    private int _proseIndex;
    private (int KeyCode, string Key)? _keyDown;
    private MouseButton? _buttonDown;
    private int _app;
    private long _nextFocusNs = 120_000_000_000L;
    private long _elapsedNs;

    /// <summary>Mean events per second of <see cref="Next"/>.</summary>
    public const double EventsPerSecond = 20;

    /// <summary>The first focus event, as a window source reports the application in front at start.</summary>
    public FocusPayload InitialFocus() => Focus(0);

    /// <summary>The next event and the simulated time since the previous one (30–70 ms, mean 50 ms).</summary>
    public (long DelayNs, EventPayload Payload) Next()
    {
        var delayNs = (long)((30 + (_random.NextDouble() * 40)) * 1_000_000);
        _elapsedNs += delayNs;
        if (_elapsedNs >= _nextFocusNs)
        {
            _nextFocusNs += (long)((100 + (_random.NextDouble() * 40)) * 1_000_000_000);
            _app = (_app + 1 + _random.Next(Apps.Length - 1)) % Apps.Length;
            return (delayNs, Focus(_app));
        }
        var choice = _random.NextDouble();
        if (choice < 0.80)
        {
            return (delayNs, Motion());
        }
        if (choice < 0.95)
        {
            return (delayNs, Key());
        }
        return (delayNs, ButtonOrScroll());
    }

    private FocusPayload Focus(int index)
    {
        var (app, instance, title, bounds) = Apps[index];
        return new FocusPayload(app, instance, title, 2000 + (index * 137), bounds, 0x3a00007 + (index * 0x100000));
    }

    private PointerMovePayload Motion()
    {
        // A hand on a mouse at ~60–125 Hz moves a few pixels per report.
        _x = Math.Clamp(_x + _random.Next(-8, 9), 0, screenWidth - 1);
        _y = Math.Clamp(_y + _random.Next(-6, 7), 0, screenHeight - 1);
        return new PointerMovePayload(_x, _y);
    }

    private KeyPayload Key()
    {
        if (_keyDown is { } down)
        {
            _keyDown = null;
            return new KeyPayload(false, down.Key, null, Modifiers.None, down.KeyCode);
        }
        var c = Prose[_proseIndex];
        _proseIndex = (_proseIndex + 1) % Prose.Length;
        var (name, keyCode) = KeyOf(c);
        var shifted = char.IsUpper(c);
        _keyDown = (keyCode, name);
        return new KeyPayload(true, name, c.ToString(), shifted ? Modifiers.Shift : Modifiers.None, keyCode);
    }

    private EventPayload ButtonOrScroll()
    {
        if (_buttonDown is { } button)
        {
            _buttonDown = null;
            return new ButtonPayload(false, button, _x, _y, Modifiers.None);
        }
        if (_random.NextDouble() < 0.6)
        {
            _buttonDown = _random.NextDouble() < 0.9 ? MouseButton.Left : MouseButton.Right;
            return new ButtonPayload(true, _buttonDown.Value, _x, _y, Modifiers.None);
        }
        return new ScrollPayload(0, _random.NextDouble() < 0.7 ? 1 : -1, _x, _y, Modifiers.None);
    }

    /// <summary>Key names and keycodes as an X server with a US layout reports them.</summary>
    private static (string Name, int KeyCode) KeyOf(char c)
    {
        var lower = char.ToLowerInvariant(c);
        return lower switch
        {
            ' ' => ("space", 65),
            '.' => ("period", 60),
            ',' => ("comma", 59),
            ';' => ("semicolon", 47),
            >= '0' and <= '9' => (lower.ToString(), lower == '0' ? 19 : 10 + (lower - '1')),
            >= 'a' and <= 'z' => (lower.ToString(), "qwertyuiopasdfghjklzxcvbnm".IndexOf(lower, StringComparison.Ordinal) switch
            {
                var i and < 10 => 24 + i,
                var i and < 19 => 38 + (i - 10),
                var i => 52 + (i - 19),
            }),
            _ => ("question", 61),
        };
    }
}
