using Understudy.Core.Model;

namespace Understudy.Tests.Storage;

/// <summary>Hand-made and simulated event sequences.</summary>
internal static class SampleEvents
{
    public const string Secret = "Sup3rS3cretTyped";
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 6, 30, 0, TimeSpan.Zero);
    private const long StartMonoNs = 86_400_000_000_000; // a machine up for a day

    /// <summary>One of every kind, with the awkward values: nulls, negatives, non-ASCII, extremes.</summary>
    public static IReadOnlyList<EventPayload> EveryKind() =>
    [
        new MarkerPayload(MarkerTypes.SessionBegin, null),
        new FocusPayload("firefox", "Navigator", "Café — Mozilla Firefox 🍰", 4242, new Rect(-1920, 0, 1920, 1080), 0x3a00007),
        new FocusPayload("", null, null, null, null, 0),
        new PointerMovePayload(-5, 1079),
        new PointerMovePayload(int.MinValue, int.MaxValue),
        new ButtonPayload(true, MouseButton.Left, 10, 20, Modifiers.None),
        new ButtonPayload(false, MouseButton.Other, 10, 20, Modifiers.Ctrl | Modifiers.Shift),
        new ButtonPayload(true, (MouseButton)7, 0, 0, (Modifiers)0xFFFF),
        new ScrollPayload(0, -3, 300, 400, Modifiers.None),
        new ScrollPayload(int.MinValue, int.MaxValue, -1, -1, Modifiers.Super),
        new KeyPayload(true, "eacute", "é", Modifiers.None, 200),
        new KeyPayload(false, "eacute", null, Modifiers.None, 200),
        new KeyPayload(true, "a", "A", Modifiers.Shift | Modifiers.CapsLock, 38),
        new KeyPayload(true, "emoji", "👩‍💻", Modifiers.None, int.MinValue),
        new KeyPayload(true, "lone", "\ud800x\udfff", Modifiers.AltGr, int.MaxValue),
        new KeyPayload(true, "", "", Modifiers.None, 0),
        new GapPayload(GapReasons.InputOverflow, long.MaxValue, long.MinValue),
        new GapPayload(GapReasons.Paused, 0, 0),
        new MarkerPayload(MarkerTypes.TaskBegin, "file the Café receipt 🍰"),
        new MarkerPayload(MarkerTypes.SessionEnd, ""),
        new ElementPayload(41, ElementTriggers.Pointer, "push button", "Submit", null, ["enabled", "focusable", "showing"], new Rect(300, 380, 80, 30), "yad", 1234,
            [new ElementAncestor("filler", null), new ElementAncestor("frame", "Expense — form")]),
        new ElementPayload(-1, ElementTriggers.Focus, "combo box", null, "Category 🍰", [], null, null, null, []),
        new UiPayload(UiActions.Select, "Category", "combo box", "Meals", [], null, "yad"),
        new UiPayload(UiActions.Menu, null, "menu item", "Save As…", ["File", "Save As…"], null, null),
        new UiPayload(UiActions.Toggle, "Remember me", "check box", null, [], true, "Chromium"),
        new RedactionPayload(RedactionTargets.Typed, "EMAIL_ADDRESS", 1, 12, 45),
        new RedactionPayload(RedactionTargets.SensitiveField, "SENSITIVE_FIELD", 1, null, null),
        new FramePayload("4be0c2a1d7f3e9a0b1c2d3e4f5a6b7c8", 86_399_990_000_000, new Rect(0, 0, 1920, 1080), 0.5, 960, 540, "jpeg", 40, FrameRoles.Before, null),
        new FramePayload("00", long.MinValue, new Rect(-1, -2, 3, 4), 1.0, 3, 4, "png", null, FrameRoles.After, "4be0c2a1d7f3e9a0b1c2d3e4f5a6b7c8"),
    ];

    /// <summary>Events with realistic clocks: mono ~50 ms apart, wall following it within a few µs.</summary>
    public static List<SessionEvent> Timed(IEnumerable<EventPayload> payloads, long firstSeq = 0, int seed = 1)
    {
        var random = new Random(seed);
        var events = new List<SessionEvent>();
        var mono = StartMonoNs;
        var seq = firstSeq;
        foreach (var payload in payloads)
        {
            mono += random.Next(1_000_000, 100_000_000);
            var wall = Start.AddTicks((mono - StartMonoNs) / 100 + random.Next(-200, 200));
            events.Add(new SessionEvent(seq++, mono, wall, payload));
        }
        return events;
    }

    /// <summary>
    /// An hour of typical input at 20 events/s: 80% pointer moves with small deltas, 15% key
    /// down/up while typing, 5% buttons and scrolls, plus the occasional focus change.
    /// </summary>
    public static IEnumerable<EventPayload> TypicalInput(int count, int seed = 7)
    {
        var random = new Random(seed);
        string[] keys = ["a", "e", "t", "o", "n", "s", "space", "BackSpace", "Return", "shift_l", "period", "eacute"];
        int x = 960, y = 540;
        var pressed = (string?)null;
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            if (roll < 0.80)
            {
                x = Math.Clamp(x + random.Next(-12, 13), 0, 1919);
                y = Math.Clamp(y + random.Next(-12, 13), 0, 1079);
                yield return new PointerMovePayload(x, y);
            }
            else if (roll < 0.95)
            {
                if (pressed is null)
                {
                    pressed = keys[random.Next(keys.Length)];
                    var text = pressed switch { "space" => " ", "eacute" => "é", "period" => ".", { Length: 1 } k => k, _ => null };
                    yield return new KeyPayload(true, pressed, text, Modifiers.None, 24 + pressed.Length);
                }
                else
                {
                    yield return new KeyPayload(false, pressed, null, Modifiers.None, 24 + pressed.Length);
                    pressed = null;
                }
            }
            else if (roll < 0.999)
            {
                yield return random.Next(4) switch
                {
                    0 => new ButtonPayload(true, MouseButton.Left, x, y, Modifiers.None),
                    1 => new ButtonPayload(false, MouseButton.Left, x, y, Modifiers.None),
                    _ => new ScrollPayload(0, random.Next(2) == 0 ? 1 : -1, x, y, Modifiers.None),
                };
            }
            else
            {
                yield return new FocusPayload("org.gnome.TextEditor", "gnome-text-editor", "notes.txt — Text Editor", 3120, new Rect(0, 32, 1920, 1048), 0x2400004);
            }
        }
    }
}
