using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Tests.Pipeline;

public sealed class ScopeGateTests
{
    private static readonly DateTimeOffset Wall = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static CapturedEvent At(long ms, EventPayload payload) => new(ms * 1_000_000, Wall.AddMilliseconds(ms), payload);

    private static FocusPayload Focus(string app, string title = "a title") => new(app, app.ToLowerInvariant(), title, 42, new Rect(0, 0, 100, 100), 7);

    private static KeyPayload KeyDown(int code, string key, string? text) => new(true, key, text, Modifiers.None, code);

    private static KeyPayload KeyUp(int code, string key) => new(false, key, null, Modifiers.None, code);

    [Fact]
    public void Events_in_another_app_leave_only_a_gap_with_its_duration_and_count()
    {
        var gate = new ScopeGate(AppScope.FromAllowList(["Yad"]));
        var output = new List<CapturedEvent>();
        gate.Process(At(0, Focus("Yad")), output);
        gate.Process(At(10, KeyDown(38, "a", "a")), output);
        gate.Process(At(20, KeyUp(38, "a")), output);
        gate.Process(At(100, Focus("KeePassXC", "Bank passwords")), output);
        gate.Process(At(110, KeyDown(39, "s", "s")), output);
        gate.Process(At(120, KeyUp(39, "s")), output);
        gate.Process(At(130, new PointerMovePayload(5, 5)), output);
        gate.Process(At(400, Focus("Yad")), output);
        gate.Process(At(410, KeyDown(40, "d", "d")), output);

        var kinds = output.Select(e => e.Payload.Kind).ToArray();
        Assert.Equal([EventKind.Focus, EventKind.KeyDown, EventKind.KeyUp, EventKind.Gap, EventKind.Focus, EventKind.KeyDown], kinds);
        var gap = Assert.IsType<GapPayload>(output[3].Payload);
        Assert.Equal(GapReasons.OutOfScope, gap.Reason);
        Assert.Equal(3, gap.Dropped);
        Assert.Equal(300_000_000, gap.DurationNs);
        Assert.Equal(400_000_000, output[3].MonoNs);
        Assert.DoesNotContain(output, e => e.Payload is FocusPayload f && f.App == "KeePassXC");
        Assert.DoesNotContain(output, e => e.Payload is KeyPayload { Key: "s" });
        Assert.Equal(3, gate.DroppedTotal);
    }

    [Fact]
    public void Input_captured_during_a_pause_is_dropped_however_late_it_arrives()
    {
        var now = 0L;
        var pause = new PauseSwitch(() => now);
        var gate = new ScopeGate(AppScope.AllowAll, pause);
        var output = new List<CapturedEvent>();
        gate.Process(At(0, Focus("Yad")), output);
        gate.Process(At(10, KeyDown(38, "a", "a")), output);
        gate.Process(At(20, KeyUp(38, "a")), output);

        // Paused at 100 ms, resumed at 200 ms; a busy pipeline looks only at 150 and 260 ms.
        now = 100_000_000;
        pause.Set(true);
        gate.Poll(150_000_000, Wall, output);
        gate.Process(At(120, KeyDown(39, "s", "s")), output);
        now = 200_000_000;
        pause.Set(false);
        gate.Poll(260_000_000, Wall, output);
        // Keys typed while paused that the X server delivers only now.
        gate.Process(At(180, KeyDown(40, "d", "d")), output);
        gate.Process(At(190, KeyUp(40, "d")), output);
        gate.Process(At(270, KeyDown(41, "f", "f")), output);

        var typed = output.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text);
        Assert.Equal(["a", "f"], typed);
        var gap = Assert.Single(output.Select(e => e.Payload).OfType<GapPayload>());
        Assert.Equal(GapReasons.Paused, gap.Reason);
        Assert.True(gap.DurationNs >= 100_000_000);
        // The gap counts what was typed in the pause, the keys delivered late among them (s, d down, d up).
        Assert.Equal(3, gap.Dropped);
        // It is written before the first event captured after the pause.
        Assert.True(output.FindIndex(e => e.Payload is GapPayload) < output.FindIndex(e => e.Payload is KeyPayload { Text: "f" }));
    }

    [Fact]
    public void Before_the_first_focus_event_the_gate_fails_closed()
    {
        var gate = new ScopeGate(AppScope.FromAllowList(["Yad"]));
        var output = new List<CapturedEvent>();
        gate.Process(At(0, KeyDown(38, "a", "a")), output);
        gate.Process(At(5, new PointerMovePayload(1, 2)), output);
        Assert.Empty(output);
        gate.Finish(50_000_000, Wall, output);
        var gap = Assert.IsType<GapPayload>(Assert.Single(output).Payload);
        Assert.Equal(2, gap.Dropped);
        Assert.Equal(50_000_000, gap.DurationNs);
    }

    [Fact]
    public void A_key_pressed_in_scope_is_released_even_after_scope_is_left()
    {
        var gate = new ScopeGate(AppScope.FromAllowList(["Yad"]));
        var output = new List<CapturedEvent>();
        gate.Process(At(0, Focus("Yad")), output);
        gate.Process(At(10, KeyDown(64, "alt_l", null)), output);
        gate.Process(At(20, Focus("Firefox")), output);
        gate.Process(At(30, KeyUp(64, "alt_l")), output);
        gate.Process(At(40, KeyUp(65, "space")), output);
        Assert.Equal([EventKind.Focus, EventKind.KeyDown, EventKind.KeyUp], output.Select(e => e.Payload.Kind));
    }

    [Fact]
    public void Instance_names_match_and_case_is_ignored()
    {
        var scope = AppScope.FromAllowList(["YAD"]);
        Assert.True(scope.Allows(new FocusPayload("Other", "yad", null, null, null, 1)));
        Assert.False(scope.Allows(new FocusPayload("Firefox", "Navigator", null, null, null, 1)));
    }

    [Fact]
    public void With_no_allow_list_everything_passes_and_no_gap_is_made()
    {
        var gate = new ScopeGate(AppScope.AllowAll);
        var output = new List<CapturedEvent>();
        gate.Process(At(0, KeyDown(38, "a", "a")), output);
        gate.Process(At(1, Focus("Anything")), output);
        gate.Finish(2_000_000, Wall, output);
        Assert.Equal(2, output.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\nname")]
    public void Invalid_app_names_are_rejected(string name) =>
        Assert.Throws<ArgumentException>(() => AppScope.FromAllowList([name]));
}
