using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Understudy.Desktop.Tests.Harness;

/// <summary>Smoke tests of the virtual desktop itself: X server, window manager, buses, demo form, tear-down.</summary>
[Collection("desktop")]
public sealed partial class VirtualDesktopTests(DesktopFixture fixture, ITestOutputHelper output)
{
    private const string FormClass = "UnderstudyDemo";

    // A test that needs a desktop no earlier test has touched (the accessibility tests stop and
    // kill applications on the shared one) sets its own.
    private VirtualDesktop? _ownDesktop;

    private VirtualDesktop Desktop => _ownDesktop ?? fixture.Desktop;

    [Fact]
    public void X_server_answers_with_the_requested_size_and_the_extensions_capture_needs()
    {
        output.WriteLine($"shared desktop {Desktop.Display} started in {Desktop.StartupTime.TotalSeconds:0.00} s");
        var info = Desktop.RunTool("xdpyinfo");
        Assert.Matches(@"dimensions:\s+1280x800 pixels", info);
        Assert.Matches(@"depth of root window:\s+24 planes", info);
        foreach (var extension in new[] { "RECORD", "XTEST", "XInputExtension", "MIT-SHM" })
        {
            Assert.Contains("    " + extension + "\n", info, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Openbox_is_the_window_manager()
    {
        var check = Desktop.RunTool("xprop", "-root", "_NET_SUPPORTING_WM_CHECK");
        var match = WindowIdPattern().Match(check);
        Assert.True(match.Success, check);
        var name = Desktop.RunTool("xprop", "-id", match.Groups[1].Value, "_NET_WM_NAME");
        Assert.Contains("\"Openbox\"", name, StringComparison.Ordinal);
    }

    [Fact]
    public void AtSpi_bus_answers_and_accessibility_is_enabled()
    {
        var reply = Desktop.RunTool(
            "gdbus", "call", "--session", "--dest", "org.a11y.Bus", "--object-path", "/org/a11y/bus",
            "--method", "org.a11y.Bus.GetAddress");
        Assert.Contains("unix:", reply, StringComparison.Ordinal);
        Assert.Contains(Desktop.Environment["AT_SPI_BUS_ADDRESS"], reply, StringComparison.Ordinal);

        var enabled = Desktop.RunTool(
            "gdbus", "call", "--session", "--dest", "org.a11y.Bus", "--object-path", "/org/a11y/bus",
            "--method", "org.freedesktop.DBus.Properties.Get", "org.a11y.Status", "IsEnabled");
        Assert.Contains("true", enabled, StringComparison.Ordinal);

        // The root window advertises the same bus (no stale value from an earlier session).
        var property = Desktop.RunTool("xprop", "-root", "AT_SPI_BUS");
        Assert.Contains(Desktop.Environment["AT_SPI_BUS_ADDRESS"], property, StringComparison.Ordinal);

        // The registry on the accessibility bus answers.
        Desktop.RunTool(
            "gdbus", "call", "--address", Desktop.Environment["AT_SPI_BUS_ADDRESS"],
            "--dest", "org.a11y.atspi.Registry", "--object-path", "/org/a11y/atspi/accessible/root",
            "--method", "org.a11y.atspi.Accessible.GetChildren");
    }

    [Fact]
    public async Task Demo_form_opens_focused_is_accessible_and_prints_what_was_entered()
    {
        using var ownDesktop = _ownDesktop = VirtualDesktop.Start();
        using var form = Desktop.StartApp(RepoPaths.Script("demo-form.sh"), "--timeout=60");
        var printed = form.StandardOutput.ReadToEndAsync();
        try
        {
            var window = Desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(20));
            var id = window.ToString(CultureInfo.InvariantCulture);
            Assert.Contains("\"UnderstudyDemo\"", Desktop.RunTool("xprop", "-id", id, "WM_CLASS"), StringComparison.Ordinal);
            Assert.Equal("Understudy demo — expense form", Desktop.RunTool("xdotool", "getwindowname", id).Trim());
            Assert.Equal(window, Eventually(ActiveWindow, window));
            Assert.Contains("understudy-demo", Eventually(AccessibleApplicationNames, names => names.Contains("understudy-demo")));

            // Real input: the description entry has the focus; Return submits the form.
            Desktop.RunTool("xdotool", "type", "--delay", "10", "Taxi");
            Desktop.RunTool("xdotool", "key", "Return");
            Assert.True(form.WaitForExit(10_000), "the form did not close on Return");
            Assert.Equal(0, form.ExitCode);
            Assert.StartsWith("Taxi|0.00|Travel|Receipts are in the shared folder.\\n", await printed, StringComparison.Ordinal);
        }
        finally
        {
            if (!form.HasExited)
            {
                form.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void Dispose_leaves_no_X_server_lock_or_socket_behind()
    {
        var desktop = VirtualDesktop.Start("640x480");
        int display;
        int scriptPid;
        try
        {
            display = desktop.DisplayNumber;
            scriptPid = desktop.ServerProcessId;
            Assert.NotEqual(Desktop.DisplayNumber, display);
            Assert.Matches(@"dimensions:\s+640x480 pixels", desktop.RunTool("xdpyinfo"));
            Assert.NotEmpty(XvfbProcesses(display));
        }
        finally
        {
            desktop.Dispose();
        }
        output.WriteLine($"{desktop.Display}: start {desktop.StartupTime.TotalSeconds:0.00} s, stop {desktop.ShutdownTime?.TotalSeconds:0.00} s");
        Assert.Empty(XvfbProcesses(display));
        Assert.False(ProcessAlive(scriptPid), "desktop.sh is still running");
        Assert.False(File.Exists($"/tmp/.X{display}-lock"));
        Assert.False(File.Exists($"/tmp/.X11-unix/X{display}"));
        Assert.Throws<ObjectDisposedException>(() => desktop.RunTool("true"));
    }

    [Fact]
    public void SIGKILL_of_the_desktop_script_still_tears_the_desktop_down()
    {
        using var desktop = VirtualDesktop.Start("640x480");
        var display = desktop.DisplayNumber;
        Assert.Equal(desktop.ServerProcessId.ToString(CultureInfo.InvariantCulture), desktop.Environment["DESKTOP_PID"]);
        Assert.NotEmpty(XvfbProcesses(display));

        VirtualDesktop.RunProcess(null, VirtualDesktop.DefaultToolTimeout, "kill", "-KILL", desktop.Environment["DESKTOP_PID"]);

        // The script's watchdog notices within half a second and tears everything down.
        Assert.Empty(Eventually(() => XvfbProcesses(display), pids => pids.Count == 0, TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists($"/tmp/.X{display}-lock"));
    }

    /// <summary>The active window's id, or 0 while there is none.</summary>
    private long ActiveWindow()
    {
        var result = Desktop.TryRunTool(VirtualDesktop.DefaultToolTimeout, "xdotool", "getactivewindow");
        return result.ExitCode == 0 && long.TryParse(result.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
    }

    /// <summary>Process ids of the Xvfb serving display :<paramref name="display"/>.</summary>
    private static List<string> XvfbProcesses(int display)
    {
        var result = VirtualDesktop.RunProcess(null, VirtualDesktop.DefaultToolTimeout, "pgrep", "-f", $"^Xvfb :{display}( |$)");
        Assert.True(result.ExitCode is 0 or 1, $"pgrep failed: {result.StandardError}");
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Names of the applications registered on the desktop's accessibility bus.</summary>
    private List<string> AccessibleApplicationNames()
    {
        var bus = Desktop.Environment["AT_SPI_BUS_ADDRESS"];
        var children = Desktop.RunTool(
            "gdbus", "call", "--address", bus, "--dest", "org.a11y.atspi.Registry",
            "--object-path", "/org/a11y/atspi/accessible/root", "--method", "org.a11y.atspi.Accessible.GetChildren");
        var names = new List<string>();
        foreach (Match child in AccessibleRefPattern().Matches(children))
        {
            var name = Desktop.TryRunTool(
                VirtualDesktop.DefaultToolTimeout, "gdbus", "call", "--address", bus, "--dest", child.Groups[1].Value,
                "--object-path", child.Groups[2].Value, "--method", "org.freedesktop.DBus.Properties.Get",
                "org.a11y.atspi.Accessible", "Name");
            var quoted = QuotedPattern().Match(name.StandardOutput);
            if (quoted.Success)
            {
                names.Add(quoted.Groups[1].Value);
            }
        }
        return names;
    }

    private static T Eventually<T>(Func<T> read, T expected) =>
        Eventually(read, value => EqualityComparer<T>.Default.Equals(value, expected));

    /// <summary>Reads until <paramref name="done"/> holds or the time is up; returns the last value read.</summary>
    private static T Eventually<T>(Func<T> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = read();
            if (done(value) || clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                return value;
            }
            Thread.Sleep(50);
        }
    }

    [GeneratedRegex(@"window id # (0x[0-9a-fA-F]+)")]
    private static partial Regex WindowIdPattern();

    [GeneratedRegex(@"\('(:[0-9.]+)', objectpath '([^']+)'\)")]
    private static partial Regex AccessibleRefPattern();

    [GeneratedRegex(@"<'([^']*)'>")]
    private static partial Regex QuotedPattern();
}
