using System.Globalization;
using System.Text;
using System.Text.Json;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>Real X server, real GTK form, real XTest input, the real recorder process.</summary>
[Collection("desktop")]
public sealed class RecordingTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private const string FormClass = "UnderstudyDemo";

    private (System.Diagnostics.Process Form, long Window, (int X, int Y, int Width, int Height) Geometry) OpenForm()
    {
        var form = Desktop.StartApp(Path.Combine(RepoPaths.Root, "scripts", "demo-form.sh"));
        var window = Desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(20));
        Desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));
        var shell = Desktop.RunTool("xdotool", "getwindowgeometry", "--shell", window.ToString(CultureInfo.InvariantCulture));
        int Value(string name) => int.Parse(shell.Split('\n').First(line => line.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
        return (form, window, (Value("X"), Value("Y"), Value("WIDTH"), Value("HEIGHT")));
    }

    private static void CloseForm(System.Diagnostics.Process form)
    {
        if (!form.HasExited)
        {
            form.Kill(entireProcessTree: true);
            form.WaitForExit();
        }
        form.Dispose();
    }

    private CliProcess StartRecorder(params string[] extra)
    {
        AcceptConsent();
        var recorder = CliProcess.Start(Env, ["record", "--data", DataDir, .. extra]);
        recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
        return recorder;
    }

    private void Xdotool(params string[] args) => Desktop.RunTool("xdotool", args);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Typed_text_clicks_scrolls_and_hotkeys_come_back_exactly()
    {
        const string typed = "Hello World 42, ok? Café! [x] ~/path_#1";
        var (form, _, g) = OpenForm();
        try
        {
            using var recorder = StartRecorder("--allow-app", FormClass);
            var coreLimit = File.ReadAllLines($"/proc/{recorder.Pid}/limits").Single(l => l.StartsWith("Max core file size", StringComparison.Ordinal));
            Assert.Matches(@"Max core file size\s+0\s+0\s", coreLimit);
            Xdotool("type", "--delay", "25", typed);
            var (clickX, clickY) = (g.X + (g.Width / 2), g.Y + (g.Height / 2));
            var (doubleX, doubleY) = (g.X + 60, g.Y + 40);
            Xdotool("mousemove", "--sync", Num(clickX), Num(clickY), "click", "1");
            Xdotool("mousemove", "--sync", Num(doubleX), Num(doubleY), "click", "--repeat", "2", "--delay", "80", "1");
            Xdotool("click", "2");
            Xdotool("click", "3");
            Pause(200);
            Xdotool("key", "Escape");
            Xdotool("click", "--repeat", "2", "--delay", "30", "4");
            Xdotool("click", "--repeat", "3", "--delay", "30", "5");
            Xdotool("key", "ctrl+a");
            Pause(400);
            recorder.Signal(2);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(20)));
            var sessionId = recorder.Stdout.Trim();

            var events = CliProcess.Export(Env, DataDir, sessionId);

            Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
            Assert.True(events.Zip(events.Skip(1)).All(p => p.First.MonoNs <= p.Second.MonoNs), "t_mono_ns must never go back");
            var focus = events.Select(e => e.Payload).OfType<FocusPayload>().ToList();
            Assert.NotEmpty(focus);
            Assert.All(focus, f => Assert.Equal(FormClass, f.App));

            var keyDowns = events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).ToList();
            Assert.Equal(typed, string.Concat(keyDowns.Select(k => k.Text)));
            Assert.Contains(keyDowns, k => k.Key == "shift_l" && k.Text is null);
            var hotkey = Assert.Single(keyDowns, k => k.Key == "a" && (k.Modifiers & Modifiers.Ctrl) != 0);
            Assert.Null(hotkey.Text);
            Assert.Contains(keyDowns, k => k.Key == "Escape" && k.Text is null);

            var presses = events.Select(e => e.Payload).OfType<ButtonPayload>().Where(b => b.IsDown).ToList();
            Assert.Equal(
                [(MouseButton.Left, clickX, clickY), (MouseButton.Left, doubleX, doubleY), (MouseButton.Left, doubleX, doubleY), (MouseButton.Middle, doubleX, doubleY), (MouseButton.Right, doubleX, doubleY)],
                presses.Select(b => (b.Button, b.X, b.Y)));
            Assert.Equal(presses.Count, events.Select(e => e.Payload).OfType<ButtonPayload>().Count(b => !b.IsDown));

            var scrolls = events.Select(e => e.Payload).OfType<ScrollPayload>().ToList();
            Assert.Equal([-1, -1, 1, 1, 1], scrolls.Select(s => s.Dy));
            Assert.All(scrolls, s => Assert.Equal((0, doubleX, doubleY), (s.Dx, s.X, s.Y)));
            Assert.Contains(events, e => e.Payload is PointerMovePayload m && m.X == clickX && m.Y == clickY);

            var (verifyExit, verifyOut, _) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", DataDir);
            Assert.Equal(0, verifyExit);
            Assert.Contains("ok", verifyOut, StringComparison.Ordinal);

            AssertNoPlaintextOnDisk(Root, "Hello World", "Café!", "~/path_#1");
        }
        finally
        {
            CloseForm(form);
        }
    }

    [Fact]
    public void Kill_9_keeps_everything_but_the_last_second_and_the_session_still_verifies()
    {
        // Typing is held by the privacy guard until the field's typing pauses (it is not judged yet,
        // so a crash loses it, which is the safe way to lose it); everything judged is on disk
        // within a second. So: type, pause so the guard releases it (a pause mid-word counts after
        // 3 s, then 0.3 s for late lookups), then keep the pointer moving until the kill.
        const string text = "abcdefghij";
        var (form, _, g) = OpenForm();
        try
        {
            using var recorder = StartRecorder("--allow-app", FormClass);
            Xdotool("type", "--delay", "30", text);
            Pause(4500);
            using var mover = Desktop.StartApp("bash", "-c",
                $"for i in $(seq 1 400); do xdotool mousemove {Num(g.X + 50)} $(({Num(g.Y + 50)} + i % 200)); sleep 0.01; done");
            Pause(2500);
            var killedAt = DateTimeOffset.UtcNow;
            recorder.Signal(9);
            recorder.WaitForExit(TimeSpan.FromSeconds(10));
            mover.Kill();
            mover.WaitForExit();

            var (listExit, listJson, _) = CliProcess.Run(Env, "sessions", "list", "--data", DataDir, "--json");
            Assert.Equal(0, listExit);
            using var list = JsonDocument.Parse(listJson);
            var session = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal("interrupted", session.GetProperty("status").GetString());
            var sessionId = session.GetProperty("id").GetString()!;

            var (verifyExit, verifyOut, verifyErr) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", DataDir);
            Assert.True(verifyExit == 0, $"verify: {verifyOut} {verifyErr}");

            var events = CliProcess.Export(Env, DataDir, sessionId);
            var recovered = string.Concat(events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));
            Assert.Equal(text, recovered);
            var lastKept = events.Last(e => e.Payload is PointerMovePayload).Wall;
            Assert.True(killedAt - lastKept < TimeSpan.FromSeconds(1.2), $"lost {(killedAt - lastKept).TotalMilliseconds:0} ms before the kill");
        }
        finally
        {
            CloseForm(form);
        }
    }

    [Fact]
    public void Input_to_an_app_outside_the_allow_list_leaves_only_a_gap()
    {
        var (form, _, _) = OpenForm();
        try
        {
            using var recorder = StartRecorder("--allow-app", "SomeOtherApp");
            Xdotool("type", "--delay", "20", "private words");
            Xdotool("click", "1");
            Pause(300);
            recorder.Signal(15);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(20)));

            var events = CliProcess.Export(Env, DataDir, recorder.Stdout.Trim());
            Assert.DoesNotContain(events, e => e.Payload is KeyPayload or ButtonPayload or PointerMovePayload or FocusPayload);
            var gap = Assert.Single(events.Select(e => e.Payload).OfType<GapPayload>());
            Assert.Equal(GapReasons.OutOfScope, gap.Reason);
            Assert.True(gap.Dropped >= "private words".Length * 2, $"dropped {gap.Dropped}");
        }
        finally
        {
            CloseForm(form);
        }
    }

    [Fact]
    public void Losing_the_X_server_closes_the_session_with_what_was_captured()
    {
        using var doomed = VirtualDesktop.Start("800x600");
        var env = EnvFor(doomed);
        AcceptConsent();
        using var recorder = CliProcess.Start(env, "record", "--data", DataDir, "--allow-app", "*");
        recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            doomed.RunTool("xdotool", "mousemove", Num(100 + i), "200");
        }
        Pause(500);
        doomed.Dispose();

        Assert.Equal(1, recorder.WaitForExit(TimeSpan.FromSeconds(20)));
        var errorLines = recorder.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("recording session", StringComparison.Ordinal) && !l.Contains("warning", StringComparison.Ordinal)).ToList();
        Assert.Contains("X display went away", Assert.Single(errorLines), StringComparison.Ordinal);
        var sessionId = recorder.Stdout.Trim();
        var (showExit, showJson, _) = CliProcess.Run(env, "sessions", "show", sessionId, "--data", DataDir, "--json");
        Assert.Equal(0, showExit);
        using var show = JsonDocument.Parse(showJson);
        Assert.Equal("complete", show.RootElement.GetProperty("session").GetProperty("status").GetString());
        Assert.Equal("display_lost", show.RootElement.GetProperty("session").GetProperty("end_reason").GetString());
        Assert.True(show.RootElement.GetProperty("verify").GetProperty("ok").GetBoolean());
        var moves = CliProcess.Export(env, DataDir, sessionId).Select(e => e.Payload).OfType<PointerMovePayload>().ToList();
        Assert.Contains(moves, m => m.X == 104 && m.Y == 200);
    }

    private static void AssertNoPlaintextOnDisk(string root, params string[] secrets)
    {
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' found in {file}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"'{secret}' (UTF-16) found in {file}");
            }
        }
    }

    [Fact]
    public void Every_click_gets_decodable_frames_before_and_after_that_the_owner_can_export()
    {
        var (form, _, g) = OpenForm();
        try
        {
            using var recorder = StartRecorder("--allow-app", FormClass, "--frame-format", "png");
            var clicks = new[] { (g.X + (g.Width / 2), g.Y + g.Height - 90), (g.X + (g.Width / 2), g.Y + 60) };
            foreach (var (x, y) in clicks)
            {
                Xdotool("mousemove", "--sync", Num(x), Num(y), "click", "1");
                Xdotool("type", "--delay", "60", "abc");
                Pause(600);
            }
            recorder.Signal(2);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(20)));
            var sessionId = recorder.Stdout.Trim();

            var events = CliProcess.Export(Env, DataDir, sessionId);
            var frames = events.Select(e => e.Payload).OfType<FramePayload>().ToList();
            var presses = events.Where(e => e.Payload is ButtonPayload { IsDown: true, Button: MouseButton.Left }).ToList();
            Assert.Equal(clicks.Length, presses.Count);
            foreach (var press in presses)
            {
                var before = Assert.Single(frames, f => f.ForSeq == press.Seq && f.Role == FrameRoles.Before);
                Assert.Single(frames, f => f.ForSeq == press.Seq && f.Role == FrameRoles.After);
                Assert.True(before.GrabbedMonoNs <= press.MonoNs, "the before-frame must be grabbed before the click");
            }
            Assert.DoesNotContain(events.Select(e => e.Payload).OfType<GapPayload>(), gap => gap.Reason == GapReasons.FrameLost);

            var framesDir = Path.Combine(Root, "frames");
            var (exit, _, stderr) = CliProcess.Run(Env, "sessions", "export", sessionId, "--format", "jsonl", "--data", DataDir, "--frames", framesDir, "--out", Path.Combine(Root, "events.jsonl"));
            Assert.True(exit == 0, stderr);
            ScreenSize screen;
            using (var backend = Understudy.Platform.X11.X11DesktopBackend.Open(Desktop.Display))
            {
                screen = backend.Screen;
            }
            foreach (var frame in frames.DistinctBy(f => f.Blob))
            {
                var file = Path.Combine(framesDir, frame.Blob + ".png");
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                using var image = SkiaSharp.SKBitmap.Decode(file);
                Assert.NotNull(image);
                Assert.Equal((frame.Width, frame.Height), (image.Width, image.Height));
                if (frame.Base is null)
                {
                    Assert.Equal(new Rect(0, 0, screen.Width, screen.Height), frame.Region);
                }
            }
            Assert.Contains(frames, f => f.Base is null);

            var (verifyExit, verifyOut, _) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", DataDir, "--json");
            Assert.Equal(0, verifyExit);
            using var report = JsonDocument.Parse(verifyOut);
            Assert.Equal(frames.Select(f => f.Blob).Concat(frames.Select(f => f.Base).OfType<string>()).Distinct().Count(), report.RootElement.GetProperty("blobs_checked").GetInt32());

            var manifest = File.ReadAllText(Path.Combine(DataDir, "sessions", sessionId, "manifest.json"));
            using var parsed = JsonDocument.Parse(manifest);
            var capabilities = parsed.RootElement.GetProperty("capabilities");
            Assert.True(capabilities.GetProperty("frames").GetBoolean());
            Assert.Equal("png", capabilities.GetProperty("frame_format").GetString());
        }
        finally
        {
            CloseForm(form);
        }
    }
}
