using Understudy.Cli.Commands;
using Understudy.Core.Model;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Cli;

public sealed class SessionTallyTests
{
    [Fact]
    public void Losses_are_summed_by_reason_and_every_reported_reason_is_listed()
    {
        var tally = SessionTally.From(SampleEvents.Timed(
        [
            new GapPayload(GapReasons.InputOverflow, 1_000, 30),
            new GapPayload(GapReasons.InputOverflow, 2_000, 12),
            new GapPayload(GapReasons.FrameLost, 50_000_000, 3),
            new GapPayload(GapReasons.ElementTimeout, 800_000_000, 1),
            new GapPayload(GapReasons.AccessibilityLost, 5_000_000_000, 0),
            new GapPayload(GapReasons.Paused, 9_000_000_000, 0),
            new ElementPayload(0, ElementTriggers.Pointer, "push button", null, null, [], null, null, null, []),
            new UiPayload(UiActions.Toggle, null, "check box", null, [], true, null),
            new FramePayload("0123456789abcdef0123456789abcdef", 1, new Rect(0, 0, 1, 1), 1.0, 1, 1, "png", null, FrameRoles.After, null),
            new FramePayload("0123456789abcdef0123456789abcdef", 2, new Rect(0, 0, 1, 1), 1.0, 1, 1, "png", null, FrameRoles.After, null),
        ]));

        var losses = tally.Losses.ToDictionary(pair => pair.Reason, pair => pair.Total);
        Assert.Equal(new LossTotal(2, 3_000, 42), losses[GapReasons.InputOverflow]);
        Assert.Equal(new LossTotal(1, 50_000_000, 3), losses[GapReasons.FrameLost]);
        Assert.Equal(new LossTotal(1, 800_000_000, 1), losses[GapReasons.ElementTimeout]);
        Assert.Equal(new LossTotal(1, 5_000_000_000, 0), losses[GapReasons.AccessibilityLost]);
        Assert.Equal(default, losses[GapReasons.OutOfScope]);
        Assert.Equal(default, losses[GapReasons.DisplayLost]);
        Assert.Equal(new LossTotal(1, 9_000_000_000, 0), losses[GapReasons.Paused]);
        Assert.Equal(SessionTally.ReportedLossReasons, tally.Losses.Take(6).Select(pair => pair.Reason));
        Assert.Equal((1, 1, 2), (tally.Elements, tally.UiActions, tally.Frames));
    }

    [Fact]
    public void Redactions_are_summed_by_type_for_the_donor_to_see()
    {
        var tally = SessionTally.From(SampleEvents.Timed(
        [
            new RedactionPayload(RedactionTargets.Typed, "EMAIL_ADDRESS", 2, 3, 9),
            new RedactionPayload(RedactionTargets.Title, "EMAIL_ADDRESS", 1, 10, null),
            new RedactionPayload(RedactionTargets.SensitiveField, "SENSITIVE_FIELD", 1, null, null),
            new RedactionPayload(RedactionTargets.Typed, "CREDIT_CARD", -5, 3, 9),
        ]));
        Assert.Equal(
            new Dictionary<string, long> { ["CREDIT_CARD"] = 0, ["EMAIL_ADDRESS"] = 3, ["SENSITIVE_FIELD"] = 1 },
            tally.RedactionsByType);
    }

    [Fact]
    public void Hostile_gap_values_do_not_wrap()
    {
        var tally = SessionTally.From(SampleEvents.Timed(
        [
            new GapPayload(GapReasons.FrameLost, long.MaxValue, long.MaxValue),
            new GapPayload(GapReasons.FrameLost, long.MaxValue, -5),
        ]));
        var frameLost = tally.Losses.Single(pair => pair.Reason == GapReasons.FrameLost).Total;
        Assert.Equal(new LossTotal(2, long.MaxValue, long.MaxValue), frameLost);
    }
}
