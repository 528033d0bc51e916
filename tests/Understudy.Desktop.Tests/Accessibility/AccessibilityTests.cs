using System.Diagnostics;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;
using Understudy.Platform.X11.Replay;
using static Understudy.Desktop.Tests.Accessibility.AccessibilityApps;

namespace Understudy.Desktop.Tests.Accessibility;

/// <summary>Element lookups and ui events against real GTK (yad) and Chromium over the real AT-SPI bus, driven by XTEST.</summary>
[Collection("desktop")]
public sealed class AccessibilityTests(DesktopFixture fixture)
{
    private const uint Down = 0xff54;
    private const uint Escape = 0xff1b;
    private const uint Return = 0xff0d;

    private const string OtherText = "Another application";

    private VirtualDesktop Desktop => fixture.Desktop;

    /// <summary>A second, small yad window away from the form, with a text label to click.</summary>
    private static Process StartOtherYad(VirtualDesktop desktop)
    {
        var app = desktop.StartApp("yad", "--class=UnderstudyOther", "--name=understudy-other", "--title=Other", $"--text={OtherText}", "--button=Close:1", "--geometry=360x140+840+600", "--no-escape");
        desktop.WaitForWindow("UnderstudyOther", TimeSpan.FromSeconds(30));
        return app;
    }

    [Fact]
    public void A_press_on_a_yad_button_yields_its_element_tied_to_the_button_down()
    {
        using var yad = new RunningApp(StartYadForm(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var ok = WaitForElement(recording.Source, "push button", "OK");
        using var driver = XTestDriver.Open(Desktop.Display);
        var (x, y) = Center(ok);
        driver.MoveTo(x, y);
        // Held down until the lookup is done: releasing would close the form.
        driver.Button(1, true);
        driver.Sync();
        var events = recording.WaitFor(e => e.Any(IsElementNamed("OK")), "an element event for OK");
        driver.Button(1, false);
        driver.Sync();

        var press = events.Single(e => e.Payload is ButtonPayload { IsDown: true });
        var element = (ElementPayload)events.First(IsElementNamed("OK")).Payload;
        Assert.Equal(press.Seq, element.ForSeq);
        Assert.Equal(ElementTriggers.Pointer, element.Trigger);
        Assert.Equal("push button", element.Role);
        Assert.Equal(yad.Process.Id, element.Pid);
        Assert.Contains("showing", element.States);
        Assert.Equal("frame", element.Path[^1].Role);
        Assert.NotNull(element.Bounds);
    }

    [Fact]
    public void A_click_on_chromium_Submit_yields_its_element_tied_to_the_button_down()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var submit = WaitForElement(recording.Source, "push button", "Submit");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(submit));

        var events = recording.WaitFor(e => e.Any(IsElementNamed("Submit")), "an element event for Submit");
        var press = events.Single(e => e.Payload is ButtonPayload { IsDown: true });
        var element = (ElementPayload)events.First(IsElementNamed("Submit")).Payload;
        Assert.Equal(press.Seq, element.ForSeq);
        Assert.Equal("push button", element.Role);
        Assert.Equal("Chromium", element.App);
        Assert.Contains(element.Path, a => a.Role == "document web");
    }

    [Fact]
    public void Typing_into_a_labelled_field_yields_one_focus_element_with_the_label()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var description = WaitForElement(recording.Source, "entry", "Description");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(description));
        recording.WaitFor(e => e.Any(IsElementNamed("Description")), "the clicked field's element");
        foreach (var keysym in "abcde")
        {
            Tap(driver, keysym);
        }
        var events = recording.WaitFor(e => e.Count(x => x.Payload is KeyPayload { IsDown: true }) == 5 && e.Any(IsFocusElement), "five keys and a focus element");
        // Let any late lookups arrive before counting them.
        Thread.Sleep(1500);
        events = recording.Events;

        var focus = Assert.Single(events, IsFocusElement);
        var element = (ElementPayload)focus.Payload;
        Assert.Equal("entry", element.Role);
        Assert.Equal("Description", element.Label);
        Assert.Contains("focused", element.States);
        Assert.Equal(events.First(e => e.Payload is KeyPayload { IsDown: true }).Seq, element.ForSeq);
    }

    [Fact]
    public void Picking_Meals_in_the_yad_combo_by_mouse_yields_one_select()
    {
        using var yad = new RunningApp(StartYadForm(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var combo = WaitForElement(recording.Source, "combo box", "Category");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(combo));
        var meals = WaitForElement(recording.Source, "menu item", "Meals", 20);
        driver.MoveTo(Center(meals).X, Center(meals).Y);
        driver.Sync();
        Thread.Sleep(300);
        Click(driver, Center(meals));

        AssertOneSelect(recording, "Category", "combo box", "Meals", "understudy-demo");
    }

    [Fact]
    public void Picking_Meals_in_the_yad_combo_by_keyboard_yields_one_select()
    {
        using var yad = new RunningApp(StartYadForm(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var combo = WaitForElement(recording.Source, "combo box", "Category");
        using var driver = XTestDriver.Open(Desktop.Display);
        // Open and close the list: the combo keeps the keyboard focus, still on "Travel".
        Click(driver, Center(combo));
        WaitForElement(recording.Source, "menu item", "Meals", 20);
        Tap(driver, Escape);
        Thread.Sleep(500);
        Tap(driver, Down);

        AssertOneSelect(recording, "Category", "combo box", "Meals", "understudy-demo");
    }

    [Fact]
    public void Picking_Meals_in_the_chromium_select_by_keyboard_yields_one_select()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var description = WaitForElement(recording.Source, "entry", "Description");
        using var driver = XTestDriver.Open(Desktop.Display);
        // Tab from Description past Password to the select; Down then changes it without opening it.
        Click(driver, Center(description));
        Tap(driver, 0xff09);
        Tap(driver, 0xff09);
        Thread.Sleep(500);
        Tap(driver, Down);

        AssertOneSelect(recording, "Category", "combo box", "Meals", "Chromium");
    }

    [Fact]
    public void Picking_Meals_in_the_chromium_select_by_mouse_yields_one_select()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var select = WaitForElement(recording.Source, "combo box", "Category");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(select));
        var meals = WaitForElement(recording.Source, "menu item", "Meals", 20);
        driver.MoveTo(Center(meals).X, Center(meals).Y);
        driver.Sync();
        Thread.Sleep(300);
        Click(driver, Center(meals));

        AssertOneSelect(recording, "Category", "combo box", "Meals", "Chromium");
    }

    [Fact]
    public void Ticking_a_chromium_check_box_yields_one_toggle()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var box = WaitForElement(recording.Source, "check box", "Receipt attached");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(box));

        recording.WaitFor(e => e.Any(x => x.Payload is UiPayload { Action: UiActions.Toggle }), "a toggle");
        Thread.Sleep(1500);
        var toggle = (UiPayload)Assert.Single(recording.Events, x => x.Payload is UiPayload { Action: UiActions.Toggle }).Payload;
        Assert.Equal("Receipt attached", toggle.Control);
        Assert.Equal("check box", toggle.ControlRole);
        Assert.True(toggle.Checked);
    }

    [Fact]
    public void Choosing_Save_As_in_a_chromium_menu_yields_a_menu_event_with_its_path()
    {
        using var chromium = new RunningApp(StartChromium(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display);
        var file = WaitForElement(recording.Source, "menu item", "File");
        using var driver = XTestDriver.Open(Desktop.Display);
        Click(driver, Center(file));
        var saveAs = WaitForElement(recording.Source, "menu item", "Save As…", 20);
        // The page closes the menu on click: the button is held until the menu event is there
        // (XTEST would otherwise release it microseconds later, long before a person does).
        driver.MoveTo(Center(saveAs).X, Center(saveAs).Y);
        driver.Sync();
        Thread.Sleep(50);
        driver.Button(1, true);
        driver.Sync();
        IReadOnlyList<SessionEvent> events;
        try
        {
            events = recording.WaitFor(e => e.Any(x => x.Payload is UiPayload { Action: UiActions.Menu }), "a menu event");
        }
        finally
        {
            driver.Button(1, false);
            driver.Sync();
        }
        // One menu event per press, however it was found.
        Thread.Sleep(1000);
        Assert.Single(recording.Events, x => x.Payload is UiPayload { Action: UiActions.Menu });
        var menu = (UiPayload)events.First(x => x.Payload is UiPayload { Action: UiActions.Menu }).Payload;
        Assert.Equal("Save As…", menu.Value);
        Assert.Equal(["File", "Save As…"], menu.Path);
    }

    [Fact]
    public void A_click_on_a_hung_application_yields_an_element_timeout_while_input_keeps_flowing()
    {
        using var yad = new RunningApp(StartYadForm(Desktop));
        using var other = new RunningApp(StartOtherYad(Desktop));
        using var recording = new AccessibilityRecording(Desktop.Display, new AccessibilityOptions { CallTimeout = TimeSpan.FromMilliseconds(500) });
        var ok = WaitForElement(recording.Source, "push button", "OK");
        var otherText = WaitForElement(recording.Source, "label", OtherText);
        using var driver = XTestDriver.Open(Desktop.Display);
        var onForm = (X: Center(ok).X, Y: Center(ok).Y - 60);
        Signal(yad.Process.Id, "STOP");
        try
        {
            const int moves = 200;
            driver.MoveTo(onForm.X, onForm.Y);
            driver.Button(1, true);
            driver.Button(1, false);
            driver.Sync();
            for (var i = 0; i < moves; i++)
            {
                driver.MoveTo(300 + (i % 2), 300);
                if (i % 20 == 19)
                {
                    driver.Sync();
                    Thread.Sleep(10);
                }
            }
            driver.Sync();
            var events = recording.WaitFor(
                e => e.Any(x => x.Payload is GapPayload { Reason: GapReasons.ElementTimeout }) && e.Count(x => x.Payload is PointerMovePayload) >= moves + 1,
                "an element_timeout gap and every pointer move", 60);
            var gap = (GapPayload)events.First(x => x.Payload is GapPayload { Reason: GapReasons.ElementTimeout }).Payload;
            Assert.True(gap.Dropped >= 1);
            Assert.DoesNotContain(events, x => x.Payload is ElementPayload { Pid: var pid } && pid == yad.Process.Id);

            // Another application still answers while the form is stopped.
            Click(driver, Center(otherText));
            recording.WaitFor(e => e.Any(x => x.Payload is ElementPayload { Pid: var pid } && pid == other.Process.Id), "an element of the other application", 30);
        }
        finally
        {
            Signal(yad.Process.Id, "CONT");
        }

        // Resumed, the form answers again (once the source's rest for it is over: retry).
        var clock = Stopwatch.StartNew();
        while (!recording.Events.Any(x => x.Payload is ElementPayload { Pid: var pid } && pid == yad.Process.Id))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no element of the resumed form within 60 s:\n" + AccessibilityRecording.Describe(recording.Events));
            Click(driver, onForm);
            Thread.Sleep(1000);
        }
    }

    [Fact]
    public void Stop_returns_while_a_call_hangs_in_a_stopped_application()
    {
        using var yad = new RunningApp(StartYadForm(Desktop));
        // A call timeout far longer than Stop may take: Stop must not wait for the call.
        using var recording = new AccessibilityRecording(Desktop.Display, new AccessibilityOptions { CallTimeout = TimeSpan.FromSeconds(30), MaxQueueDelay = TimeSpan.FromSeconds(60) });
        var source = recording.Source;
        var ok = WaitForElement(source, "push button", "OK");
        using var driver = XTestDriver.Open(Desktop.Display);
        Signal(yad.Process.Id, "STOP");
        try
        {
            driver.MoveTo(Center(ok).X, Center(ok).Y - 60);
            driver.Button(1, true);
            driver.Button(1, false);
            driver.Sync();
            recording.WaitFor(_ => source.LookupsStarted >= 1, "the lookup to begin");
            // Let the lookup reach the stopped application.
            Thread.Sleep(500);
            Assert.Equal(0, source.LookupsCompleted + source.LookupsTimedOut);

            var clock = Stopwatch.StartNew();
            source.Stop();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"Stop took {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            Signal(yad.Process.Id, "CONT");
        }
        // The thread finishes its call once the application answers, and then ends without posting.
        Assert.True(source.WaitForThreadExit(TimeSpan.FromSeconds(60)), "the accessibility thread did not end after the application resumed");
        Thread.Sleep(500);
        Assert.DoesNotContain(recording.Events, x => x.Payload is ElementPayload);
    }

    [Fact]
    public void Without_an_accessibility_bus_the_source_reports_one_accessibility_lost_gap()
    {
        var previous = Environment.GetEnvironmentVariable("AT_SPI_BUS_ADDRESS");
        using (var bare = VirtualDesktop.Start())
        {
            // A fresh display that advertises no bus, and an address where none listens.
            bare.RunTool("xprop", "-root", "-remove", "AT_SPI_BUS");
            Environment.SetEnvironmentVariable("AT_SPI_BUS_ADDRESS", "unix:path=/nonexistent/understudy-no-bus");
            try
            {
                using var recording = new AccessibilityRecording(bare.Display);
                Assert.False(recording.Source.Available);
                Assert.NotNull(recording.Source.UnavailableReason);
                recording.WaitFor(e => e.Any(x => x.Payload is GapPayload { Reason: GapReasons.AccessibilityLost }), "an accessibility_lost gap");
                // Input is still recorded without accessibility.
                using var driver = XTestDriver.Open(bare.Display);
                driver.MoveTo(200, 200);
                driver.MoveTo(210, 200);
                driver.Sync();
                var events = recording.WaitFor(e => e.Count(x => x.Payload is PointerMovePayload) >= 2, "pointer moves");
                Assert.Single(events, x => x.Payload is GapPayload { Reason: GapReasons.AccessibilityLost });
            }
            finally
            {
                Environment.SetEnvironmentVariable("AT_SPI_BUS_ADDRESS", previous);
            }
        }

        // A later source in the same process connects to a real bus normally.
        using var yad = new RunningApp(StartYadForm(Desktop));
        using var working = new AccessibilityRecording(Desktop.Display);
        Assert.True(working.Source.Available, working.Source.UnavailableReason);
        WaitForElement(working.Source, "push button", "OK");
    }

    [Fact]
    public void A_window_that_closes_under_the_pointer_costs_no_more_than_its_element()
    {
        using var recording = new AccessibilityRecording(Desktop.Display);
        using (var form = new RunningApp(StartYadForm(Desktop)))
        {
            var ok = WaitForElement(recording.Source, "push button", "OK");
            using var driver = XTestDriver.Open(Desktop.Display);
            // A quick click on OK closes the form: the lookup finds its window gone, or the desktop behind it.
            Click(driver, Center(ok));
            form.Process.WaitForExit(10_000);
        }
        using var other = new RunningApp(StartOtherYad(Desktop));
        var close = WaitForElement(recording.Source, "push button", "Close");
        using (var driver = XTestDriver.Open(Desktop.Display))
        {
            driver.MoveTo(Center(close).X, Center(close).Y);
            driver.Button(1, true);
            driver.Sync();
            recording.WaitFor(e => e.Any(IsElementNamed("Close")), "the element of a click after the window closed");
            driver.Button(1, false);
            driver.Sync();
        }
        Assert.DoesNotContain(recording.Events, e => e.Payload is GapPayload { Reason: GapReasons.AccessibilityLost });
    }

    private static void AssertOneSelect(AccessibilityRecording recording, string control, string role, string value, string app)
    {
        recording.WaitFor(e => e.Any(x => x.Payload is UiPayload { Action: UiActions.Select, Value: var v } && v == value), $"a select of {value}");
        // Bursts arrive together; give stragglers time before counting.
        Thread.Sleep(1500);
        var selects = recording.Events.Where(x => x.Payload is UiPayload { Action: UiActions.Select }).Select(x => (UiPayload)x.Payload).ToList();
        var select = Assert.Single(selects);
        Assert.Equal(control, select.Control);
        Assert.Equal(role, select.ControlRole);
        Assert.Equal(value, select.Value);
        Assert.Equal(app, select.App);
    }

    private static Func<SessionEvent, bool> IsElementNamed(string name) => e => e.Payload is ElementPayload { Trigger: ElementTriggers.Pointer, Name: var n } && n == name;

    private static bool IsFocusElement(SessionEvent e) => e.Payload is ElementPayload { Trigger: ElementTriggers.Focus };

    private static void Click(XTestDriver driver, (int X, int Y) at)
    {
        driver.MoveTo(at.X, at.Y);
        driver.Sync();
        Thread.Sleep(50);
        driver.Button(1, true);
        driver.Button(1, false);
        driver.Sync();
        Thread.Sleep(300);
    }

    private static void Tap(XTestDriver driver, uint keysym)
    {
        var code = driver.KeycodeOf(keysym);
        driver.Key(code, true);
        driver.Key(code, false);
        driver.Sync();
        Thread.Sleep(150);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private sealed class RunningApp : IDisposable
    {
        private readonly string? _profile;

        public RunningApp(Process process) => Process = process;

        public RunningApp((Process App, string Profile) started)
        {
            Process = started.App;
            _profile = started.Profile;
        }

        public Process Process { get; }

        public void Dispose() => Stop(Process, _profile);
    }
}
