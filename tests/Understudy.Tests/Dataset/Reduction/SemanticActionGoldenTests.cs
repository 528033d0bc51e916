using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Tests.Dataset.Reduction;

/// <summary>
/// Golden tests of what the reduction takes from observations, through the reducer and the episode
/// assembler as <c>dataset build</c> runs them: a <c>ui</c> event within 1.5 s of a click or key press
/// makes it a select, menu, toggle or set_value step; later, it is a step of its own. Typed-text
/// redactions reach the step that typed them.
/// </summary>
public sealed class SemanticActionGoldenTests
{
    private static readonly UiPayload SelectParis = new(UiActions.Select, "City", "combo box", "Paris", [], null, "yad");

    // A step made from input reads "<what the input was> => <what the ui event named>"; a ui event
    // that attached to no input is a step of its own and reads as that only.
    private static string Golden(Understudy.Dataset.Episodes.TrajectoryStep step) => step.Action switch
    {
        { Ui: null } action => Reduced.Describe(action),
        { InputSeqs.Count: 0 } action => Reduced.Describe(action),
        var action => $"{Reduced.Describe(action with { Kind = action.Keys.Count > 0 ? ActionKind.Press : ActionKind.Click })} => {Reduced.Describe(action)}",
    };

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(1500)]
    public void A_ui_event_within_1_5_s_of_the_clicks_release_makes_the_click_a_select(int afterReleaseMs)
    {
        var s = new EventScript();
        var (down, up) = s.Click(200, 300);
        s.Wait(afterReleaseMs);
        s.Add(SelectParis);
        s.Wait(3000);
        s.Click(600, 600);

        var steps = s.Steps();

        Assert.Equal(["click left x1 at 200,300 => select City=Paris", "click left x1 at 600,600"], steps.Select(Golden));
        Assert.Equal(ActionKind.Select, steps[0].Action.Kind);
        Assert.Equal(new ScreenPoint(200, 300), steps[0].Action.Position);
        Assert.Equal([down, up], steps[0].Action.InputSeqs);
    }

    [Theory]
    [InlineData(1501)]
    [InlineData(2500)]
    public void A_ui_event_after_the_window_leaves_the_click_a_click_and_is_a_step_of_its_own(int afterReleaseMs)
    {
        var s = new EventScript();
        s.Click(200, 300);
        s.Wait(afterReleaseMs);
        var ui = s.Add(SelectParis);
        s.Wait(3000);
        s.Click(600, 600);

        var steps = s.Steps();

        Assert.Equal(["click left x1 at 200,300", "select City=Paris", "click left x1 at 600,600"], steps.Select(Golden));
        Assert.Equal(ActionKind.Select, steps[1].Action.Kind);
        Assert.Empty(steps[1].Action.InputSeqs);
        Assert.Equal(ui, steps[1].Action.FirstSeq);
    }

    [Fact]
    public void Menu_toggle_and_value_events_make_menu_toggle_and_set_value_steps()
    {
        var s = new EventScript();
        s.Click(20, 10);
        s.Wait(300);
        s.Add(new UiPayload(UiActions.Menu, "Save As…", "menu item", null, ["File", "Save As…"], null, "gedit"));
        s.Wait(3000);
        s.Click(400, 200);
        s.Wait(200);
        s.Add(new UiPayload(UiActions.Toggle, "Remember me", "check box", null, [], true, "yad"));
        s.Wait(3000);
        s.Click(400, 260);
        s.Wait(200);
        s.Add(new UiPayload(UiActions.Value, "Volume", "slider", "42", [], null, "yad"));

        var steps = s.Steps();

        Assert.Equal([ActionKind.Menu, ActionKind.Toggle, ActionKind.SetValue], steps.Select(t => t.Action.Kind));
        Assert.Equal(["File", "Save As…"], steps[0].Action.Ui!.Path);
        Assert.True(steps[1].Action.Ui!.Checked);
        Assert.Equal("42", steps[2].Action.Ui!.Value);
        Assert.Equal([new ScreenPoint(20, 10), new ScreenPoint(400, 200), new ScreenPoint(400, 260)], steps.Select(t => t.Action.Position!.Value));
    }

    [Fact]
    public void A_key_press_followed_by_a_ui_event_becomes_the_semantic_step_and_keeps_its_keys()
    {
        var s = new EventScript();
        s.Tap("Down");
        s.Wait(100);
        s.Tap("Down");
        s.Wait(100);
        s.Tap("Return");
        s.Wait(200);
        s.Add(SelectParis);

        var steps = s.Steps();

        Assert.Equal(["press down x2", "press enter x1 => select City=Paris"], steps.Select(Golden));
        Assert.Equal(["enter"], steps[1].Action.Keys);
    }

    [Fact]
    public void A_ui_event_after_typing_does_not_turn_the_typing_into_a_select()
    {
        var s = new EventScript();
        s.Type("Par");
        s.Wait(100);
        s.Add(SelectParis);

        var steps = s.Steps();

        Assert.Equal([ActionKind.Type, ActionKind.Select], steps.Select(t => t.Action.Kind));
        Assert.Equal("Par", steps[0].Action.Text);
        Assert.Empty(steps[1].Action.InputSeqs);
    }

    [Fact]
    public void A_rewritten_email_reaches_its_type_step_as_a_redaction_of_EMAIL_ADDRESS()
    {
        var s = new EventScript();
        var first = s.KeyDown(KeyNames.Redacted, "<EMAIL_ADDRESS>");
        s.Wait(40);
        s.KeyUp(KeyNames.Redacted);
        s.Wait(80);
        s.KeyDown(KeyNames.Redacted);
        s.Wait(40);
        var last = s.KeyUp(KeyNames.Redacted);
        s.Wait(20);
        s.Add(new RedactionPayload(RedactionTargets.Typed, "EMAIL_ADDRESS", 1, first, last));
        s.Wait(100);
        s.Tap("Tab");
        s.Wait(2000);
        s.Add(new RedactionPayload(RedactionTargets.SensitiveField, RedactionTypes.SensitiveField, 1, null, null));

        var steps = s.Steps();

        Assert.Equal(["type \"<EMAIL_ADDRESS>\"", "press tab x1", "type \"<REDACTED>\""], steps.Select(t => Reduced.Describe(t.Action)));
        Assert.Equal(["EMAIL_ADDRESS"], steps[0].Action.Redactions);
        Assert.Equal([RedactionTypes.SensitiveField], steps[2].Action.Redactions);
    }
}
