using Understudy.Core.Model;
using Understudy.Core.Redaction;
using Understudy.Frames.Redaction;
using Understudy.Ocr;
using Xunit;
using static Understudy.Tests.Frames.Redaction.FrameTextRedactorTests;

namespace Understudy.Tests.Frames.Redaction;

/// <summary>
/// REAL TESSERACT: these tests call the system's libtesseract.so.5 with the English traineddata
/// (Debian packages libtesseract5 and tesseract-ocr-eng, installed by
/// scripts/install-desktop-packages.sh). Text is drawn with SkiaSharp at screen sizes onto a white
/// screen, recognised, redacted with a fake redactor, and recognised again.
/// </summary>
[Trait("Needs", "tesseract")]
public sealed class TesseractOcrTests
{
    private const string Email = "alice.smith@example.com";

    private static TextScreen Form(float px = 15)
    {
        var screen = new TextScreen(640, 240);
        screen.Draw("Email: " + Email, 20, 20, px);
        screen.Draw("Card 4111 1111 1111 1111", 20, 60, px);
        screen.Draw("Please review the quarterly travel expenses", 20, 100, px);
        screen.Draw("Name", 20, 140, px);
        screen.Draw("Bob Jones", 200, 140, px);
        return screen;
    }

    [Theory]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void Words_are_found_with_boxes_where_they_were_drawn(float px)
    {
        var screen = Form(px);
        using var ocr = new TesseractOcr();

        var words = ocr.Recognize(screen.Pixels, screen.Size, new Rect(0, 0, screen.Size.Width, screen.Size.Height));

        foreach (var drawn in new[] { "Email:", Email, "Card", "4111", "Please", "quarterly", "expenses", "Name", "Bob", "Jones" })
        {
            var box = screen.BoxOf(drawn);
            var found = words.FirstOrDefault(w => w.Text == drawn);
            Assert.True(found is not null, $"'{drawn}' not found at {px} px; read: {string.Join(" | ", words.Select(w => w.Text))}");
            AssertNear(box, found.Bounds, 3);
        }
        // The label and the value beside it are on one row; the sentence is one line.
        var sentence = words.Where(w => w.Bounds.Y > 95 && w.Bounds.Y < 120).Select(w => w.Line).Distinct();
        Assert.Single(sentence);
        Assert.All(words, w => Assert.InRange(w.Confidence, 0, 100));
    }

    [Fact]
    public void A_region_is_recognised_alone_with_boxes_in_screen_coordinates()
    {
        var screen = Form();
        using var ocr = new TesseractOcr();
        var words = ocr.Recognize(screen.Pixels, screen.Size, new Rect(10, 50, 400, 40));
        Assert.Contains(words, w => w.Text == "Card");
        Assert.DoesNotContain(words, w => w.Text.Contains('@', StringComparison.Ordinal));
        AssertNear(screen.BoxOf("Card"), words.First(w => w.Text == "Card").Bounds, 3);
    }

    [Fact]
    public void Flagged_words_are_filled_text_elsewhere_is_untouched_and_the_secret_cannot_be_read_back()
    {
        var screen = Form();
        var before = (byte[])screen.Pixels.Clone();
        using var ocr = new TesseractOcr();
        var redactor = new FrameTextRedactor(new FakeEmailAndDigitsRedactor(), ocr, new FrameRedactionOptions { Timeout = TimeSpan.FromSeconds(10) });
        var whole = new Rect(0, 0, screen.Size.Width, screen.Size.Height);

        var report = redactor.Redact(screen.Pixels, screen.Size, [], [whole]);

        Assert.Equal(FrameVerdict.Keep, report.Verdict);
        Assert.Equal(1, report.SpansByType[EntityTypes.Email]);
        Assert.Equal(1, report.SpansByType[EntityTypes.CreditCard]);
        Assert.True(report.OcrTime > TimeSpan.Zero);
        Assert.True(report.OcrWords >= 14, $"{report.OcrWords} words");
        foreach (var secret in new[] { Email, "4111" })
        {
            // Every pixel of the drawn word (tight ink box) is the fill.
            AssertFilled(screen.Pixels, screen.Size, screen.BoxOf(secret));
        }
        foreach (var box in screen.Words.Where(w => w.Word is "1111").Select(w => w.Box))
        {
            AssertFilled(screen.Pixels, screen.Size, box);
        }
        foreach (var ordinary in new[] { "Email:", "Card", "Please", "quarterly", "expenses", "Name", "Bob", "Jones" })
        {
            AssertUnchanged(before, screen.Pixels, screen.Size, screen.BoxOf(ordinary));
        }

        var again = ocr.Recognize(screen.Pixels, screen.Size, whole);
        var read = string.Join(" ", again.Select(w => w.Text));
        Assert.DoesNotContain("@", read, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", read, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", read, StringComparison.Ordinal);
        Assert.DoesNotContain("1111", read, StringComparison.Ordinal);
        Assert.Contains("quarterly", read, StringComparison.Ordinal);
    }

    [Fact]
    public void Excluded_rectangles_are_not_read()
    {
        var screen = Form();
        using var ocr = new TesseractOcr();
        var words = ocr.Recognize(screen.Pixels, screen.Size, new Rect(0, 0, screen.Size.Width, screen.Size.Height), null, [new Rect(15, 15, 300, 26)]);
        Assert.DoesNotContain(words, w => w.Text.Contains('@', StringComparison.Ordinal) || w.Text == "Email:");
        Assert.Contains(words, w => w.Text == "Card");
    }

    [Fact]
    public void Text_covered_by_accessibility_is_not_redacted_again_from_ocr()
    {
        var screen = Form();
        using var ocr = new TesseractOcr();
        var fake = new FakeEmailAndDigitsRedactor();
        var redactor = new FrameTextRedactor(fake, ocr, new FrameRedactionOptions { Timeout = TimeSpan.FromSeconds(10) });
        var line = "Email: " + Email;
        var a11y = new AccessibleText(line, new Rect(15, 15, 300, 26), TextScreen.CharBoxes(line, 20, 20));

        var report = redactor.Redact(screen.Pixels, screen.Size, [a11y], [new Rect(0, 0, screen.Size.Width, screen.Size.Height)]);

        Assert.Equal(FrameVerdict.Keep, report.Verdict);
        // Once from the accessibility text; the OCR rows below it bring the card number only.
        Assert.Equal(1, report.SpansByType[EntityTypes.Email]);
        Assert.Equal(1, report.SpansByType[EntityTypes.CreditCard]);
        AssertFilled(screen.Pixels, screen.Size, screen.BoxOf(Email));
    }

    [Fact]
    public void Ocr_that_overruns_the_budget_drops_the_frame()
    {
        var screen = Form();
        using var ocr = new TesseractOcr();
        var redactor = new FrameTextRedactor(new FakeEmailAndDigitsRedactor(), ocr, new FrameRedactionOptions { Timeout = TimeSpan.FromMilliseconds(1) });

        var report = redactor.Redact(screen.Pixels, screen.Size, [], [new Rect(0, 0, screen.Size.Width, screen.Size.Height)]);

        Assert.Equal(FrameVerdict.Drop, report.Verdict);
        Assert.Contains("timeout", report.DropReason, StringComparison.Ordinal);
        AssertFilled(screen.Pixels, screen.Size, new Rect(0, 0, screen.Size.Width, screen.Size.Height));
    }

    [Fact]
    public void A_sleeping_redactor_after_ocr_drops_the_frame()
    {
        var screen = Form();
        using var ocr = new TesseractOcr();
        var redactor = new FrameTextRedactor(new FakeSleepingRedactor(TimeSpan.FromMilliseconds(600)), ocr, new FrameRedactionOptions { Timeout = TimeSpan.FromMilliseconds(1000) });

        var report = redactor.Redact(screen.Pixels, screen.Size, [], [new Rect(0, 0, screen.Size.Width, screen.Size.Height)]);

        Assert.Equal(FrameVerdict.Drop, report.Verdict);
        Assert.Equal("timeout redacting OCR text", report.DropReason);
    }

    [Fact]
    public void Missing_traineddata_is_reported_with_the_package_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("understudy-tessdata-");
        try
        {
            var ex = Assert.Throws<OcrUnavailableException>(() => new TesseractOcr(new OcrOptions { DataPath = empty.FullName }));
            Assert.Contains("eng.traineddata", ex.Message, StringComparison.Ordinal);
            Assert.Contains(empty.FullName, ex.Message, StringComparison.Ordinal);
            Assert.Contains("tesseract-ocr-eng", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }
        finally
        {
            empty.Delete(true);
        }
    }

    [Fact]
    public void A_broken_traineddata_is_reported_as_unavailable()
    {
        var dir = Directory.CreateTempSubdirectory("understudy-tessdata-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "eng.traineddata"), "not a model");
            var ex = Assert.Throws<OcrUnavailableException>(() => new TesseractOcr(new OcrOptions { DataPath = dir.FullName }));
            Assert.Contains("tesseract-ocr-eng", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static void AssertNear(Rect expected, Rect actual, int tolerance)
    {
        Assert.True(
            Math.Abs(expected.X - actual.X) <= tolerance && Math.Abs(expected.Y - actual.Y) <= tolerance &&
            Math.Abs(expected.X + expected.Width - actual.X - actual.Width) <= tolerance &&
            Math.Abs(expected.Y + expected.Height - actual.Y - actual.Height) <= tolerance,
            $"OCR box {actual} is not within {tolerance} px of the drawn {expected}");
    }
}
