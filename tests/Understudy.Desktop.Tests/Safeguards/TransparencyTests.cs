using System.Globalization;
using System.Text.Json;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;
using Understudy.Desktop.Tests.Recording;

namespace Understudy.Desktop.Tests.Safeguards;

/// <summary>The person sees that recording is on and can pause it from any application, with the real recorder process.</summary>
[Collection("desktop")]
public sealed class TransparencyTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private const string FormClass = "UnderstudyDemo";

    private string Status()
    {
        var (exit, json, stderr) = CliProcess.Run(Env, "status", "--data", DataDir, "--json");
        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("state").GetString()!;
    }

    private void WaitForStatus(string expected)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Status() == expected)
            {
                return;
            }
            Pause(100);
        }
        Assert.Equal(expected, Status());
    }

    [Fact]
    public void The_indicator_shows_while_recording_and_the_hotkey_pauses_from_any_window_leaving_only_a_gap()
    {
        var form = Desktop.StartApp("bash", RepoPaths.Script("demo-form.sh"));
        try
        {
            var window = Desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(30));
            Desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));
            AcceptConsent();
            Assert.Equal("not_recording", Status());
            using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--allow-app", FormClass, "--no-frames");
            recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
            Assert.Contains("ctrl+alt+shift+p pauses", recorder.Stderr, StringComparison.Ordinal);

            // The indicator: an always-on-top window of its own class, mapped.
            var indicator = Desktop.TryRunTool(TimeSpan.FromSeconds(10), "xdotool", "search", "--onlyvisible", "--classname", "understudy-indicator");
            Assert.False(string.IsNullOrWhiteSpace(indicator.StandardOutput), "no visible indicator window");
            WaitForStatus("recording");

            Desktop.RunTool("xdotool", "type", "--delay", "30", "before ");
            Pause(1500);
            Desktop.RunTool("xdotool", "key", "ctrl+alt+shift+p");
            WaitForStatus("paused");
            Desktop.RunTool("xdotool", "type", "--delay", "30", "typedwhilepaused");
            Pause(500);
            Desktop.RunTool("xdotool", "key", "ctrl+alt+shift+p");
            WaitForStatus("recording");
            Desktop.RunTool("xdotool", "type", "--delay", "30", "after");
            Pause(2000);
            recorder.Signal(2);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal("not_recording", Status());

            var events = CliProcess.Export(Env, DataDir, recorder.Stdout.Trim());
            var typed = string.Concat(events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));
            Assert.Contains("before", typed, StringComparison.Ordinal);
            Assert.Contains("after", typed, StringComparison.Ordinal);
            Assert.DoesNotContain("paused", typed, StringComparison.Ordinal);
            var gap = (GapPayload)Assert.Single(events, e => e.Payload is GapPayload { Reason: GapReasons.Paused }).Payload;
            Assert.True(gap.DurationNs > 300_000_000, $"paused for {gap.DurationNs} ns");
            Assert.True(gap.Dropped >= "typedwhilepaused".Length, $"dropped {gap.Dropped}");
        }
        finally
        {
            if (!form.HasExited)
            {
                form.Kill(entireProcessTree: true);
                form.WaitForExit();
            }
            form.Dispose();
        }
    }

    [Fact]
    public void Recording_refuses_to_start_without_consent_and_after_withdrawal()
    {
        var (exit, _, stderr) = CliProcess.Run(Env, "record", "--data", DataDir, "--allow-app", FormClass, "--duration", "1");
        Assert.Equal(2, exit);
        Assert.Contains("consent", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);

        AcceptConsent();
        var (withdrawExit, _, withdrawErr) = CliProcess.Run(Env, "consent", "withdraw", "--data", DataDir, "--yes");
        Assert.True(withdrawExit == 0, withdrawErr);
        (exit, _, stderr) = CliProcess.Run(Env, "record", "--data", DataDir, "--allow-app", FormClass, "--duration", "1");
        Assert.Equal(2, exit);
        Assert.Contains("consent", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Withdrawing_consent_stops_the_running_recorder_and_deletes_every_local_session()
    {
        AcceptConsent();
        // One finished session, and one being recorded.
        var (firstExit, _, firstErr) = CliProcess.Run(Env, "record", "--data", DataDir, "--allow-app", "*", "--no-frames", "--no-accessibility", "--duration", "1");
        Assert.True(firstExit == 0, firstErr);
        using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--allow-app", "*", "--no-frames", "--no-accessibility");
        recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
        WaitForStatus("recording");

        var (exit, stdout, stderr) = CliProcess.Run(Env, "consent", "withdraw", "--data", DataDir, "--yes");
        Assert.True(exit == 0, stderr);
        Assert.True(recorder.WaitForExit(TimeSpan.FromSeconds(20)) is 0 or 1, "the recorder did not stop");
        var (listExit, list, _) = CliProcess.Run(Env, "sessions", "list", "--data", DataDir, "--json");
        Assert.Equal(0, listExit);
        Assert.Equal("[]", list.Trim());
        Assert.Contains("2", stdout, StringComparison.Ordinal);
        Assert.Equal("not_recording", Status());
    }

    [Fact]
    public void An_invalid_policy_is_refused_naming_the_line_and_field()
    {
        AcceptConsent();
        var policy = Path.Combine(Root, "bad.yaml");
        File.WriteAllText(policy, "version: 1\napps:\n  allow:\n    - class: Yad\n      titel: oops\n");
        var (exit, stdout, stderr) = CliProcess.Run(Env, "record", "--data", DataDir, "--policy", policy, "--duration", "1");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("bad.yaml:5", line, StringComparison.Ordinal);
        Assert.Contains("titel", line, StringComparison.Ordinal);
    }
}
