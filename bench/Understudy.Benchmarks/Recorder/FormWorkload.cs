using System.Diagnostics;
using Understudy.Platform.X11.Replay;

namespace Understudy.Benchmarks.RecorderProcessBench;

/// <summary>
/// A person filling in the yad demo form (600×420 at 100,100 on the 1080p desktop), through XTest
/// at human pace: pointer glides to a field and clicks, words typed at ~5 keys/s with a pause after
/// each word, Tab from Description to Amount, the Category combo opened and another item picked,
/// Notes clicked, typed into and scrolled with the wheel. Return is pressed only in Notes: in
/// Description or Amount it would submit the form. Each event is flushed on its own, as a person's are.
/// </summary>
internal sealed class FormWorkload
{
    // Screen coordinates of the form's widgets (scripts/demo-form.sh at 600x420+100+100, GTK3 default theme).
    private const int FieldX = 400;
    private const int DescriptionY = 160;
    private const int AmountY = 199;
    private const int CategoryY = 238;
    private const int NotesTopY = 300;
    private const int NotesBottomY = 480;
    // The open combo menu puts the selected item over the combo; the others follow 29 px apart.
    private const int ComboItemY = 241;
    private const int ComboItemHeight = 29;
    private const int ComboItems = 3;

    private const uint XkSpace = 0x20;
    private const uint XkPeriod = 0x2e;
    private const uint XkTab = 0xff09;
    private const uint XkReturn = 0xff0d;
    private const uint XkControlL = 0xffe3;

    private static readonly string[] Words =
    [
        "taxi", "to", "the", "airport", "lunch", "with", "client", "hotel", "two", "nights", "train",
        "ticket", "office", "supplies", "printer", "paper", "parking", "conference", "dinner", "team",
    ];

    private readonly XTestDriver _input;
    private readonly Func<bool> _ensureForm;
    private readonly Random _random = new(11);
    private int _x = 960;
    private int _y = 540;
    private int _comboSelected;
    private long _deadline;

    /// <param name="input">XTest connection to the desktop.</param>
    /// <param name="ensureForm">Called before each step: restarts the form if it went away; false if it could not.</param>
    public FormWorkload(XTestDriver input, Func<bool> ensureForm)
    {
        _input = input;
        _ensureForm = ensureForm;
    }

    public long Keys { get; private set; }

    public long Clicks { get; private set; }

    public long Moves { get; private set; }

    public long ScrollNotches { get; private set; }

    public long Steps { get; private set; }

    /// <summary>Runs steps until <paramref name="duration"/> is up (the step under way is cut short at the deadline).</summary>
    public void Run(TimeSpan duration)
    {
        _deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        Action[] cycle = [FillDescriptionThenAmount, PickCategory, WriteNotes, ScrollNotes];
        for (var i = 0; !Due(); i++)
        {
            if (!_ensureForm())
            {
                throw new Common.BenchmarkFailedException("the demo form went away and could not be restarted");
            }
            cycle[i % cycle.Length]();
            Steps++;
            Pause(900, 2200);
        }
    }

    private void FillDescriptionThenAmount()
    {
        ClickAt(FieldX + _random.Next(-120, 120), DescriptionY);
        Pause(300, 700);
        SelectAll();
        TypeWords(2 + _random.Next(3));
        Pause(500, 1200);
        Tap(XkTab);
        Pause(400, 900);
        SelectAll();
        TypeText($"{_random.Next(5, 400)}.{_random.Next(0, 100):00}");
    }

    private void PickCategory()
    {
        ClickAt(FieldX + _random.Next(-100, 100), CategoryY);
        Pause(600, 1000);
        var next = (_comboSelected + 1 + _random.Next(ComboItems - 1)) % ComboItems;
        ClickAt(FieldX + _random.Next(-100, 100), ComboItemY + ((next - _comboSelected) * ComboItemHeight));
        _comboSelected = next;
    }

    private void WriteNotes()
    {
        ClickAt(FieldX + _random.Next(-150, 150), _random.Next(NotesTopY, NotesBottomY));
        Pause(300, 700);
        TypeWords(3 + _random.Next(4));
        Tap(XkReturn);
    }

    private void ScrollNotes()
    {
        GlideTo(FieldX + _random.Next(-150, 150), _random.Next(NotesTopY, NotesBottomY));
        Pause(200, 500);
        // Wheel down a few notches at a finger's pace, a pause, and part of the way back up.
        var down = 3 + _random.Next(6);
        for (var i = 0; i < down && !Due(); i++)
        {
            Wheel(5);
        }
        Pause(700, 1500);
        var up = 1 + _random.Next(down);
        for (var i = 0; i < up && !Due(); i++)
        {
            Wheel(4);
        }
    }

    private void TypeWords(int count)
    {
        for (var w = 0; w < count && !Due(); w++)
        {
            TypeText(Words[_random.Next(Words.Length)]);
            Tap(XkSpace);
            // Thinking about the next word now and then.
            if (_random.Next(3) == 0)
            {
                Pause(400, 1000);
            }
        }
    }

    /// <summary>Lower-case letters, digits and '.' at ~5 keys/s (press-to-press 150–250 ms).</summary>
    private void TypeText(string text)
    {
        foreach (var ch in text)
        {
            if (Due())
            {
                return;
            }
            Tap(ch == '.' ? XkPeriod : ch);
        }
    }

    private void Tap(uint keysym)
    {
        var keycode = _input.KeycodeOf(keysym);
        if (keycode == 0)
        {
            return;
        }
        _input.Key(keycode, press: true);
        _input.Flush();
        Thread.Sleep(_random.Next(50, 90));
        _input.Key(keycode, press: false);
        _input.Flush();
        Keys++;
        Thread.Sleep(_random.Next(100, 160));
    }

    /// <summary>Ctrl+A: select the field's text so that typing replaces it (the form never grows without bound).</summary>
    private void SelectAll()
    {
        var control = _input.KeycodeOf(XkControlL);
        var a = _input.KeycodeOf('a');
        _input.Key(control, press: true);
        _input.Flush();
        Thread.Sleep(_random.Next(60, 120));
        _input.Key(a, press: true);
        _input.Flush();
        Thread.Sleep(_random.Next(50, 90));
        _input.Key(a, press: false);
        _input.Flush();
        Thread.Sleep(_random.Next(30, 60));
        _input.Key(control, press: false);
        _input.Flush();
        Keys += 2;
        Thread.Sleep(_random.Next(150, 300));
    }

    private void ClickAt(int x, int y)
    {
        GlideTo(x, y);
        Thread.Sleep(_random.Next(80, 200));
        _input.Button(1, press: true);
        _input.Flush();
        Thread.Sleep(_random.Next(60, 110));
        _input.Button(1, press: false);
        _input.Flush();
        Clicks++;
    }

    private void Wheel(uint button)
    {
        _input.Button(button, press: true);
        _input.Button(button, press: false);
        _input.Flush();
        ScrollNotches++;
        Thread.Sleep(_random.Next(90, 160));
    }

    /// <summary>Moves the pointer in ~16 ms steps over 150–400 ms, as a hand does, ending exactly on the target.</summary>
    private void GlideTo(int x, int y)
    {
        var steps = _random.Next(10, 25);
        int x0 = _x, y0 = _y;
        for (var i = 1; i <= steps; i++)
        {
            // Ease out: fast first, slow near the target.
            var t = 1 - Math.Pow(1 - (i / (double)steps), 2);
            var px = (int)Math.Round(x0 + ((x - x0) * t)) + (i < steps ? _random.Next(-1, 2) : 0);
            var py = (int)Math.Round(y0 + ((y - y0) * t)) + (i < steps ? _random.Next(-1, 2) : 0);
            _input.MoveTo(px, py);
            _input.Flush();
            Moves++;
            Thread.Sleep(16);
        }
        _x = x;
        _y = y;
    }

    private void Pause(int minMs, int maxMs)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadline);
        var pause = TimeSpan.FromMilliseconds(_random.Next(minMs, maxMs));
        Thread.Sleep(pause < remaining ? pause : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
    }

    private bool Due() => Stopwatch.GetTimestamp() >= _deadline;
}
