using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;
using Understudy.Platform.X11.Accessibility;
using Understudy.Platform.X11.Interop;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>
/// Replay fidelity on the virtual desktop: a form filled in by scripted input is recorded, built
/// into a dataset and replayed with 'understudy replay' into a fresh copy of the same form; the
/// fields' accessible values at the end must be the same as after the original work.
/// </summary>
[Collection("desktop")]
public sealed class ReplayFidelityTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private const string FormClass = "UnderstudyDemo";

    private Process StartForm() => Desktop.StartApp("bash", "-c", $"DEMO_NOTES= exec bash '{RepoPaths.Script("demo-form.sh")}'");

    private long ActivateForm()
    {
        var window = Desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(30));
        Desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));
        Thread.Sleep(500);
        return window;
    }

    private static void Close(Process form)
    {
        if (!form.HasExited)
        {
            form.Kill(entireProcessTree: true);
            form.WaitForExit();
        }
        form.Dispose();
    }

    [Fact]
    public void A_recorded_form_fill_replayed_into_a_fresh_form_leaves_the_same_field_values()
    {
        AcceptConsent();
        var original = StartForm();
        IReadOnlyList<FieldValue> recordedState;
        string sessionId;
        try
        {
            var window = ActivateForm();
            using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--allow-app", FormClass, "--no-frames", "--task", "Enter a taxi expense");
            recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
            Thread.Sleep(1000);

            void Xdotool(params string[] args) => Desktop.RunTool("xdotool", args);
            Xdotool("type", "--delay", "40", "Taxi to the airport and back");
            Xdotool("key", "Tab");
            Xdotool("key", "ctrl+a");
            Xdotool("type", "--delay", "40", "37.80");
            Xdotool("key", "Tab");
            Xdotool("key", "Down");
            Thread.Sleep(300);
            var geometry = Desktop.RunTool("xdotool", "getwindowgeometry", "--shell", window.ToString(CultureInfo.InvariantCulture));
            int Value(string name) => int.Parse(geometry.Split('\n').Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
            var (x, y, width, height) = (Value("X"), Value("Y"), Value("WIDTH"), Value("HEIGHT"));
            Xdotool("mousemove", "--sync", (x + (width / 2)).ToString(CultureInfo.InvariantCulture), (y + height - 90).ToString(CultureInfo.InvariantCulture), "click", "1");
            Thread.Sleep(300);
            Xdotool("type", "--delay", "40", "Receipt in the shared folder");
            Xdotool("key", "Return");
            Xdotool("type", "--delay", "40", "Paid by card");
            Thread.Sleep(1500);
            recorder.Signal(2);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
            sessionId = recorder.Stdout.Trim();
            recordedState = FormState(original.Id);
        }
        finally
        {
            Close(original);
        }
        Assert.Contains(recordedState, f => f.Value == "Taxi to the airport and back");
        Assert.Contains(recordedState, f => f.Value == "Meals");
        Assert.Contains(recordedState, f => f.Value == "Receipt in the shared folder\nPaid by card");

        var dataset = Path.Combine(Root, "dataset");
        var (build, _, buildErr) = CliProcess.Run(Env, "dataset", "build", "--data", DataDir, "--out", dataset, "--format", "jsonl", "--min-quality", "any");
        Assert.True(build == 0, buildErr);
        var episodeId = $"{sessionId}-000";

        var (dry, dryOut, dryErr) = CliProcess.Run(Env, "replay", dataset, "--episode", episodeId, "--dry-run");
        Assert.True(dry == 0, dryErr);
        Assert.Contains("char T", dryOut, StringComparison.Ordinal);

        var fresh = StartForm();
        try
        {
            ActivateForm();
            var (exit, stdout, stderr) = CliProcess.Run(Env, "replay", dataset, "--episode", episodeId, "--json");
            Assert.True(exit == 0, stderr);
            using var report = JsonDocument.Parse(stdout);
            Assert.Equal(report.RootElement.GetProperty("steps").GetInt32(), report.RootElement.GetProperty("replayed").GetInt32());
            Thread.Sleep(1000);
            var replayedState = FormState(fresh.Id);
            Assert.Equal(recordedState, replayedState);
        }
        finally
        {
            Close(fresh);
        }
    }

    private sealed record FieldValue(string Role, string? Label, string? Value);

    /// <summary>Every showing text field, spin button and combo box of the application with <paramref name="pid"/>, with its accessible value.</summary>
    private IReadOnlyList<FieldValue> FormState(int pid)
    {
        using var backend = Platform.X11.X11DesktopBackend.Open(Desktop.Display);
        using var source = (AtSpiAccessibilitySource)backend.CreateAccessibilitySource(new AccessibilityOptions());
        source.Start(new DiscardSink());
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var read = source.InvokeAsync(reader => ReadFields(reader, pid));
                if (read.Wait(TimeSpan.FromSeconds(30)) && read.Result.Count > 0)
                {
                    return read.Result;
                }
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"no fields of pid {pid} in the accessibility tree");
                }
                Thread.Sleep(300);
            }
        }
        finally
        {
            source.Stop();
        }
    }

    private static unsafe List<FieldValue> ReadFields(AccessibleReader reader, int pid)
    {
        var fields = new List<FieldValue>();
        var desktop = AtSpi.atspi_get_desktop(0);
        try
        {
            var apps = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(desktop, e));
            for (var i = 0; i < apps; i++)
            {
                var app = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(desktop, i, e));
                if (app == 0)
                {
                    continue;
                }
                try
                {
                    // yad runs under the bash of demo-form.sh via exec, so the pid is the form's own.
                    if ((int)reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_process_id(app, e)) == pid)
                    {
                        Collect(reader, app, fields, 0);
                    }
                }
                finally
                {
                    GLib.g_object_unref(app);
                }
            }
        }
        finally
        {
            GLib.g_object_unref(desktop);
        }
        return fields;
    }

    private static unsafe void Collect(AccessibleReader reader, nint parent, List<FieldValue> fields, int depth)
    {
        var count = Math.Min(reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(parent, e)), 500);
        for (var i = 0; i < count; i++)
        {
            var child = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(parent, i, e));
            if (child == 0)
            {
                continue;
            }
            try
            {
                if (depth > 0 && !reader.HasState(child, 25))
                {
                    continue;
                }
                var role = reader.RoleName(child, null);
                if (role is "text" or "spin button" or "combo box")
                {
                    fields.Add(new FieldValue(role, reader.Label(child, null), role == "combo box" ? reader.Name(child, null) : Text(reader, child)));
                    if (role != "combo box")
                    {
                        continue;
                    }
                }
                if (depth < 40 && role != "combo box")
                {
                    Collect(reader, child, fields, depth + 1);
                }
            }
            finally
            {
                GLib.g_object_unref(child);
            }
        }
    }

    private static unsafe string? Text(AccessibleReader reader, nint element)
    {
        var text = AtSpi.atspi_accessible_get_text_iface(element);
        if (text == 0)
        {
            return null;
        }
        try
        {
            return GLib.TakeString(reader.Call(null, (GLib.GError** e) => AtSpi.atspi_text_get_text(text, 0, -1, e)));
        }
        finally
        {
            GLib.g_object_unref(text);
        }
    }

    private sealed class DiscardSink : ICaptureSink
    {
        public void Post(in CapturedEvent captured)
        {
        }

        public void Fault(CaptureFault fault)
        {
        }
    }
}
