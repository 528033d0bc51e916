using Understudy.Core.Model;
using Understudy.Desktop.Tests.Accessibility;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Safeguards;

/// <summary>
/// The ways a person reaches a password field and leaves it, on the real desktop with the real
/// recorder process: a click then Tab, Shift+Tab backwards, a dialog that opens with the focus
/// already in a password entry, a window switched back to while its password field has the focus;
/// GTK and Chromium; typing at 0 to 120 ms a key; quiet and with every core busy. In each, no byte
/// the session left may hold the password, and the ordinary text around it must be kept and
/// attributed to the field it was typed into.
/// </summary>
[Collection("desktop")]
public sealed class NavigationMatrixTests(DesktopFixture fixture) : SafeguardTestBase(fixture)
{
    private const string FormClass = "NavForm";
    private const string OtherClass = "NavOther";
    private const string UserText = "jdoe";
    private const string MemoText = "lunch at noon";

    private static readonly TimeSpan LoadBound = TimeSpan.FromSeconds(90);

    public enum Navigation
    {
        /// <summary>Click into the first field, type, Tab into the password, type, Tab out, type.</summary>
        ClickThenTab,

        /// <summary>Focus starts in the last field: type, Shift+Tab into the password, type, Shift+Tab, type.</summary>
        ShiftTabBackwards,
    }

    // mustKeep: the person pauses after each Tab (0.6 s, as people do when they reach the next
    // field), and the text around the password must be kept. Without the pause, keys typed while the
    // password's reports are still on their way are dropped with it (docs/safeguards.md, "The price
    // of that safety"): such text must be kept under its own field or dropped, never elsewhere.
    public static TheoryData<Navigation, int, bool, bool> GtkCases => new()
    {
        { Navigation.ClickThenTab, 0, false, true },
        { Navigation.ClickThenTab, 8, false, true },
        { Navigation.ClickThenTab, 30, false, true },
        { Navigation.ClickThenTab, 120, false, true },
        { Navigation.ClickThenTab, 8, true, true },
        { Navigation.ClickThenTab, 30, true, true },
        { Navigation.ShiftTabBackwards, 30, false, true },
        { Navigation.ShiftTabBackwards, 8, true, true },
        { Navigation.ClickThenTab, 0, true, false },
        { Navigation.ShiftTabBackwards, 0, false, false },
    };

    // Chromium does not report every key it inserts (see docs/safeguards.md): at speed or under
    // load its ordinary text may be dropped as field-unknown, never kept under the wrong field.
    public static TheoryData<Navigation, int, bool, bool> ChromiumCases => new()
    {
        { Navigation.ClickThenTab, 30, false, true },
        { Navigation.ShiftTabBackwards, 30, false, true },
        { Navigation.ClickThenTab, 8, false, false },
        { Navigation.ClickThenTab, 30, true, false },
    };

    private static string PasswordFor(Navigation navigation, int delay, bool loaded) =>
        $"Qz{(int)navigation}{delay}{(loaded ? "L" : "q")}!pW7v";

    [Theory]
    [MemberData(nameof(GtkCases))]
    public void Gtk_password_reached_by_keyboard_leaves_no_trace_and_the_fields_around_it_keep_their_text(Navigation navigation, int delay, bool loaded, bool mustKeep)
    {
        var password = PasswordFor(navigation, delay, loaded);
        var (form, _, client) = OpenWindow(FormClass, "--form", "--title=Navigation form", "--geometry=420x240+60+60",
            "--field=Login", "--field=Secret:H", "--field=Memo");
        try
        {
            // yad lays the fields out in rows from the top of the window, 39 px apart.
            (int X, int Y) Row(int row) => (client.X + client.Width - 60, client.Y + 19 + (39 * row));
            var events = RecordScenario(FormClass, loaded, () => Navigate(navigation, delay, password, Row(0), Row(2), mustKeep));
            AssertScenario(events.Events, events.ExportFile, events.FramesDir, password, "Login", "Memo", mustKeep);
        }
        finally
        {
            AccessibilityApps.Stop(form);
        }
    }

    [Theory]
    [MemberData(nameof(ChromiumCases))]
    public void Chromium_password_reached_by_keyboard_leaves_no_trace_and_the_fields_around_it_keep_their_text(Navigation navigation, int delay, bool loaded, bool mustKeep)
    {
        var password = PasswordFor(navigation, delay, loaded) + "c";
        var (chromium, profile) = AccessibilityApps.StartChromium(Desktop, "navigation.html");
        try
        {
            var page = ChromiumPage(Desktop.WaitForWindow("[Cc]hromium", TimeSpan.FromSeconds(60)));
            var events = RecordScenario("Chromium", loaded, () => Navigate(navigation, delay, password, page(270, 40), page(270, 160), mustKeep));
            // The scenario's first click must have reached the field it aimed at, or every field after it is off by one.
            var aimed = navigation == Navigation.ClickThenTab ? "User" : "Memo";
            var clicked = events.Events.Select(e => e.Payload).OfType<ElementPayload>().FirstOrDefault(e => e.Trigger == ElementTriggers.Pointer);
            Assert.True(clicked?.Label == aimed || clicked?.Name == aimed, $"the first click hit {clicked?.Role} '{clicked?.Label ?? clicked?.Name}', not {aimed}");
            AssertScenario(events.Events, events.ExportFile, events.FramesDir, password, "User", "Memo", mustKeep);
        }
        finally
        {
            AccessibilityApps.Stop(chromium, profile);
        }
    }

    [Theory]
    [InlineData(30, false)]
    [InlineData(8, true)]
    public void A_dialog_that_opens_with_the_focus_in_its_password_entry_keeps_nothing_typed_there(int delay, bool loaded)
    {
        var password = $"Zn{delay}{(loaded ? "L" : "q")}!dlg4K";
        System.Diagnostics.Process? dialog = null;
        try
        {
            var (events, exportFile, framesDir) = RecordScenario("Zenity", loaded, () =>
            {
                dialog = Desktop.StartApp("zenity", "--password", "--title=Unlock");
                var window = Desktop.WaitForWindow("[Zz]enity", TimeSpan.FromSeconds(30));
                Xdotool("windowactivate", "--sync", Num((int)window));
                // Typed as soon as the dialog is there: its focus report may come after the keys.
                Xdotool("type", "--delay", Num(delay), password);
            });
            AssertNoTrace([DataDir, exportFile, framesDir], password);
            Assert.DoesNotContain(password, Typed(events), StringComparison.Ordinal);
            Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField });
        }
        finally
        {
            if (dialog is not null)
            {
                AccessibilityApps.Stop(dialog);
            }
        }
    }

    [Fact]
    public void Switching_back_to_a_window_whose_password_field_has_the_focus_keeps_nothing_typed_there()
    {
        const string password = "Wb!altTab9Xq";
        var (form, formWindow, client) = OpenWindow(FormClass, "--form", "--title=Back form", "--geometry=420x240+60+60",
            "--field=Login", "--field=Secret:H", "--field=Memo");
        var (other, otherWindow, _) = OpenWindow(OtherClass, "--form", "--title=Other form", "--geometry=300x160+600+300", "--field=Note");
        try
        {
            // The password field has the focus when the person leaves the form.
            Xdotool("windowactivate", "--sync", Num((int)formWindow));
            Xdotool("mousemove", "--sync", Num(client.X + client.Width - 60), Num(client.Y + 19 + 39), "click", "1");
            Pause(500);
            Xdotool("windowactivate", "--sync", Num((int)otherWindow));
            Pause(500);
            var (events, exportFile, framesDir) = RecordScenario(FormClass, loaded: false, () =>
            {
                Xdotool("type", "--delay", "30", "note");
                Xdotool("windowactivate", "--sync", Num((int)formWindow));
                Xdotool("type", "--delay", "30", password);
            }, OtherClass);
            AssertNoTrace([DataDir, exportFile, framesDir], password);
            Assert.DoesNotContain(password, Typed(events), StringComparison.Ordinal);
            Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField });
            Assert.Equal("note", TextByField(events).GetValueOrDefault("Note"));
        }
        finally
        {
            AccessibilityApps.Stop(other);
            AccessibilityApps.Stop(form);
        }
    }

    private void Navigate(Navigation navigation, int delay, string password, (int X, int Y) first, (int X, int Y) last, bool pauseAfterTab)
    {
        var delayText = Num(delay);
        var afterTab = pauseAfterTab ? 600 : 0;
        if (navigation == Navigation.ClickThenTab)
        {
            Xdotool("mousemove", "--sync", Num(first.X), Num(first.Y), "click", "1");
            Xdotool("type", "--delay", delayText, UserText);
            Xdotool("key", "Tab");
            Pause(afterTab);
            Xdotool("type", "--delay", delayText, password);
            Xdotool("key", "Tab");
            Pause(afterTab);
            Xdotool("type", "--delay", delayText, MemoText);
        }
        else
        {
            Xdotool("mousemove", "--sync", Num(last.X), Num(last.Y), "click", "1");
            Xdotool("type", "--delay", delayText, MemoText);
            Xdotool("key", "shift+Tab");
            Pause(afterTab);
            Xdotool("type", "--delay", delayText, password);
            Xdotool("key", "shift+Tab");
            Pause(afterTab);
            Xdotool("type", "--delay", delayText, UserText);
        }
    }

    private (List<SessionEvent> Events, string ExportFile, string FramesDir) RecordScenario(string appClass, bool loaded, Action work, params string[] moreClasses)
    {
        using var load = loaded ? BackgroundLoad.Saturate(LoadBound) : null;
        var sessionId = Record(WritePolicy([appClass, appClass.ToLowerInvariant(), .. moreClasses]), work);
        load?.Dispose();
        return Export(sessionId);
    }

    private void AssertScenario(List<SessionEvent> events, string exportFile, string framesDir, string password, string firstLabel, string lastLabel, bool mustKeep)
    {
        AssertNoTrace([DataDir, exportFile, framesDir], password);
        Assert.DoesNotContain(password, Typed(events), StringComparison.Ordinal);
        Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField, Type: "SENSITIVE_FIELD" });
        var byField = TextByField(events);
        var described = string.Join("; ", byField.Select(pair => $"{pair.Key}='{pair.Value}'"));
        // Whatever text is kept is kept under the field it was typed into, and nowhere else.
        Assert.True(byField.Keys.All(field => field == firstLabel || field == lastLabel), $"text under other fields: {described}");
        foreach (var (field, expected) in new[] { (firstLabel, UserText), (lastLabel, MemoText) })
        {
            if (mustKeep || byField.ContainsKey(field))
            {
                Assert.True(byField.GetValueOrDefault(field) == expected, $"the text typed into {field}: {described}");
            }
        }
    }
}
