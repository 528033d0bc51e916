using System.Globalization;
using Understudy.Core.Model;

namespace Understudy.Benchmarks.Dataset;

/// <summary>
/// A session's events as the recorder stores them for a person at work, from a seeded random mix:
/// pointer travel and idle jiggle (most of the events, as in real sessions), clicks (some double),
/// drags, scroll bursts, typing with capitals and BackSpace ended by Tab, ctrl hotkeys, arrow
/// presses, element lookups after pointer and key actions, a before and an after frame per action,
/// and an application switch now and then. Frames come from <see cref="FrameSource"/>.
/// </summary>
internal sealed class SyntheticActivity
{
    private const long Ms = 1_000_000;
    private static readonly string[] Apps = ["Firefox", "Gedit", "LibreOffice"];
    private static readonly string[] Words = ["report", "invoice", "Quarterly", "meeting", "budget", "the", "and", "Paris", "review", "draft", "total", "2026"];
    private static readonly string[] HotkeyKeys = ["c", "v", "s", "z", "f", "a"];

    private readonly Random _random;
    private readonly FrameSource _frames;
    private readonly Action<SessionEvent> _emit;
    private readonly DateTimeOffset _wall0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private long _seq;
    private long _ns = 1_000 * Ms;
    private int _x = 640;
    private int _y = 400;

    /// <param name="frames">Makes the frame event for an action (<c>forSeq</c>, role); null for none.</param>
    public SyntheticActivity(int seed, FrameSource frames, Action<SessionEvent> emit)
    {
        _random = new Random(seed);
        _frames = frames;
        _emit = emit;
    }

    /// <summary>Makes the frame event of an action: the grab time, the action's first seq, the role.</summary>
    public delegate FramePayload? FrameSource(long grabbedNs, long forSeq, string role);

    public long Events => _seq;

    public TimeSpan Elapsed => TimeSpan.FromTicks((_ns - (1_000 * Ms)) / 100);

    /// <summary>Emits activity until <paramref name="until"/> returns true (checked between activities).</summary>
    public void Run(Func<SyntheticActivity, bool> until)
    {
        Add(new MarkerPayload(MarkerTypes.SessionBegin, null), 0);
        Focus();
        var activity = 0;
        while (!until(this))
        {
            if (++activity % 25 == 0)
            {
                Focus();
            }
            var pick = _random.Next(100);
            if (pick < 40)
            {
                Click();
            }
            else if (pick < 45)
            {
                Drag();
            }
            else if (pick < 60)
            {
                ScrollBurst();
            }
            else if (pick < 85)
            {
                Typing();
            }
            else if (pick < 93)
            {
                Hotkey();
            }
            else
            {
                Arrows();
            }
            Pause();
        }
        Add(new MarkerPayload(MarkerTypes.SessionEnd, null), 500);
    }

    private long Add(EventPayload payload, int afterMs)
    {
        _ns += afterMs * Ms;
        var seq = _seq++;
        _emit(new SessionEvent(seq, _ns, _wall0.AddTicks(_ns / 100), payload));
        return seq;
    }

    private void Frame(long forSeq, string role, int afterMs)
    {
        _ns += afterMs * Ms;
        if (_frames(_ns, forSeq, role) is { } frame)
        {
            Add(frame, 0);
        }
    }

    private void Focus()
    {
        var app = Apps[_random.Next(Apps.Length)];
        Add(new FocusPayload(app, app.ToLowerInvariant(), $"{app} window", 4000 + app.Length, new Rect(0, 0, 1280, 800), 100 + app.Length), 20);
    }

    private void Travel(int moves)
    {
        var tx = _random.Next(20, 1260);
        var ty = _random.Next(20, 780);
        for (var i = 1; i <= moves; i++)
        {
            Add(new PointerMovePayload(_x + ((tx - _x) * i / moves), _y + ((ty - _y) * i / moves)), 8);
        }
        (_x, _y) = (tx, ty);
    }

    private void Element(long forSeq, string trigger, string role, string? name) =>
        Add(new ElementPayload(forSeq, trigger, role, name, null, ["enabled", "focusable"], new Rect(_x - 40, _y - 10, 80, 20), "app", 4242,
            [new ElementAncestor("panel", null), new ElementAncestor("frame", "Window")]), 15);

    private void Click()
    {
        Travel(_random.Next(20, 60));
        Frame(_seq, "before", 2);
        var press = Add(new ButtonPayload(true, MouseButton.Left, _x, _y, Modifiers.None), 2);
        Add(new ButtonPayload(false, MouseButton.Left, _x, _y, Modifiers.None), 70);
        if (_random.Next(10) == 0)
        {
            Add(new ButtonPayload(true, MouseButton.Left, _x, _y, Modifiers.None), 110);
            Add(new ButtonPayload(false, MouseButton.Left, _x, _y, Modifiers.None), 70);
        }
        Element(press, ElementTriggers.Pointer, "push button", "OK");
        Frame(press, "after", 300);
    }

    private void Drag()
    {
        Travel(_random.Next(20, 40));
        Frame(_seq, "before", 2);
        var press = Add(new ButtonPayload(true, MouseButton.Left, _x, _y, Modifiers.None), 2);
        Travel(30);
        Add(new ButtonPayload(false, MouseButton.Left, _x, _y, Modifiers.None), 30);
        Element(press, ElementTriggers.Pointer, "scroll bar", null);
        Frame(press, "after", 300);
    }

    private void ScrollBurst()
    {
        Travel(_random.Next(10, 30));
        Frame(_seq, "before", 2);
        var first = _seq;
        var notches = _random.Next(3, 11);
        var down = _random.Next(4) != 0 ? 1 : -1;
        for (var i = 0; i < notches; i++)
        {
            Add(new ScrollPayload(0, down, _x, _y, Modifiers.None), i == 0 ? 2 : 60);
        }
        Frame(first, "after", 400);
    }

    private void Typing()
    {
        Frame(_seq, "before", 5);
        var first = _seq;
        var words = _random.Next(1, 4);
        for (var w = 0; w < words; w++)
        {
            var word = Words[_random.Next(Words.Length)];
            foreach (var c in w == 0 ? word : " " + word)
            {
                var upper = char.IsAsciiLetterUpper(c);
                if (upper)
                {
                    Add(new KeyPayload(true, "shift_l", null, Modifiers.None, 50), 60);
                }
                var key = c == ' ' ? "space" : char.ToLowerInvariant(c).ToString(CultureInfo.InvariantCulture);
                Add(new KeyPayload(true, key, c.ToString(CultureInfo.InvariantCulture), upper ? Modifiers.Shift : Modifiers.None, 24 + (c % 40)), upper ? 40 : 110);
                Add(new KeyPayload(false, key, null, upper ? Modifiers.Shift : Modifiers.None, 24 + (c % 40)), 45);
                if (upper)
                {
                    Add(new KeyPayload(false, "shift_l", null, Modifiers.Shift, 50), 20);
                }
            }
            if (_random.Next(20) == 0)
            {
                Add(new KeyPayload(true, "BackSpace", null, Modifiers.None, 22), 200);
                Add(new KeyPayload(false, "BackSpace", null, Modifiers.None, 22), 50);
            }
        }
        Element(first, ElementTriggers.Focus, "text", "Description");
        var tab = Add(new KeyPayload(true, "Tab", null, Modifiers.None, 23), 400);
        Add(new KeyPayload(false, "Tab", null, Modifiers.None, 23), 60);
        Frame(first, "after", 300);
        Frame(tab, "before", 0);
    }

    private void Hotkey()
    {
        Frame(_seq, "before", 5);
        var ctrl = Add(new KeyPayload(true, "control_l", null, Modifiers.None, 37), 5);
        var key = HotkeyKeys[_random.Next(HotkeyKeys.Length)];
        Add(new KeyPayload(true, key, null, Modifiers.Ctrl, 40), 150);
        Add(new KeyPayload(false, key, null, Modifiers.Ctrl, 40), 80);
        Add(new KeyPayload(false, "control_l", null, Modifiers.Ctrl, 37), 60);
        Frame(ctrl, "after", 300);
    }

    private void Arrows()
    {
        Frame(_seq, "before", 5);
        var first = _seq;
        var presses = _random.Next(1, 5);
        for (var i = 0; i < presses; i++)
        {
            Add(new KeyPayload(true, "Down", null, Modifiers.None, 116), i == 0 ? 5 : 180);
            Add(new KeyPayload(false, "Down", null, Modifiers.None, 116), 70);
        }
        Add(new KeyPayload(true, "Return", null, Modifiers.None, 36), 1100);
        Add(new KeyPayload(false, "Return", null, Modifiers.None, 36), 70);
        Frame(first, "after", 300);
    }

    private void Pause()
    {
        var pauseMs = _random.Next(300, 2500);
        if (_random.Next(2) == 0)
        {
            // The hand rests on the mouse: small moves at the pointer's report rate for part of the pause.
            var moves = _random.Next(10, 60);
            for (var i = 0; i < moves; i++)
            {
                _x = Math.Clamp(_x + _random.Next(-2, 3), 0, 1279);
                _y = Math.Clamp(_y + _random.Next(-2, 3), 0, 799);
                Add(new PointerMovePayload(_x, _y), 8);
            }
            pauseMs = Math.Max(0, pauseMs - (moves * 8));
        }
        _ns += pauseMs * Ms;
    }
}
