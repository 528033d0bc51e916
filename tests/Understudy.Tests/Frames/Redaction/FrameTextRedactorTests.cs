using Understudy.Core.Model;
using Understudy.Core.Redaction;
using Understudy.Frames.Masking;
using Understudy.Frames.Redaction;
using Understudy.Ocr;
using Xunit;

namespace Understudy.Tests.Frames.Redaction;

/// <summary>FrameTextRedactor with accessibility texts only and fake redactors: no tesseract involved.</summary>
public sealed class FrameTextRedactorTests
{
    private const string EmailLine = "Email: alice.smith@example.com";

    [Fact]
    public void Char_boxes_of_a_flagged_span_are_filled_and_the_rest_of_the_text_is_untouched()
    {
        var screen = new TextScreen(400, 80);
        screen.Draw(EmailLine, 10, 20);
        var before = (byte[])screen.Pixels.Clone();
        var boxes = TextScreen.CharBoxes(EmailLine, 10, 20);
        var text = new AccessibleText(EmailLine, new Rect(8, 18, 300, 24), boxes);

        var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(screen.Pixels, screen.Size, [text]);

        Assert.Equal(FrameVerdict.Keep, report.Verdict);
        Assert.Equal(1, report.SpansByType[EntityTypes.Email]);
        var filled = Assert.Single(report.Filled);
        var start = EmailLine.IndexOf("alice", StringComparison.Ordinal);
        var expected = new Rect(boxes[start].X - 2, boxes[start].Y - 2, boxes[^1].X + boxes[^1].Width - boxes[start].X + 4, boxes[start].Height + 4);
        Assert.Equal(expected, filled);
        AssertFilled(screen.Pixels, screen.Size, filled);
        // "Email:" stays as drawn.
        AssertUnchanged(before, screen.Pixels, screen.Size, screen.BoxOf("Email:"));
    }

    [Fact]
    public void Without_char_boxes_a_flagged_text_is_filled_over_its_whole_bounds()
    {
        var screen = new TextScreen(400, 80);
        screen.Draw(EmailLine, 10, 20);
        var bounds = new Rect(8, 18, 300, 24);
        var wrongCount = TextScreen.CharBoxes("short", 10, 20);

        foreach (var boxes in new[] { null, wrongCount })
        {
            var pixels = (byte[])screen.Pixels.Clone();
            var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(pixels, screen.Size, [new AccessibleText(EmailLine, bounds, boxes)]);
            Assert.Equal(FrameVerdict.Keep, report.Verdict);
            AssertFilled(pixels, screen.Size, Assert.Single(report.Filled));
            AssertFilled(pixels, screen.Size, bounds);
        }
    }

    [Fact]
    public void A_span_over_two_lines_is_filled_as_one_box_per_line()
    {
        // "card 4111 1111 1111 1111" soft-wrapped after the second group; the space at the wrap is not drawn (empty box).
        var text = "card 4111 1111 1111 1111";
        var boxes = new List<Rect>();
        for (var i = 0; i < text.Length; i++)
        {
            var line = i < 15 ? 0 : 1;
            var column = line == 0 ? i : i - 15;
            boxes.Add(i == 14 ? default : new Rect(10 + (column * 8), 10 + (line * 20), 8, 16));
        }
        var lines = FrameTextRedactor.UnionPerLine(boxes, 5, text.Length);
        Assert.Equal([new Rect(50, 10, 72, 16), new Rect(10, 30, 72, 16)], lines);

        var size = new ScreenSize(200, 60);
        var pixels = new byte[200 * 60 * 4];
        var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(pixels, size, [new AccessibleText(text, new Rect(5, 5, 150, 45), boxes)]);
        Assert.Equal(2, report.RegionsFilled);
        Assert.Equal(1, report.SpansByType[EntityTypes.CreditCard]);
    }

    [Fact]
    public void Unflagged_texts_leave_the_screen_as_it_was()
    {
        var screen = new TextScreen(400, 80);
        screen.Draw("Please review the quarterly travel expenses", 10, 20);
        var before = (byte[])screen.Pixels.Clone();
        var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(screen.Pixels, screen.Size, [new AccessibleText("Please review the quarterly travel expenses", new Rect(8, 18, 380, 24))]);
        Assert.Equal(FrameVerdict.Keep, report.Verdict);
        Assert.Empty(report.Filled);
        Assert.Equal(before, screen.Pixels);
    }

    [Fact]
    public void A_text_the_redactor_could_not_scan_is_filled_whole()
    {
        var screen = new TextScreen(400, 80);
        screen.Draw("anything at all", 10, 20);
        var bounds = new Rect(8, 18, 200, 24);
        var report = new FrameTextRedactor(new FakeFailClosedRedactor()).Redact(screen.Pixels, screen.Size, [new AccessibleText("anything at all", bounds, TextScreen.CharBoxes("anything at all", 10, 20))]);
        Assert.Equal(FrameVerdict.Keep, report.Verdict);
        Assert.Equal(1, report.SpansByType[EntityTypes.Unscanned]);
        AssertFilled(screen.Pixels, screen.Size, bounds);
    }

    [Fact]
    public void A_redactor_that_takes_too_long_drops_the_frame_and_the_buffer_is_filled_whole()
    {
        var screen = new TextScreen(300, 60);
        screen.Draw(EmailLine, 10, 20);
        var redactor = new FrameTextRedactor(new FakeSleepingRedactor(TimeSpan.FromMilliseconds(150)), options: new FrameRedactionOptions { Timeout = TimeSpan.FromMilliseconds(100) });

        var report = redactor.Redact(screen.Pixels, screen.Size, [new AccessibleText(EmailLine, new Rect(8, 18, 280, 24))]);

        Assert.Equal(FrameVerdict.Drop, report.Verdict);
        Assert.True(report.MustDrop);
        Assert.Contains("timeout", report.DropReason, StringComparison.Ordinal);
        AssertFilled(screen.Pixels, screen.Size, new Rect(0, 0, 300, 60));
    }

    [Fact]
    public void A_redactor_that_throws_drops_the_frame_and_its_message_is_not_reported()
    {
        var screen = new TextScreen(300, 60);
        screen.Draw(EmailLine, 10, 20);
        var report = new FrameTextRedactor(new FakeThrowingRedactor()).Redact(screen.Pixels, screen.Size, [new AccessibleText(EmailLine, new Rect(8, 18, 280, 24))]);
        Assert.Equal(FrameVerdict.Drop, report.Verdict);
        Assert.Equal("redaction failed (InvalidOperationException)", report.DropReason);
        AssertFilled(screen.Pixels, screen.Size, new Rect(0, 0, 300, 60));
    }

    [Fact]
    public void Ocr_regions_without_an_ocr_engine_drop_the_frame()
    {
        var size = new ScreenSize(100, 50);
        var pixels = new byte[100 * 50 * 4];
        var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(pixels, size, [], [new Rect(0, 0, 100, 50)]);
        Assert.Equal(FrameVerdict.Drop, report.Verdict);
    }

    [Fact]
    public void A_buffer_smaller_than_its_screen_size_drops_the_frame()
    {
        var pixels = new byte[100];
        var report = new FrameTextRedactor(new FakeEmailAndDigitsRedactor()).Redact(pixels, new ScreenSize(100, 50), []);
        Assert.Equal(FrameVerdict.Drop, report.Verdict);
        Assert.All(pixels, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Ocr_lines_join_a_label_and_the_value_beside_it_and_map_chars_to_word_boxes()
    {
        // Tesseract in sparse mode: "Password:" and the value are separate lines on one row; a third line below.
        OcrWord[] words =
        [
            new("Password:", new Rect(10, 10, 70, 12), 95, 0),
            new("hunter2", new Rect(200, 11, 60, 12), 90, 1),
            new("Cancel", new Rect(10, 40, 50, 12), 96, 2),
            new("OK", new Rect(80, 41, 20, 12), 96, 2),
        ];
        var lines = OcrLines.Build(words);
        Assert.Equal(["Password: hunter2", "Cancel OK"], lines.Select(l => l.Text));
        Assert.Equal([new Rect(200, 11, 60, 12)], lines[0].BoxesOf(10, 17));
        Assert.Equal([new Rect(10, 10, 70, 12), new Rect(200, 11, 60, 12)], lines[0].BoxesOf(5, 12));
        Assert.Empty(lines[1].BoxesOf(100, 110));
    }

    internal static void AssertFilled(byte[] pixels, ScreenSize size, Rect rect, uint fill = PixelMask.DefaultFill)
    {
        var x0 = Math.Max(0, rect.X);
        var y0 = Math.Max(0, rect.Y);
        var x1 = Math.Min(size.Width, rect.X + rect.Width);
        var y1 = Math.Min(size.Height, rect.Y + rect.Height);
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var value = BitConverter.ToUInt32(pixels, ((y * size.Width) + x) * 4);
                if (value != fill)
                {
                    Assert.Fail($"pixel ({x},{y}) in {rect} is {value:X8}, not the fill {fill:X8}");
                }
            }
        }
    }

    internal static void AssertUnchanged(byte[] before, byte[] after, ScreenSize size, Rect rect)
    {
        for (var y = Math.Max(0, rect.Y); y < Math.Min(size.Height, rect.Y + rect.Height); y++)
        {
            var offset = ((y * size.Width) + Math.Max(0, rect.X)) * 4;
            var length = (Math.Min(size.Width, rect.X + rect.Width) - Math.Max(0, rect.X)) * 4;
            Assert.True(before.AsSpan(offset, length).SequenceEqual(after.AsSpan(offset, length)), $"row {y} of {rect} changed");
        }
    }
}
