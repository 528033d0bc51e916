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
public sealed class LeakTests(DesktopFixture fixture) : SafeguardTestBase(fixture)
{
    private const string FormClass = "LeakForm";
    private const string IntruderClass = "LeakIntruder";

    private const string GtkPassword = "Gtk-Pw!q7Zx";
    private const string ChromiumPassword = "Chr-Pw!k3Vb";
    private const string Email = "erin.quill@example.net";
    private const string Card = "4111 1111 1111 1111";
    private const string Token = "ghp_Zq9xR2mT7vL1wK8yB3nC6dF4hJ0sP5aE2uIo";
    private const string IntruderText = "INTRUDER-PAYROLL-7731";

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
                // People pause when they reach the next field; typed straight on, the first keys after
                // the password may be dropped with it (docs/safeguards.md, "The price of that safety").
                Pause(600);
                Xdotool("type", "--delay", "30", GtkPassword);
                Xdotool("key", "Tab");
                Pause(600);
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
            var page = ChromiumPage(Desktop.WaitForWindow("[Cc]hromium", TimeSpan.FromSeconds(60)));
            (int X, int Y) Page(int x, int y) => page(x, y);

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
