using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Tests.Dataset.Reduction;

/// <summary>
/// Golden tests of the reduction (docs/reduction.md): hand-written event sequences, each with the
/// exact actions and drops it must give, one rule or threshold edge at a time. Every script is also
/// checked to account for each key, button and scroll event exactly once (<see cref="EventScript.Reduce"/>).
/// </summary>
public sealed class ReductionGoldenTests
{
    private static long[] Seqs(params IEnumerable<long>[] parts) => [.. parts.SelectMany(p => p).Order()];

    // ---- clicks -------------------------------------------------------------------------------

    [Fact]
    public void A_press_and_release_in_place_is_one_left_click_at_the_press()
    {
        var s = new EventScript();
        s.Move(90, 190);
        s.Wait(30);
        var (down, up) = s.Click(100, 200);

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 100,200"], r.Golden);
        var click = r.Actions[0];
        Assert.Equal(MouseButton.Left, click.Button);
        Assert.Equal([down, up], click.InputSeqs);
        Assert.Equal(down, click.FirstSeq);
        Assert.Equal(up, click.LastSeq);
        Assert.Empty(r.Drops);
    }

    [Theory]
    [InlineData(2, new[] { "click left x2 at 100,200" })]
    [InlineData(3, new[] { "click left x3 at 100,200" })]
    [InlineData(4, new[] { "click left x3 at 100,200", "click left x1 at 100,200" })]
    public void Presses_of_one_button_in_quick_succession_are_a_double_then_triple_click(int presses, string[] expected)
    {
        var s = new EventScript();
        var seqs = new List<long>();
        for (var i = 0; i < presses; i++)
        {
            var (down, up) = s.Click(100, 200);
            seqs.Add(down);
            seqs.Add(up);
            s.Wait(90);
        }

        var r = s.Reduce();

        Assert.Equal(expected, r.Golden);
        Assert.Equal(seqs.Take(6), r.Actions[0].InputSeqs);
        Assert.Empty(r.Drops);
    }

    [Theory]
    [InlineData(500, new[] { "click left x2 at 100,200" })]
    [InlineData(501, new[] { "click left x1 at 100,200", "click left x1 at 100,200" })]
    public void The_multi_click_interval_runs_from_press_to_press_and_500_ms_is_still_inside(int pressToPressMs, string[] expected)
    {
        var s = new EventScript();
        s.Click(100, 200, holdMs: 60);
        s.Wait(pressToPressMs - 60);
        s.Click(100, 200);

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Theory]
    [InlineData(4, 0, new[] { "click left x2 at 100,200" })]
    [InlineData(0, -4, new[] { "click left x2 at 100,200" })]
    [InlineData(5, 0, new[] { "click left x1 at 100,200", "click left x1 at 105,200" })]
    [InlineData(3, 3, new[] { "click left x1 at 100,200", "click left x1 at 103,203" })]
    public void The_second_press_must_be_within_4_px_of_the_first(int dx, int dy, string[] expected)
    {
        var s = new EventScript();
        s.Click(100, 200);
        s.Wait(100);
        s.Click(100 + dx, 200 + dy);

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Fact]
    public void The_radius_is_measured_from_the_first_press_of_the_chain_so_a_drifting_chain_breaks()
    {
        var s = new EventScript();
        s.Click(100, 200);
        s.Wait(100);
        s.Click(103, 200);
        s.Wait(100);
        s.Click(106, 200);

        Assert.Equal(["click left x2 at 100,200", "click left x1 at 106,200"], s.Reduce().Golden);
    }

    [Fact]
    public void A_press_of_another_button_breaks_the_multi_click_chain()
    {
        var s = new EventScript();
        s.Click(100, 200);
        s.Wait(100);
        s.Click(100, 200, MouseButton.Right);
        s.Wait(100);
        s.Click(100, 200);

        Assert.Equal(["click left x1 at 100,200", "click right x1 at 100,200", "click left x1 at 100,200"], s.Reduce().Golden);
    }

    [Fact]
    public void Right_and_middle_clicks_keep_their_button_and_count()
    {
        var s = new EventScript();
        s.Click(300, 300, MouseButton.Right);
        s.Wait(1000);
        s.Click(310, 300, MouseButton.Middle);
        s.Wait(1000);
        s.Click(320, 300, MouseButton.Right);
        s.Wait(100);
        s.Click(321, 301, MouseButton.Right);

        Assert.Equal(["click right x1 at 300,300", "click middle x1 at 310,300", "click right x2 at 320,300"], s.Reduce().Golden);
    }

    [Fact]
    public void A_shift_click_carries_shift_as_a_held_modifier_and_owns_its_key_events()
    {
        var s = new EventScript();
        var shift = s.KeyDown("shift_l");
        s.Wait(200);
        var (down, up) = s.Click(100, 200, modifiers: Modifiers.Shift);
        s.Wait(100);
        var shiftUp = s.KeyUp("shift_l", Modifiers.Shift);

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 100,200 [shift]"], r.Golden);
        Assert.Equal([shift, down, up, shiftUp], r.Actions[0].InputSeqs);
    }

    [Fact]
    public void Back_and_forward_buttons_are_dropped_as_unsupported()
    {
        var s = new EventScript();
        var (down, up) = s.Click(100, 200, MouseButton.Back);

        var r = s.Reduce();

        Assert.Empty(r.Actions);
        Assert.Equal(Reduced.DropsOf([down, up], DropReasons.UnsupportedButton), r.DropLines);
    }

    // ---- drags and holds ----------------------------------------------------------------------

    [Theory]
    [InlineData(5, "click left x1 at 100,100")]
    [InlineData(6, "click left x1 at 100,100")]
    [InlineData(7, "drag left 100,100 -> 107,100")]
    public void A_release_more_than_6_px_from_the_press_is_a_drag_and_closer_is_click_jitter(int releaseDx, string expected)
    {
        var s = new EventScript();
        s.Move(80, 100);
        s.Wait(40);
        var down = s.Down(100, 100);
        s.Wait(30);
        s.Move(100 + (releaseDx / 2), 100);
        s.Wait(30);
        s.Move(100 + releaseDx, 100);
        s.Wait(30);
        var up = s.Up(100 + releaseDx, 100);

        var r = s.Reduce();

        Assert.Equal([expected], r.Golden);
        Assert.Equal([down, up], r.Actions[0].InputSeqs);
    }

    [Fact]
    public void A_drag_keeps_its_path_from_the_previous_action_to_the_release_decimated_with_both_ends()
    {
        var s = new EventScript();
        s.Click(10, 10);
        s.Wait(1000);
        s.Move(50, 60);
        s.Wait(10);
        s.Down(60, 60);
        for (var i = 1; i <= 300; i++)
        {
            s.Wait(5);
            s.Move(60 + i, 60 + (i / 10));
        }
        s.Wait(5);
        s.Up(360, 90);

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 10,10", "drag left 60,60 -> 360,90"], r.Golden);
        var path = r.Actions[1].PointerPath;
        Assert.InRange(path.Count, 2, new ReductionOptions().MaxPathSamples);
        Assert.Equal(new PathSample(0, 50, 60), path[0]);
        Assert.Equal(new PathSample(10 + (301 * 5), 360, 90), path[^1]);
        Assert.True(path.Zip(path.Skip(1)).All(p => p.First.OffsetMs <= p.Second.OffsetMs), "path samples out of order");
    }

    [Theory]
    [InlineData(999, "click left x1 at 100,100")]
    [InlineData(1000, "hold left at 100,100")]
    [InlineData(2500, "hold left at 100,100")]
    public void A_button_held_in_place_for_1_s_is_a_hold(int heldMs, string expected)
    {
        var s = new EventScript();
        var down = s.Down(100, 100);
        s.Wait(heldMs / 2);
        s.Move(103, 101);
        s.Wait(heldMs - (heldMs / 2));
        var up = s.Up(102, 100);

        var r = s.Reduce();

        Assert.Equal([expected], r.Golden);
        Assert.Equal([down, up], r.Actions[0].InputSeqs);
    }

    [Theory]
    [InlineData(900, "click left x1 at 100,100")]
    [InlineData(1000, "drag left 100,100 -> 101,100")]
    public void A_press_that_wanders_beyond_6_px_and_comes_back_is_a_drag_once_held_1_s_and_a_click_before(int heldMs, string expected)
    {
        var s = new EventScript();
        s.Down(100, 100);
        s.Wait(heldMs / 3);
        s.Move(120, 110);
        s.Wait(heldMs / 3);
        s.Move(101, 100);
        s.Wait(heldMs - (2 * (heldMs / 3)));
        s.Up(101, 100);

        Assert.Equal([expected], s.Reduce().Golden);
    }

    // ---- scrolls ------------------------------------------------------------------------------

    [Fact]
    public void Notches_in_one_direction_at_one_place_are_one_scroll()
    {
        var s = new EventScript();
        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            seqs.Add(s.Scroll(0, 1, 300 + i, 300));
            s.Wait(100);
        }

        var r = s.Reduce();

        Assert.Equal(["scroll 0,5 at 300,300"], r.Golden);
        Assert.Equal(seqs, r.Actions[0].InputSeqs);
    }

    [Fact]
    public void The_opposite_direction_starts_a_new_scroll()
    {
        var s = new EventScript();
        s.Scroll(0, 1, 300, 300);
        s.Wait(100);
        s.Scroll(0, 1, 300, 300);
        s.Wait(100);
        s.Scroll(0, -1, 300, 300);
        s.Wait(100);
        s.Scroll(0, -1, 300, 300);
        s.Wait(100);
        s.Scroll(0, 1, 300, 300);

        Assert.Equal(["scroll 0,2 at 300,300", "scroll 0,-2 at 300,300", "scroll 0,1 at 300,300"], s.Reduce().Golden);
    }

    [Theory]
    [InlineData(40, 0, new[] { "scroll 0,2 at 300,300" })]
    [InlineData(24, 32, new[] { "scroll 0,2 at 300,300" })]
    [InlineData(41, 0, new[] { "scroll 0,1 at 300,300", "scroll 0,1 at 341,300" })]
    public void A_notch_more_than_40_px_from_the_scroll_starts_a_new_one(int dx, int dy, string[] expected)
    {
        var s = new EventScript();
        s.Scroll(0, 1, 300, 300);
        s.Wait(100);
        s.Scroll(0, 1, 300 + dx, 300 + dy);

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Theory]
    [InlineData(700, new[] { "scroll 0,3 at 300,300" })]
    [InlineData(701, new[] { "scroll 0,2 at 300,300", "scroll 0,1 at 300,300" })]
    public void A_pause_over_700_ms_after_the_last_notch_starts_a_new_scroll(int gapMs, string[] expected)
    {
        var s = new EventScript();
        s.Scroll(0, 1, 300, 300);
        s.Wait(600);
        s.Scroll(0, 1, 300, 300);
        s.Wait(gapMs);
        s.Scroll(0, 1, 300, 300);

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Fact]
    public void Horizontal_scrolls_coalesce_on_their_own_axis()
    {
        var s = new EventScript();
        s.Scroll(1, 0, 500, 400);
        s.Wait(80);
        s.Scroll(1, 0, 500, 400);
        s.Wait(80);
        s.Scroll(0, 1, 500, 400);
        s.Wait(80);
        s.Scroll(-1, 0, 500, 400);
        s.Wait(80);
        s.Scroll(-1, 0, 500, 400);

        Assert.Equal(["scroll 2,0 at 500,400", "scroll 0,1 at 500,400", "scroll -2,0 at 500,400"], s.Reduce().Golden);
    }

    [Fact]
    public void A_scroll_keeps_the_pointer_path_that_led_to_it()
    {
        var s = new EventScript();
        s.Click(10, 10);
        s.Wait(1000);
        s.Move(100, 100);
        s.Wait(20);
        s.Move(200, 250);
        s.Wait(20);
        s.Scroll(0, 1, 200, 250);
        s.Wait(50);
        s.Scroll(0, 1, 201, 250);

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 10,10", "scroll 0,2 at 200,250"], r.Golden);
        Assert.Equal([new PathSample(0, 100, 100), new PathSample(20, 200, 250), new PathSample(40, 200, 250)], r.Actions[1].PointerPath);
    }

    [Fact]
    public void A_scroll_with_ctrl_held_carries_ctrl_and_owns_its_key_events()
    {
        var s = new EventScript();
        var ctrl = s.KeyDown("control_l");
        s.Wait(100);
        var one = s.Scroll(0, -1, 640, 400, Modifiers.Ctrl);
        s.Wait(100);
        var two = s.Scroll(0, -1, 640, 400, Modifiers.Ctrl);
        s.Wait(100);
        var ctrlUp = s.KeyUp("control_l", Modifiers.Ctrl);

        var r = s.Reduce();

        Assert.Equal(["scroll 0,-2 at 640,400 [ctrl]"], r.Golden);
        Assert.Equal([ctrl, one, two, ctrlUp], r.Actions[0].InputSeqs);
    }

    // ---- typing -------------------------------------------------------------------------------

    [Fact]
    public void Text_keys_merge_into_one_type_that_owns_every_press_and_release()
    {
        var s = new EventScript();
        var keys = s.Type("hello world");

        var r = s.Reduce();

        Assert.Equal(["type \"hello world\""], r.Golden);
        Assert.Equal(keys, r.Actions[0].InputSeqs);
        Assert.Empty(r.Drops);
    }

    [Fact]
    public void BackSpace_edits_the_text_merged_so_far()
    {
        var s = new EventScript();
        var keys = s.Type("teh");
        var (b1, b1Up) = s.Tap("BackSpace");
        s.Wait(80);
        var (b2, b2Up) = s.Tap("BackSpace");
        s.Wait(80);
        var more = s.Type("he");

        var r = s.Reduce();

        Assert.Equal(["type \"the\""], r.Golden);
        Assert.Equal(Seqs(keys, [b1, b1Up, b2, b2Up], more), r.Actions[0].InputSeqs);
    }

    [Fact]
    public void Delete_and_the_arrows_edit_at_the_cursor_inside_the_text()
    {
        var s = new EventScript();
        s.Type("abc");
        s.Tap("Left");
        s.Wait(80);
        s.Tap("Left");
        s.Wait(80);
        s.Tap("Delete");
        s.Wait(80);
        s.Type("X");
        s.Tap("Right");
        s.Wait(80);
        s.Type("!");

        Assert.Equal(["type \"aXc!\""], s.Reduce().Golden);
    }

    [Fact]
    public void Typing_over_a_shift_selection_replaces_it()
    {
        var s = new EventScript();
        s.Type("hello");
        var shift = s.KeyDown("shift_l");
        s.Wait(80);
        s.Tap("Left", modifiers: Modifiers.Shift);
        s.Wait(80);
        s.Tap("Left", modifiers: Modifiers.Shift);
        s.Wait(80);
        var shiftUp = s.KeyUp("shift_l", Modifiers.Shift);
        s.Wait(80);
        s.Type("p");

        var r = s.Reduce();

        Assert.Equal(["type \"help\""], r.Golden);
        Assert.Contains(shift, r.Actions[0].InputSeqs);
        Assert.Contains(shiftUp, r.Actions[0].InputSeqs);
    }

    [Fact]
    public void Shift_and_caps_lock_are_folded_into_the_typed_text()
    {
        var s = new EventScript();
        var shift = s.KeyDown("shift_l");
        s.Wait(50);
        s.Tap("h", "H", Modifiers.Shift);
        s.Wait(30);
        var shiftUp = s.KeyUp("shift_l", Modifiers.Shift);
        s.Wait(80);
        s.Type("i ");
        var (caps, capsUp) = s.Tap("caps_lock");
        s.Wait(80);
        s.Type("OK", Modifiers.CapsLock);

        var r = s.Reduce();

        Assert.Equal(["type \"Hi OK\""], r.Golden);
        Assert.Contains(shift, r.Actions[0].InputSeqs);
        Assert.Contains(shiftUp, r.Actions[0].InputSeqs);
        // Caps lock produced no action of its own: what it did is in the text.
        Assert.Equal(Reduced.DropsOf([caps, capsUp], DropReasons.LoneModifier), r.DropLines);
    }

    [Fact]
    public void Text_made_with_AltGr_is_typed_not_a_hotkey()
    {
        var s = new EventScript();
        s.Type("me");
        var altGr = s.KeyDown("ISO_Level3_Shift");
        s.Wait(50);
        s.Tap("q", "@", Modifiers.AltGr);
        s.Wait(30);
        var altGrUp = s.KeyUp("ISO_Level3_Shift", Modifiers.AltGr);
        s.Wait(80);
        s.Type("x.org");

        var r = s.Reduce();

        Assert.Equal(["type \"me@x.org\""], r.Golden);
        Assert.Contains(altGr, r.Actions[0].InputSeqs);
        Assert.Contains(altGrUp, r.Actions[0].InputSeqs);
    }

    [Fact]
    public void Enter_ends_typing_as_a_press_of_its_own()
    {
        var s = new EventScript();
        s.Type("hello");
        s.Tap("Return");
        s.Wait(100);
        s.Type("again");

        Assert.Equal(["type \"hello\"", "press enter x1", "type \"again\""], s.Reduce().Golden);
    }

    [Fact]
    public void Text_typed_and_erased_is_dropped_as_typed_then_erased()
    {
        var s = new EventScript();
        var keys = s.Type("ab");
        var (b1, b1Up) = s.Tap("BackSpace");
        s.Wait(80);
        var (b2, b2Up) = s.Tap("BackSpace");
        s.Wait(500);
        s.Click(400, 400);

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 400,400"], r.Golden);
        Assert.Equal(Reduced.DropsOf(Seqs(keys, [b1, b1Up, b2, b2Up]), DropReasons.TypedThenErased), r.DropLines);
    }

    [Fact]
    public void A_BackSpace_beyond_the_typed_text_is_a_press_of_its_own()
    {
        var s = new EventScript();
        var keys = s.Type("a");
        var (b1, b1Up) = s.Tap("BackSpace");
        s.Wait(80);
        var (b2, b2Up) = s.Tap("BackSpace");

        var r = s.Reduce();

        Assert.Equal(["press backspace x1"], r.Golden);
        Assert.Equal([b2, b2Up], r.Actions[0].InputSeqs);
        Assert.Equal(Reduced.DropsOf(Seqs(keys, [b1, b1Up]), DropReasons.TypedThenErased), r.DropLines);
    }

    [Theory]
    [InlineData(3000, new[] { "type \"abcd\"" })]
    [InlineData(3001, new[] { "type \"ab\"", "type \"cd\"" })]
    public void A_typing_pause_over_3_s_from_key_press_to_key_press_starts_a_new_type(int pauseMs, string[] expected)
    {
        var s = new EventScript();
        s.Type("ab");
        // Type() leaves the clock 120 ms after the last press.
        s.Wait(pauseMs - 120);
        s.Type("cd");

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Fact]
    public void A_scroll_between_typing_splits_it_and_a_late_release_still_goes_to_its_type()
    {
        var s = new EventScript();
        var a = s.Tap("a", "a");
        s.Wait(80);
        var b = s.KeyDown("b", "b");
        s.Wait(20);
        var scroll = s.Scroll(0, 1, 300, 300);
        s.Wait(20);
        var bUp = s.KeyUp("b");
        s.Wait(100);
        s.Type("cd");

        var r = s.Reduce();

        Assert.Equal(["type \"ab\"", "scroll 0,1 at 300,300", "type \"cd\""], r.Golden);
        Assert.Equal([a.Down, a.Up, b, bUp], r.Actions[0].InputSeqs);
        Assert.Equal([scroll], r.Actions[1].InputSeqs);
    }

    [Fact]
    public void A_click_cuts_typing()
    {
        var s = new EventScript();
        s.Type("ab");
        s.Click(300, 300);
        s.Wait(100);
        s.Type("cd");

        Assert.Equal(["type \"ab\"", "click left x1 at 300,300", "type \"cd\""], s.Reduce().Golden);
    }

    [Fact]
    public void A_focus_change_cuts_typing()
    {
        var s = new EventScript();
        s.Type("ab");
        s.Focus("Firefox");
        s.Type("cd");

        var r = s.Reduce();

        Assert.Equal(["type \"ab\"", "type \"cd\""], r.Golden);
        Assert.Null(r.Actions[0].Context);
        Assert.Equal("Firefox", r.Actions[1].Context?.App);
    }

    // ---- hotkeys and special keys -------------------------------------------------------------

    [Fact]
    public void Ctrl_shift_s_is_one_hotkey_owning_all_six_key_events()
    {
        var s = new EventScript();
        var ctrl = s.KeyDown("control_l");
        s.Wait(60);
        var shift = s.KeyDown("shift_l", modifiers: Modifiers.Ctrl);
        s.Wait(60);
        var (key, keyUp) = s.Tap("s", modifiers: Modifiers.Ctrl | Modifiers.Shift);
        s.Wait(40);
        var shiftUp = s.KeyUp("shift_l", Modifiers.Ctrl | Modifiers.Shift);
        s.Wait(40);
        var ctrlUp = s.KeyUp("control_l", Modifiers.Ctrl);

        var r = s.Reduce();

        Assert.Equal(["hotkey ctrl+shift+s"], r.Golden);
        Assert.Equal([ctrl, shift, key, keyUp, shiftUp, ctrlUp], r.Actions[0].InputSeqs);
        Assert.Empty(r.Drops);
    }

    [Theory]
    [InlineData("control_l,alt_l", Modifiers.Ctrl | Modifiers.Alt, "Delete", "hotkey ctrl+alt+delete")]
    [InlineData("alt_l,control_l", Modifiers.Ctrl | Modifiers.Alt, "Delete", "hotkey ctrl+alt+delete")]
    [InlineData("shift_l,control_l", Modifiers.Ctrl | Modifiers.Shift, "Escape", "hotkey ctrl+shift+esc")]
    [InlineData("super_l,shift_l", Modifiers.Super | Modifiers.Shift, "s", "hotkey shift+win+s")]
    [InlineData("shift_l,super_l,alt_l,control_l", Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift | Modifiers.Super, "F4", "hotkey ctrl+alt+shift+win+f4")]
    [InlineData("alt_l", Modifiers.Alt, "Tab", "hotkey alt+tab")]
    [InlineData("shift_l", Modifiers.Shift, "Tab", "hotkey shift+tab")]
    public void Hotkey_modifiers_come_first_in_ctrl_alt_shift_win_order_whatever_order_they_were_pressed(
        string pressed, Modifiers held, string key, string expected)
    {
        var s = new EventScript();
        var modifiers = pressed.Split(',');
        foreach (var modifier in modifiers)
        {
            s.KeyDown(modifier);
            s.Wait(50);
        }
        s.Tap(key, modifiers: held);
        s.Wait(50);
        foreach (var modifier in modifiers.Reverse())
        {
            s.KeyUp(modifier, held);
            s.Wait(30);
        }

        var r = s.Reduce();

        Assert.Equal([expected], r.Golden);
        Assert.Equal(2 + (2 * modifiers.Length), r.Actions[0].InputSeqs.Count);
        Assert.Empty(r.Drops);
    }

    [Fact]
    public void One_ctrl_held_for_ctrl_c_then_ctrl_v_gives_two_hotkeys_and_belongs_to_the_first()
    {
        var s = new EventScript();
        var ctrl = s.KeyDown("control_l");
        s.Wait(60);
        var c = s.Tap("c", modifiers: Modifiers.Ctrl);
        s.Wait(300);
        var v = s.Tap("v", modifiers: Modifiers.Ctrl);
        s.Wait(60);
        var ctrlUp = s.KeyUp("control_l", Modifiers.Ctrl);

        var r = s.Reduce();

        Assert.Equal(["hotkey ctrl+c", "hotkey ctrl+v"], r.Golden);
        Assert.Equal([ctrl, c.Down, c.Up, ctrlUp], r.Actions[0].InputSeqs);
        Assert.Equal([v.Down, v.Up], r.Actions[1].InputSeqs);
    }

    [Theory]
    [InlineData("shift_l")]
    [InlineData("control_l")]
    [InlineData("alt_l")]
    [InlineData("super_l")]
    [InlineData("caps_lock")]
    public void A_modifier_pressed_and_released_alone_is_dropped_as_lone_modifier(string modifier)
    {
        var s = new EventScript();
        var (down, up) = s.Tap(modifier, holdMs: 300);

        var r = s.Reduce();

        Assert.Empty(r.Actions);
        Assert.Equal(Reduced.DropsOf([down, up], DropReasons.LoneModifier), r.DropLines);
    }

    [Fact]
    public void Special_keys_are_presses_in_PyAutoGUI_names()
    {
        var s = new EventScript();
        foreach (var key in new[] { "Return", "Tab", "Escape", "Up", "Down", "Left", "Right", "F5", "Home", "Prior", "BackSpace", "Delete" })
        {
            s.Tap(key);
            s.Wait(1500);
        }

        Assert.Equal(
            ["press enter x1", "press tab x1", "press esc x1", "press up x1", "press down x1", "press left x1", "press right x1",
             "press f5 x1", "press home x1", "press pageup x1", "press backspace x1", "press delete x1"],
            s.Reduce().Golden);
    }

    [Theory]
    [InlineData(1000, new[] { "press down x3" })]
    [InlineData(1001, new[] { "press down x1", "press down x1", "press down x1" })]
    public void The_same_special_key_again_within_1_s_adds_to_the_repeat_count(int pressToPressMs, string[] expected)
    {
        var s = new EventScript();
        for (var i = 0; i < 3; i++)
        {
            s.Tap("Down", holdMs: 50);
            s.Wait(pressToPressMs - 50);
        }

        Assert.Equal(expected, s.Reduce().Golden);
    }

    [Fact]
    public void An_auto_repeated_key_is_one_press_with_its_repeats_and_its_one_release()
    {
        var s = new EventScript();
        var downs = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            downs.Add(s.KeyDown("Down"));
            s.Wait(i == 0 ? 500 : 33);
        }
        var up = s.KeyUp("Down");
        s.Wait(100);
        s.Tap("Return");

        var r = s.Reduce();

        Assert.Equal(["press down x4", "press enter x1"], r.Golden);
        Assert.Equal(Seqs(downs, [up]), r.Actions[0].InputSeqs);
    }

    [Fact]
    public void A_different_special_key_ends_the_repeat()
    {
        var s = new EventScript();
        s.Tap("Down");
        s.Wait(100);
        s.Tap("Down");
        s.Wait(100);
        s.Tap("Up");
        s.Wait(100);
        s.Tap("Down");

        Assert.Equal(["press down x2", "press up x1", "press down x1"], s.Reduce().Golden);
    }

    // ---- the recorder's own hotkeys -----------------------------------------------------------

    [Theory]
    [InlineData("p", "control_l,alt_l,shift_l")]
    [InlineData("t", "control_l,alt_l,shift_l")]
    [InlineData("p", "shift_l,alt_l,control_l")]
    [InlineData("T", "alt_l,control_r,shift_r")]
    public void The_recorders_pause_and_task_hotkeys_are_dropped_with_all_their_key_events(string key, string pressed)
    {
        var s = new EventScript();
        var typed = s.Type("ab");
        var control = new List<long>();
        foreach (var modifier in pressed.Split(','))
        {
            control.Add(s.KeyDown(modifier));
            s.Wait(40);
        }
        var (down, up) = s.Tap(key, modifiers: Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift);
        control.Add(down);
        control.Add(up);
        s.Wait(40);
        foreach (var modifier in pressed.Split(',').Reverse())
        {
            control.Add(s.KeyUp(modifier, Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift));
            s.Wait(40);
        }
        s.Wait(200);
        var click = s.Click(300, 300);

        var r = s.Reduce();

        Assert.Equal(["type \"ab\"", "click left x1 at 300,300"], r.Golden);
        Assert.Equal(typed, r.Actions[0].InputSeqs);
        Assert.Equal([click.Down, click.Up], r.Actions[1].InputSeqs);
        Assert.Equal(Reduced.DropsOf(control, DropReasons.RecorderHotkey), r.DropLines);
    }

    [Fact]
    public void A_recorder_hotkey_whose_releases_the_pause_swallowed_is_still_dropped_whole()
    {
        var s = new EventScript();
        var control = new List<long> { s.KeyDown("control_l") };
        s.Wait(40);
        control.Add(s.KeyDown("alt_l", modifiers: Modifiers.Ctrl));
        s.Wait(40);
        control.Add(s.KeyDown("shift_l", modifiers: Modifiers.Ctrl | Modifiers.Alt));
        s.Wait(40);
        control.Add(s.KeyDown("p", modifiers: Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift));
        s.Wait(10);
        s.Add(new GapPayload(GapReasons.Paused, 30_000_000_000, 0));

        var r = s.Reduce();

        Assert.Empty(r.Actions);
        Assert.Equal(Reduced.DropsOf(control, DropReasons.RecorderHotkey), r.DropLines);
    }

    [Theory]
    [InlineData("p", Modifiers.Ctrl | Modifiers.Alt, "hotkey ctrl+alt+p")]
    [InlineData("s", Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift, "hotkey ctrl+alt+shift+s")]
    [InlineData("t", Modifiers.Ctrl | Modifiers.Shift, "hotkey ctrl+shift+t")]
    [InlineData("p", Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift | Modifiers.Super, "hotkey ctrl+alt+shift+win+p")]
    public void Hotkeys_that_only_resemble_the_recorders_are_kept(string key, Modifiers held, string expected)
    {
        var s = new EventScript();
        s.Tap(key, modifiers: held);

        Assert.Equal([expected], s.Reduce().Golden);
    }

    [Fact]
    public void A_policy_that_moves_the_recorder_hotkeys_moves_what_is_dropped()
    {
        var s = new EventScript();
        var (down, up) = s.Tap("F9", modifiers: Modifiers.Ctrl | Modifiers.Alt);
        s.Wait(500);
        s.Tap("p", modifiers: Modifiers.Ctrl | Modifiers.Alt | Modifiers.Shift);

        var r = s.Reduce(new ReductionOptions { RecorderHotkeys = [["ctrl", "alt", "f9"]] });

        Assert.Equal(["hotkey ctrl+alt+shift+p"], r.Golden);
        Assert.Equal(Reduced.DropsOf([down, up], DropReasons.RecorderHotkey), r.DropLines);
    }

    // ---- redacted typing ----------------------------------------------------------------------

    /// <summary>A piece the recorder rewrote (docs/storage.md): its first text key carries the whole redacted text, every other key is anonymous.</summary>
    private static List<long> RewrittenPiece(EventScript s, string redactedText, int keys, string type)
    {
        var seqs = new List<long> { s.KeyDown(KeyNames.Redacted, redactedText) };
        s.Wait(40);
        seqs.Add(s.KeyUp(KeyNames.Redacted));
        for (var i = 1; i < keys; i++)
        {
            s.Wait(80);
            seqs.Add(s.KeyDown(KeyNames.Redacted));
            s.Wait(40);
            seqs.Add(s.KeyUp(KeyNames.Redacted));
        }
        s.Wait(20);
        s.Add(new RedactionPayload(RedactionTargets.Typed, type, 1, seqs[0], seqs[^1]));
        s.Wait(60);
        return seqs;
    }

    [Fact]
    public void A_rewritten_piece_types_its_placeholder_and_its_anonymous_keys_edit_nothing()
    {
        var s = new EventScript();
        var piece = RewrittenPiece(s, "mail <EMAIL_ADDRESS>", keys: 18, "EMAIL_ADDRESS");

        var r = s.Reduce();

        Assert.Equal(["type \"mail <EMAIL_ADDRESS>\""], r.Golden);
        Assert.Equal(piece, r.Actions[0].InputSeqs);
    }

    [Fact]
    public void BackSpace_after_a_placeholder_removes_it_whole_never_a_part_of_it()
    {
        var s = new EventScript();
        RewrittenPiece(s, "mail <EMAIL_ADDRESS>", keys: 18, "EMAIL_ADDRESS");
        s.Tap("BackSpace");
        s.Wait(80);
        s.Type("x");

        Assert.Equal(["type \"mail x\""], s.Reduce().Golden);
    }

    [Fact]
    public void The_cursor_steps_over_a_placeholder_whole()
    {
        var s = new EventScript();
        RewrittenPiece(s, "<EMAIL_ADDRESS>", keys: 12, "EMAIL_ADDRESS");
        s.Tap("Left");
        s.Wait(80);
        s.Type("to ");
        s.Tap("Right");
        s.Wait(80);
        s.Type("!");
        s.Tap("Left");
        s.Wait(80);
        s.Tap("Left");
        s.Wait(80);
        s.Tap("Delete");

        Assert.Equal(["type \"to !\""], s.Reduce().Golden);
    }

    [Fact]
    public void A_sensitive_field_redaction_becomes_one_type_of_REDACTED_owning_that_event()
    {
        var s = new EventScript();
        s.Type("ann");
        s.Tap("Tab");
        s.Wait(2000);
        var hidden = s.Add(new RedactionPayload(RedactionTargets.SensitiveField, RedactionTypes.SensitiveField, 1, null, null));
        s.Wait(10);
        s.Tap("Return");

        var r = s.Reduce();

        Assert.Equal(["type \"ann\"", "press tab x1", "type \"<REDACTED>\"", "press enter x1"], r.Golden);
        var redacted = r.Actions[2];
        Assert.Equal(ActionReducer.TypedPlaceholder, redacted.Text);
        Assert.Equal([RedactionTypes.SensitiveField], redacted.Redactions);
        Assert.Equal([hidden], redacted.InputSeqs);
        Assert.Contains(r.Observations, o => o.Seq == hidden);
    }

    [Fact]
    public void Text_typed_after_a_sensitive_field_is_a_type_of_its_own()
    {
        var s = new EventScript();
        s.Type("ab");
        s.Add(new RedactionPayload(RedactionTargets.SensitiveField, RedactionTypes.SensitiveField, 1, null, null));
        s.Wait(100);
        s.Type("cd");

        Assert.Equal(["type \"ab\"", "type \"<REDACTED>\"", "type \"cd\""], s.Reduce().Golden);
    }

    // ---- releases and presses that lost their other half -------------------------------------

    [Fact]
    public void Releases_whose_press_is_not_in_the_session_are_dropped_as_release_without_press()
    {
        var s = new EventScript();
        var keyUp = s.KeyUp("a");
        s.Wait(50);
        var buttonUp = s.Up(100, 100);
        s.Wait(50);
        var shiftUp = s.KeyUp("shift_l");
        s.Wait(50);
        s.Type("b");

        var r = s.Reduce();

        Assert.Equal(["type \"b\""], r.Golden);
        Assert.Equal(Reduced.DropsOf([keyUp, buttonUp, shiftUp], DropReasons.ReleaseWithoutPress), r.DropLines);
    }

    [Fact]
    public void Presses_never_released_by_the_end_of_the_session_are_dropped_as_press_without_release()
    {
        var s = new EventScript();
        var staleDown = s.Down(100, 100);
        s.Wait(200);
        var (down, up) = s.Click(500, 500);
        s.Wait(1000);
        var shift = s.KeyDown("shift_l");
        s.Wait(100);
        var button = s.Down(200, 200, MouseButton.Right);
        s.Wait(100);
        var typed = s.KeyDown("a", "a");

        var r = s.Reduce();

        // The typed key is an action even without its release; a button or a modifier alone is not.
        Assert.Equal(["click left x1 at 500,500", "type \"a\""], r.Golden);
        Assert.Equal([down, up], r.Actions[0].InputSeqs);
        Assert.Equal([shift, typed], r.Actions[1].InputSeqs);
        Assert.Equal(Reduced.DropsOf([staleDown, button], DropReasons.PressWithoutRelease), r.DropLines);
    }

    [Fact]
    public void A_modifier_still_held_at_the_end_is_dropped_as_press_without_release()
    {
        var s = new EventScript();
        s.Click(500, 500);
        s.Wait(1000);
        var ctrl = s.KeyDown("control_l");

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 500,500"], r.Golden);
        Assert.Equal(Reduced.DropsOf([ctrl], DropReasons.PressWithoutRelease), r.DropLines);
    }

    [Fact]
    public void A_release_after_its_action_was_handed_on_is_dropped_as_release_after_action()
    {
        var s = new EventScript();
        var ctrl = s.KeyDown("control_l");
        s.Wait(40);
        var key = s.KeyDown("s", modifiers: Modifiers.Ctrl);
        s.Wait(40);
        var ctrlUp = s.KeyUp("control_l", Modifiers.Ctrl);
        // The hotkey waits 2 s for its keys' releases, then goes on without them.
        s.Wait(1000);
        s.Move(10, 10);
        s.Wait(1000);
        s.Move(20, 10);
        s.Wait(500);
        var keyUp = s.KeyUp("s");

        var r = s.Reduce();

        Assert.Equal(["hotkey ctrl+s"], r.Golden);
        Assert.Equal([ctrl, key, ctrlUp], r.Actions[0].InputSeqs);
        Assert.Equal(Reduced.DropsOf([keyUp], DropReasons.ReleaseAfterAction), r.DropLines);
    }

    [Fact]
    public void A_release_within_the_wait_still_belongs_to_its_action()
    {
        var s = new EventScript();
        var key = s.KeyDown("s", modifiers: Modifiers.Ctrl);
        s.Wait(1000);
        s.Move(10, 10);
        s.Wait(900);
        var keyUp = s.KeyUp("s");

        var r = s.Reduce();

        Assert.Equal(["hotkey ctrl+s"], r.Golden);
        Assert.Equal([key, keyUp], r.Actions[0].InputSeqs);
        Assert.Empty(r.Drops);
    }

    [Fact]
    public void Non_input_events_are_handed_on_after_the_actions_before_them()
    {
        var s = new EventScript();
        var click = s.Click(100, 100);
        s.Wait(10);
        var marker = s.Add(new MarkerPayload(MarkerTypes.TaskEnd, null));
        s.Wait(10);
        s.Type("a");

        var r = s.Reduce();

        Assert.Equal(["click left x1 at 100,100", "type \"a\""], r.Golden);
        Assert.Equal([marker], r.Observations.Select(o => o.Seq));
        Assert.Equal(click.Up, r.Actions[0].LastSeq);
    }
}
