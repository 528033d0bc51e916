using Understudy.Cli.Demo;
using Understudy.Core.Model;

namespace Understudy.Tests.Cli;

public sealed class RecordingSummaryTests
{
    private static readonly DateTimeOffset Wall = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static IEnumerable<SessionEvent> Events(params EventPayload[] payloads) =>
        payloads.Select((p, i) => new SessionEvent(i, 1_000_000_000L + (i * 100_000_000L), Wall, p));

    private static KeyPayload Down(string key, string? text, Modifiers modifiers = Modifiers.None) => new(true, key, text, modifiers, 10);

    [Fact]
    public void Text_runs_end_at_tab_clicks_and_focus_and_hotkeys_are_named()
    {
        var summary = RecordingSummary.From(Events(
            new FocusPayload("Yad", "yad", "Form", 1, null, 1),
            Down("h", "H", Modifiers.Shift),
            Down("i", "i"),
            new KeyPayload(false, "i", null, Modifiers.None, 10),
            Down("Tab", null),
            Down("control_l", null),
            Down("a", null, Modifiers.Ctrl),
            Down("4", "4"),
            Down("2", "2"),
            new ButtonPayload(true, MouseButton.Left, 1, 1, Modifiers.None),
            new ScrollPayload(0, 1, 1, 1, Modifiers.None),
            new ScrollPayload(0, -1, 1, 1, Modifiers.None),
            new ScrollPayload(0, 1, 1, 1, Modifiers.None),
            new GapPayload(GapReasons.OutOfScope, 10, 3),
            Down("x", "x")));

        Assert.Equal(["Hi", "42", "x"], summary.TypedText);
        Assert.Equal(["ctrl+a"], summary.Hotkeys);
        Assert.Equal(["Yad — Form"], summary.Apps);
        Assert.Equal(1, summary.Clicks["left"]);
        Assert.Equal((2, 1), (summary.ScrollsDown, summary.ScrollsUp));
        Assert.Equal(1, summary.Gaps);
        Assert.Equal(8, summary.CountsByKind["key_down"]);
        Assert.Equal(TimeSpan.FromSeconds(1.4), summary.Duration);
    }

    [Fact]
    public void Redactions_are_counted_by_type_and_sensitive_fields_by_piece()
    {
        var summary = RecordingSummary.From(Events(
            new FocusPayload("Yad", "yad", "Sign in", 1, null, 1),
            Down("redacted", "<EMAIL_ADDRESS>"),
            new KeyPayload(false, "redacted", null, Modifiers.None, 0),
            new RedactionPayload(RedactionTargets.Typed, "EMAIL_ADDRESS", 1, 1, 2),
            Down("Tab", null),
            new RedactionPayload(RedactionTargets.SensitiveField, "SENSITIVE_FIELD", 1, null, null),
            new RedactionPayload(RedactionTargets.Title, "EMAIL_ADDRESS", 2, 0, null)));

        Assert.Equal(["<EMAIL_ADDRESS>"], summary.TypedText);
        Assert.Equal(3, summary.RedactionsByType["EMAIL_ADDRESS"]);
        Assert.Equal(1, summary.RedactionsByType["SENSITIVE_FIELD"]);
        Assert.Equal(1, summary.SensitiveFields);
    }

    [Fact]
    public void An_empty_session_summarises_to_nothing()
    {
        var summary = RecordingSummary.From([]);
        Assert.Empty(summary.TypedText);
        Assert.Empty(summary.RedactionsByType);
        Assert.Equal(0, summary.SensitiveFields);
        Assert.Equal(TimeSpan.Zero, summary.Duration);
    }
}
