using Understudy.Core.Model;
using Understudy.Dataset.Import;
using Understudy.Storage;
using static Understudy.Tests.Dataset.Import.ImportFixture;

namespace Understudy.Tests.Dataset.Import;

public sealed class ImportMappingTests
{
    [Fact]
    public void DuckTrack_events_map_to_every_input_kind_with_gapless_seqs_and_their_timing()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata(width: 1512, height: 982, scroll: -1));
        fixture.Write("events.jsonl",
            Move(150160.5, 1175.4, 50.6),
            Click(150161.0, 100, 200, pressed: true),
            Click(150161.1, 100, 200, pressed: false),
            Click(150161.2, 10, 20, pressed: true, button: "right"),
            Click(150161.3, 10, 20, pressed: false, button: "right"),
            Scroll(150161.5, 0, 1),
            Scroll(150161.6, 0, 0),
            Key(150162.0, "shift"),
            Key(150162.1, "A"),
            Key(150162.15, "A", press: false),
            Key(150162.2, "shift", press: false),
            Key(150162.3, "backspace"),
            Key(150162.4, "ctrl_l"),
            Key(150162.5, "\u0003"),
            Key(150162.6, "ctrl_l", press: false),
            Key(150162.7, "enter"),
            "{\"time_stamp\": 150163.0, \"action\": \"pause\"}",
            "{\"time_stamp\": 150165.0, \"action\": \"resume\"}",
            Key(150165.5, "@"));

        var diagnostics = new ImportDiagnostics();
        var result = fixture.Import(ImportFormat.DuckTrack, diagnostics);
        Assert.Empty(result.Problems);
        Assert.Equal(1, result.Skipped[SkipReasons.EmptyScroll]);

        var info = fixture.Store.Store.Get(result.SessionId);
        Assert.Equal(SessionStatus.Complete, info.Status);
        Assert.Equal("import:ducktrack", info.Backend);
        Assert.Equal(new ScreenSize(1512, 982), info.Screen);

        var events = fixture.Events(result.SessionId);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.MonoNs <= p.Second.MonoNs));
        Assert.Equal(new MarkerPayload(MarkerTypes.SessionBegin, null), events[0].Payload);
        Assert.Equal(new MarkerPayload(MarkerTypes.SessionEnd, "imported"), events[^1].Payload);

        var move = events.Single(e => e.Payload is PointerMovePayload);
        Assert.Equal(new PointerMovePayload(1175, 51), move.Payload);
        Assert.Equal(0, move.MonoNs);
        var buttons = events.Select(e => e.Payload).OfType<ButtonPayload>().ToList();
        Assert.Equal([(true, MouseButton.Left, 100, 200), (false, MouseButton.Left, 100, 200), (true, MouseButton.Right, 10, 20), (false, MouseButton.Right, 10, 20)],
            buttons.Select(b => (b.IsDown, b.Button, b.X, b.Y)));
        var down = events.First(e => e.Payload is ButtonPayload);
        Assert.Equal(500_000_000, down.MonoNs);
        Assert.Equal(TimeSpan.FromSeconds(0.5), down.Wall - move.Wall);

        // Natural scrolling (scroll_direction -1): pynput dy +1 is content moving down.
        Assert.Equal(new ScrollPayload(0, 1, 5, 6, Modifiers.None), events.Single(e => e.Payload is ScrollPayload).Payload);

        var keys = events.Select(e => e.Payload).OfType<KeyPayload>().ToList();
        Assert.Contains(keys, k => k is { IsDown: true, Key: "shift_l", Text: null });
        Assert.Contains(keys, k => k is { IsDown: true, Key: "a", Text: "A", Modifiers: Modifiers.Shift });
        Assert.Contains(keys, k => k is { IsDown: true, Key: "BackSpace", Text: null, Modifiers: Modifiers.None });
        Assert.Contains(keys, k => k is { IsDown: true, Key: "c", Text: "c", Modifiers: Modifiers.Ctrl });
        Assert.Contains(keys, k => k is { IsDown: true, Key: "Return", Text: null });
        Assert.Contains(keys, k => k is { IsDown: true, Key: "at", Text: "@" });
        Assert.All(keys.Where(k => !k.IsDown), k => Assert.Null(k.Text));
        var shiftCodes = keys.Where(k => k.Key == "shift_l").Select(k => k.KeyCode).Distinct();
        Assert.Single(shiftCodes);

        var gap = Assert.IsType<GapPayload>(events.Single(e => e.Payload is GapPayload).Payload);
        Assert.Equal(new GapPayload(GapReasons.Paused, 2_000_000_000, 0), gap);
    }

    [Fact]
    public void AgentNet_elements_focus_and_task_map_to_element_focus_and_task_markers()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata(videoStart: 99.9));
        fixture.Write("task_name.json", "{\"task_name\": \"Rename the report\", \"description\": \"\"}");
        fixture.Write("top_window.jsonl", "{\"time_stamp\": 100.0, \"top_window_name\": \"EXCEL\"}", "{\"time_stamp\": 103.0, \"top_window_name\": \"chrome\"}");
        fixture.Write("element.jsonl",
            "{\"time_stamp\": 101.01, \"a11y_tree\": {\"Name\": \"Save\", \"ControlType\": \"ButtonControl\", \"BoundingRectangle\": {\"left\": 90, \"top\": 40, \"right\": 130, \"bottom\": 60}, \"Depth\": 0, \"Children\": []}}",
            "{\"time_stamp\": 104.0, \"a11y_tree\": {\"AXRole\": \"AXCheckBox\", \"AXTitle\": \"Remember me\", \"AXEnabled\": \"True\", \"AXFrame\": {\"x\": 10.5, \"y\": 20, \"w\": 15, \"h\": 15, \"type\": \"kAXValueCGRectType\"}}}",
            "{\"time_stamp\": 110.0, \"a11y_tree\": {\"Name\": \"Orphan\", \"ControlType\": \"ButtonControl\"}}",
            "{\"time_stamp\": 111.0, \"a11y_tree\": {}}");
        fixture.Write("events.jsonl",
            Move(100.0, 1, 1),
            Click(101.0, 100, 50, pressed: true),
            Click(101.1, 100, 50, pressed: false),
            Click(104.0, 12, 25, pressed: true),
            Click(104.1, 12, 25, pressed: false),
            Key(105.0, "Page Down"));

        var diagnostics = new ImportDiagnostics();
        var result = fixture.Import(ImportFormat.AgentNet, diagnostics);
        Assert.Equal(1, result.Skipped[SkipReasons.ElementWithoutClick]);
        Assert.Equal(1, result.Skipped[SkipReasons.EmptyElement]);
        Assert.Contains(result.Problems, p => p.ToString() == "element.jsonl:3: no press within 0.5 s of this element (line skipped)");

        var events = fixture.Events(result.SessionId);
        Assert.Equal(new MarkerPayload(MarkerTypes.TaskBegin, "Rename the report"), events[1].Payload);
        Assert.Contains(events, e => e.Payload is MarkerPayload { Marker: MarkerTypes.TaskEnd });
        var focus = events.Select(e => e.Payload).OfType<FocusPayload>().ToList();
        Assert.Equal(["EXCEL", "chrome"], focus.Select(f => f.App));
        Assert.Equal([1L, 2L], focus.Select(f => f.WindowId));

        var elements = events.Where(e => e.Payload is ElementPayload).ToList();
        Assert.Equal(2, elements.Count);
        var save = (ElementPayload)elements[0].Payload;
        Assert.Equal(ElementTriggers.Pointer, save.Trigger);
        Assert.Equal(("push button", "Save", (Rect?)new Rect(90, 40, 40, 20), "EXCEL"), (save.Role, save.Name, save.Bounds, save.App));
        Assert.IsType<ButtonPayload>(events[(int)save.ForSeq].Payload);
        Assert.Equal(elements[0].Seq - 1, save.ForSeq);
        var check = (ElementPayload)elements[1].Payload;
        Assert.Equal(("check box", "Remember me", (Rect?)new Rect(10, 20, 16, 15), "chrome"), (check.Role, check.Name, check.Bounds, check.App));
        Assert.Contains("enabled", check.States);

        Assert.Contains(events, e => e.Payload is KeyPayload { IsDown: true, Key: "Next" });
        Assert.True(fixture.Store.Store.Get(result.SessionId).Capabilities!.Accessibility);
    }

    [Theory]
    [InlineData("a", null, "a", "a")]
    [InlineData("A", null, "a", "A")]
    [InlineData("7", null, "7", "7")]
    [InlineData(" ", null, "space", " ")]
    [InlineData("space", null, "space", " ")]
    [InlineData("enter", null, "Return", null)]
    [InlineData("Enter", null, "Return", null)]
    [InlineData("backspace", null, "BackSpace", null)]
    [InlineData("Backspace", null, "BackSpace", null)]
    [InlineData("tab", null, "Tab", null)]
    [InlineData("esc", null, "Escape", null)]
    [InlineData("shift_r", null, "shift_r", null)]
    [InlineData("ctrl", null, "control_l", null)]
    [InlineData("cmd", null, "super_l", null)]
    [InlineData("alt_gr", null, "iso_level3_shift", null)]
    [InlineData("Caps Lock", null, "caps_lock", null)]
    [InlineData("page_up", null, "Prior", null)]
    [InlineData("f5", null, "F5", null)]
    [InlineData("\u0001", null, "a", "a")]
    [InlineData("A", "ctrl", "a", "a")]
    [InlineData("é", null, "U00E9", "é")]
    [InlineData("É", null, "U00E9", "É")]
    public void Pynput_key_names_become_base_keysyms_and_text(string name, string? held, string key, string? text)
    {
        var modifiers = held == "ctrl" ? Modifiers.Ctrl : Modifiers.None;
        Assert.Equal((key, text), PynputKeys.Map(name, modifiers));
    }

    [Theory]
    [InlineData("$Unknown (255)$")]
    [InlineData("$Unknown$")]
    [InlineData("\u0000")]
    [InlineData("launch_app1")]
    public void Keys_that_cannot_be_named_are_not_guessed(string name) => Assert.Null(PynputKeys.Map(name, Modifiers.None));
}
