using System.Globalization;
using System.Text;
using SkiaSharp;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Accessibility;
using Understudy.Desktop.Tests.Harness;
using Understudy.Desktop.Tests.Recording;

namespace Understudy.Desktop.Tests.Safeguards;

/// <summary>
/// Leak tests on the real desktop with the real recorder process: secrets typed into password
/// fields (GTK and Chromium), PII and secrets typed into ordinary fields, a foreign window over the
/// allowed one; then every byte the session wrote, and its decrypted export and frames, are searched.
/// Each test also checks that the work really happened where intended (the sensitive field was
/// seen, the placeholder was typed), so that it cannot pass by typing into nowhere.
/// </summary>
[Collection("desktop")]
public sealed class LeakTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private const string FormClass = "LeakForm";
    private const string IntruderClass = "LeakIntruder";

    // The solid fill frames use (policy default #202020), as B,G,R,A.
    private static readonly SKColor Fill = new(0x20, 0x20, 0x20);

    private const string GtkPassword = "Gtk-Pw!q7Zx";
    private const string ChromiumPassword = "Chr-Pw!k3Vb";
    private const string Email = "erin.quill@example.net";
    private const string Card = "4111 1111 1111 1111";
    private const string Token = "ghp_Zq9xR2mT7vL1wK8yB3nC6dF4hJ0sP5aE2uIo";
    private const string IntruderText = "INTRUDER-PAYROLL-7731";

    private void Xdotool(params string[] args) => Desktop.RunTool("xdotool", args);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string WritePolicy(params string[] classes)
    {
        var path = Path.Combine(Root, "policy.yaml");
        var allow = string.Concat(classes.Select(c => $"    - class: {c}\n"));
        File.WriteAllText(path, $"version: 1\nname: leak test\napps:\n  allow:\n{allow}");
        return path;
    }

    private string Record(string policy, Action work)
    {
        AcceptConsent();
        using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--policy", policy, "--frame-format", "png");
        recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
        try
        {
            work();
            // Let the guard's idle boundary and settle pass, so the last pieces are judged while recording.
            Pause(2500);
        }
        finally
        {
            recorder.Signal(2);
        }
        Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
        return recorder.Stdout.Trim();
    }

    private (List<SessionEvent> Events, string ExportFile, string FramesDir) Export(string sessionId)
    {
        var exportFile = Path.Combine(Root, "export.jsonl");
        var framesDir = Path.Combine(Root, "frames");
        var (exit, _, stderr) = CliProcess.Run(Env, "sessions", "export", sessionId, "--format", "jsonl", "--data", DataDir, "--frames", framesDir, "--out", exportFile);
        Assert.True(exit == 0, stderr);
        if (Environment.GetEnvironmentVariable("UNDERSTUDY_KEEP_LEAK_EXPORT") is { Length: > 0 } keep)
        {
            File.Copy(exportFile, Path.Combine(keep, sessionId + ".jsonl"), overwrite: true);
        }
        return ([.. File.ReadLines(exportFile).Select(EventJson.Parse)], exportFile, framesDir);
    }

    /// <summary>No secret in any byte under <paramref name="roots"/>: the encrypted store, the decrypted export, the frames.</summary>
    private static void AssertNoTrace(IEnumerable<string> roots, params string[] secrets)
    {
        foreach (var root in roots)
        {
            var files = File.Exists(root) ? [root] : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories);
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                foreach (var secret in secrets)
                {
                    foreach (var form in new[] { secret, secret.Replace(" ", "", StringComparison.Ordinal), secret[..Math.Min(8, secret.Length)] })
                    {
                        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) < 0, $"'{form}' found in {file}");
                        Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(form)) < 0, $"'{form}' (UTF-16) found in {file}");
                    }
                }
            }
        }
    }

    /// <summary>What the key events say was typed, in order, after the guard's rewriting.</summary>
    private static string Typed(IEnumerable<SessionEvent> events) =>
        string.Concat(events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));

    /// <summary>Every frame image must show only fill colour over <paramref name="hidden"/>, wherever its region covers it.</summary>
    private static int AssertFilled(IEnumerable<FramePayload> frames, string framesDir, Rect hidden, Rect? exceptShown = null)
    {
        var checkedPixels = 0;
        foreach (var frame in frames.DistinctBy(f => f.Blob))
        {
            using var image = SKBitmap.Decode(Path.Combine(framesDir, frame.Blob + ".png"));
            Assert.NotNull(image);
            for (var y = hidden.Y + 2; y < hidden.Y + hidden.Height - 2; y += 7)
            {
                for (var x = hidden.X + 2; x < hidden.X + hidden.Width - 2; x += 7)
                {
                    if (exceptShown is { } shown && x >= shown.X && y >= shown.Y && x < shown.X + shown.Width && y < shown.Y + shown.Height)
                    {
                        continue;
                    }
                    var (ix, iy) = ((int)((x - frame.Region.X) * frame.Scale), (int)((y - frame.Region.Y) * frame.Scale));
                    if (ix < 0 || iy < 0 || ix >= image.Width || iy >= image.Height)
                    {
                        continue;
                    }
                    var pixel = image.GetPixel(ix, iy);
                    Assert.True(pixel.Red == Fill.Red && pixel.Green == Fill.Green && pixel.Blue == Fill.Blue, $"frame {frame.Blob} ({frame.Role} of {frame.ForSeq}) shows {pixel} at ({x},{y}), inside {hidden}");
                    checkedPixels++;
                }
            }
        }
        return checkedPixels;
    }

    private (System.Diagnostics.Process App, long Window, Rect Client) OpenWindow(string wmClass, params string[] yadArgs)
    {
        var app = Desktop.StartApp("yad", [$"--class={wmClass}", $"--name={wmClass.ToLowerInvariant()}", .. yadArgs]);
        var window = Desktop.WaitForWindow(wmClass, TimeSpan.FromSeconds(30));
        Desktop.RunTool("xdotool", "windowactivate", "--sync", Num((int)window));
        return (app, window, Geometry(window));
    }

    /// <summary>The client area in root coordinates (xwininfo's absolute position; xdotool's is off under a reparenting window manager).</summary>
    private Rect Geometry(long window)
    {
        var info = Desktop.RunTool("xwininfo", "-id", Num((int)window));
        int Value(string name) => int.Parse(info.Split('\n').Select(l => l.Trim()).First(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
        return new Rect(Value("Absolute upper-left X"), Value("Absolute upper-left Y"), Value("Width"), Value("Height"));
    }

    [Fact]
    public void Secrets_typed_into_a_gtk_form_and_a_foreign_window_over_it_leave_no_trace()
    {
        var (form, formWindow, formRect) = OpenWindow(FormClass, "--form", "--title=Leak test form", "--geometry=520x360+60+60",
            "--field=Email", "--field=Password:H", "--field=Notes");
        System.Diagnostics.Process? intruder = null;
        Rect intruderRect = default;
        try
        {
            var sessionId = Record(WritePolicy(FormClass), () =>
            {
                // Email has the focus when the form opens.
                Xdotool("type", "--delay", "30", $"mail {Email}");
                Xdotool("key", "Tab");
                Xdotool("type", "--delay", "30", GtkPassword);
                Xdotool("key", "Tab");
                Xdotool("type", "--delay", "30", $"card {Card} token {Token}");
                Pause(1500);
                // A window of an application the policy does not allow, over part of the form.
                (intruder, _, intruderRect) = OpenWindow(IntruderClass, "--form", "--on-top", $"--text={IntruderText}", "--title=Payroll", "--geometry=360x260+380+200");
                Xdotool("windowactivate", "--sync", Num((int)formWindow));
                // Click in a part of the form the foreign window does not cover: its frames show the foreign window too.
                Xdotool("mousemove", "--sync", Num(formRect.X + 40), Num(formRect.Y + formRect.Height - 30), "click", "1");
                Pause(800);
                Xdotool("mousemove", "--sync", Num(formRect.X + 60), Num(formRect.Y + formRect.Height - 40), "click", "1");
            });

            var (events, exportFile, framesDir) = Export(sessionId);
            AssertNoTrace([DataDir, exportFile, framesDir], GtkPassword, Email, Card, Token);

            // The work happened where intended: the password field was seen and its keys replaced.
            Assert.Contains(events, e => e.Payload is ElementPayload { Role: "password text" });
            Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField });
            var typed = Typed(events);
            Assert.Contains("mail <EMAIL_ADDRESS>", typed, StringComparison.Ordinal);
            Assert.Contains("<CREDIT_CARD>", typed, StringComparison.Ordinal);
            Assert.Contains("<API_KEY>", typed, StringComparison.Ordinal);
            Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.Typed, Type: "EMAIL_ADDRESS" });
            // Nothing of the foreign window: no focus event names it, its pixels are filled in every frame.
            Assert.DoesNotContain(events, e => e.Payload is FocusPayload f && (f.App == IntruderClass || f.Title == "Payroll"));
            var frames = events.Select(e => e.Payload).OfType<FramePayload>().ToList();
            var clicks = events.Where(e => e.Payload is ButtonPayload { IsDown: true }).Select(e => e.Seq).ToHashSet();
            var framesWithIntruder = frames.Where(f => f.ForSeq is { } s && clicks.Contains(s)).ToList();
            Assert.NotEmpty(framesWithIntruder);
            // Frames of the clicks were grabbed while the foreign window was open: all of it is filled.
            Assert.True(AssertFilled(framesWithIntruder, framesDir, intruderRect) > 0, $"no frame of the clicks covered the foreign window at {intruderRect}: {string.Join("; ", framesWithIntruder.Select(f => f.Region))}");
            // No frame ever shows the parts of it outside the form.
            AssertFilled(frames, framesDir, intruderRect, exceptShown: formRect);
            // The password field is filled in every frame grabbed after it was typed into.
            var passwordField = events.Select(e => e.Payload).OfType<ElementPayload>().First(e => e.Role == "password text").Bounds!.Value;
            var typedAt = events.First(e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField }).MonoNs;
            AssertFilled(frames.Where(f => f.GrabbedMonoNs > typedAt), framesDir, passwordField);
            // The desktop outside the form (its top left corner, where no window is) is filled too.
            AssertFilled(frames.Where(f => f.Base is null), framesDir, new Rect(0, 0, 50, 50));
        }
        finally
        {
            AccessibilityApps.Stop(form);
            if (intruder is not null)
            {
                AccessibilityApps.Stop(intruder);
            }
        }
    }

    [Fact]
    public void With_ocr_on_an_email_shown_on_screen_is_filled_in_the_frames_and_other_text_is_kept()
    {
        const string shownEmail = "dana.fox@example.org";
        var (form, _, formRect) = OpenWindow(FormClass, "--form", "--title=Contacts", "--geometry=520x300+60+60",
            $"--text=Contact {shownEmail} today", "--field=Remark");
        try
        {
            var policy = Path.Combine(Root, "ocr.yaml");
            File.WriteAllText(policy, $"version: 1\napps:\n  allow:\n    - class: {FormClass}\nframes:\n  ocr: true\n  redaction_timeout_ms: 3000\n");
            var sessionId = Record(policy, () =>
            {
                Xdotool("mousemove", "--sync", Num(formRect.X + 40), Num(formRect.Y + formRect.Height - 30), "click", "1");
                Pause(1500);
            });
            var (events, exportFile, framesDir) = Export(sessionId);
            var keyframes = events.Select(e => e.Payload).OfType<FramePayload>().Where(f => f.Base is null).DistinctBy(f => f.Blob).ToList();
            Assert.NotEmpty(keyframes);
            using var ocr = new Understudy.Ocr.TesseractOcr();
            foreach (var frame in keyframes)
            {
                using var image = SKBitmap.Decode(Path.Combine(framesDir, frame.Blob + ".png"));
                var pixels = image.Copy(SKColorType.Bgra8888);
                var words = ocr.Recognize(pixels.GetPixelSpan(), new ScreenSize(pixels.Width, pixels.Height), formRect);
                var text = string.Join(' ', words.Select(w => w.Text));
                Assert.DoesNotContain("example.org", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("dana", text, StringComparison.OrdinalIgnoreCase);
                // OCR does read the frame: the words around the email survived.
                Assert.Contains("Contact", text, StringComparison.Ordinal);
            }
            AssertNoTrace([DataDir, exportFile], shownEmail);
        }
        finally
        {
            AccessibilityApps.Stop(form);
        }
    }

    [Fact]
    public void A_password_typed_into_chromium_leaves_no_trace_and_an_email_becomes_a_placeholder()
    {
        var (chromium, profile) = AccessibilityApps.StartChromium(Desktop);
        try
        {
            var window = Desktop.WaitForWindow("[Cc]hromium", TimeSpan.FromSeconds(60));
            // The page announces its browser frame in the title: "form chrome=H,W".
            string title = "";
            for (var i = 0; i < 100 && !title.Contains("chrome=", StringComparison.Ordinal); i++)
            {
                Pause(100);
                title = Desktop.RunTool("xdotool", "getwindowname", Num((int)window));
            }
            var chrome = AccessibilityApps.ChromeSize().Match(title);
            Assert.True(chrome.Success, $"page title '{title}'");
            var (top, left) = (AccessibilityApps.ParseInt(chrome.Groups[1].Value), AccessibilityApps.ParseInt(chrome.Groups[2].Value));
            // Let the accessibility tree come up and the window manager place the window before measuring it.
            Pause(2000);
            var client = Geometry(window);
            (int X, int Y) Page(int x, int y) => (client.X + left + x, client.Y + top + y);

            var sessionId = Record(WritePolicy("Chromium", "chromium"), () =>
            {
                // The email first, then the password: Chromium reports focus to accessibility
                // late and its hit test may name the Description field, so the password's keys
                // must be held until a lookup names the password field, or dropped if none does.
                var description = Page(270, 80);
                Xdotool("mousemove", "--sync", Num(description.X), Num(description.Y), "click", "1");
                Pause(1200);
                Xdotool("type", "--delay", "40", $"mail {Email}");
                Pause(1500);
                var password = Page(270, 140);
                Xdotool("mousemove", "--sync", Num(password.X), Num(password.Y), "click", "1");
                Pause(1200);
                Xdotool("type", "--delay", "40", ChromiumPassword);
                Xdotool("key", "Tab");
            });

            var (events, exportFile, framesDir) = Export(sessionId);
            AssertNoTrace([DataDir, exportFile, framesDir], ChromiumPassword, Email);
            // Each key's text is stored on its own: the password must not be spelled out across them either.
            Assert.DoesNotContain(ChromiumPassword, Typed(events), StringComparison.Ordinal);
            Assert.Contains(events, e => e.Payload is ElementPayload { Role: "password text" });
            Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField });
            Assert.Contains("mail <EMAIL_ADDRESS>", Typed(events), StringComparison.Ordinal);
        }
        finally
        {
            AccessibilityApps.Stop(chromium, profile);
        }
    }
}
