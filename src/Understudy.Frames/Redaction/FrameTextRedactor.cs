using System.Diagnostics;
using Understudy.Core.Model;
using Understudy.Core.Redaction;
using Understudy.Frames.Masking;
using Understudy.Ocr;

namespace Understudy.Frames.Redaction;

/// <summary>
/// Masks the text a recognizer flags on a screen, with solid fills (never blur). Accessibility
/// texts first: each is redacted and each flagged span is filled over its char boxes (one union
/// per line of the text) or over the element's bounds. Then, when OCR regions are given, the
/// screen there is OCR'd with the accessibility texts' bounds blanked out (and any word centred in
/// one left out), the rest are rebuilt into rows, each row is redacted and the words a span touches are filled.
/// <para>
/// Fail closed: if the whole job takes longer than <see cref="FrameRedactionOptions.Timeout"/>,
/// or anything throws, the verdict is <see cref="FrameVerdict.Drop"/> and the buffer is filled
/// whole, so that a half-redacted screen can never pass for a finished one. A redactor that
/// hangs is noticed when it returns (the <see cref="ITextRedactor"/> contract bounds its time);
/// tesseract is stopped by its own deadline. Never logs text; reports hold counts, types and boxes.
/// </para>
/// Not thread-safe when it has an OCR engine (tesseract is not): one per worker thread.
/// </summary>
public sealed class FrameTextRedactor
{
    private readonly ITextRedactor _redactor;
    private readonly TesseractOcr? _ocr;
    private readonly FrameRedactionOptions _options;

    public FrameTextRedactor(ITextRedactor redactor, TesseractOcr? ocr = null, FrameRedactionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        _redactor = redactor;
        _ocr = ocr;
        _options = options ?? new FrameRedactionOptions();
        if (_options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Timeout, "the frame redaction timeout must be positive");
        }
    }

    public FrameRedactionOptions Options => _options;

    /// <summary>
    /// Redacts <paramref name="bgra"/> (a <paramref name="size"/> B,G,R,A screen) in place.
    /// <paramref name="texts"/> are the accessibility texts on it; <paramref name="ocrRegions"/>
    /// (null or empty: no OCR) are the screen rectangles to OCR, e.g. the allowed window. Store
    /// the buffer only when the report's verdict is <see cref="FrameVerdict.Keep"/>.
    /// </summary>
    public FrameRedactionReport Redact(Span<byte> bgra, ScreenSize size, IReadOnlyList<AccessibleText> texts, IReadOnlyList<Rect>? ocrRegions = null)
    {
        var clock = Stopwatch.StartNew();
        var run = new Run();
        try
        {
            if (size.Width <= 0 || size.Height <= 0 || bgra.Length < (long)size.Width * size.Height * 4)
            {
                return Drop(bgra, size, run, clock, "the buffer is smaller than the screen size says");
            }
            foreach (var text in texts)
            {
                RedactAccessible(bgra, size, text, run);
                if (clock.Elapsed > _options.Timeout)
                {
                    return Drop(bgra, size, run, clock, "timeout redacting accessibility texts");
                }
            }
            if (ocrRegions is { Count: > 0 })
            {
                if (_ocr is null)
                {
                    return Drop(bgra, size, run, clock, "OCR regions were given but there is no OCR engine");
                }
                // Text the accessibility tree gave is not read again: blanked before OCR, and any word centred in it is left out.
                var known = texts.Count == 0 ? null : texts.Select(t => t.Bounds).ToList();
                foreach (var region in ocrRegions)
                {
                    var left = _options.Timeout - clock.Elapsed;
                    if (left <= TimeSpan.Zero)
                    {
                        return Drop(bgra, size, run, clock, "timeout before OCR");
                    }
                    var ocrStart = clock.Elapsed;
                    IReadOnlyList<OcrWord> words;
                    try
                    {
                        words = _ocr.Recognize(bgra, size, region, left, known);
                    }
                    catch (OcrTimeoutException)
                    {
                        run.OcrTime += clock.Elapsed - ocrStart;
                        return Drop(bgra, size, run, clock, "timeout in OCR");
                    }
                    run.OcrTime += clock.Elapsed - ocrStart;
                    RedactOcrWords(bgra, size, words, texts, run);
                    if (clock.Elapsed > _options.Timeout)
                    {
                        return Drop(bgra, size, run, clock, "timeout redacting OCR text");
                    }
                }
            }
            return run.Report(FrameVerdict.Keep, null, clock.Elapsed);
        }
#pragma warning disable CA1031 // Fail closed: whatever went wrong, the frame is dropped, never stored half-redacted.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The type only: a message could quote the text being redacted.
            return Drop(bgra, size, run, clock, $"redaction failed ({ex.GetType().Name})");
        }
    }

    private void RedactAccessible(Span<byte> bgra, ScreenSize size, AccessibleText text, Run run)
    {
        run.AccessibleTexts++;
        if (string.IsNullOrEmpty(text.Text))
        {
            return;
        }
        var result = _redactor.Redact(text.Text, TextSource.Screen);
        if (result.FailedClosed)
        {
            run.Count(EntityTypes.Unscanned);
            Fill(bgra, size, text.Bounds, run);
            return;
        }
        var boxes = text.CharBoxes is { } chars && chars.Count == text.Text.Length ? chars : null;
        foreach (var span in result.Spans)
        {
            run.Count(span.Type);
            var filled = false;
            if (boxes is not null)
            {
                foreach (var box in UnionPerLine(boxes, Math.Max(0, span.Start), Math.Min(span.End, boxes.Count)))
                {
                    Fill(bgra, size, box, run);
                    filled = true;
                }
            }
            if (!filled)
            {
                Fill(bgra, size, text.Bounds, run);
            }
        }
    }

    private void RedactOcrWords(Span<byte> bgra, ScreenSize size, IReadOnlyList<OcrWord> words, IReadOnlyList<AccessibleText> texts, Run run)
    {
        var uncovered = texts.Count == 0 ? words : words.Where(w => !texts.Any(t => Contains(t.Bounds, Center(w.Bounds)))).ToList();
        run.OcrWords += uncovered.Count;
        foreach (var line in OcrLines.Build(uncovered))
        {
            run.OcrLines++;
            var result = _redactor.Redact(line.Text, TextSource.Screen);
            if (result.FailedClosed)
            {
                run.Count(EntityTypes.Unscanned);
                foreach (var word in line.Words)
                {
                    Fill(bgra, size, word.Box, run);
                }
                continue;
            }
            foreach (var span in result.Spans)
            {
                run.Count(span.Type);
                foreach (var box in line.BoxesOf(span.Start, span.End))
                {
                    Fill(bgra, size, box, run);
                }
            }
        }
    }

    /// <summary>The union of the non-empty boxes of chars <paramref name="start"/>..<paramref name="end"/>, one rectangle per line they sit on.</summary>
    internal static List<Rect> UnionPerLine(IReadOnlyList<Rect> boxes, int start, int end)
    {
        var lines = new List<Rect>();
        Rect? current = null;
        for (var i = start; i < end; i++)
        {
            var box = boxes[i];
            if (box.Width <= 0 || box.Height <= 0)
            {
                continue;
            }
            if (current is { } c)
            {
                var centerY = box.Y + (box.Height / 2);
                var sameLine = centerY >= c.Y && centerY < c.Y + c.Height && box.X + box.Width > c.X - box.Height;
                if (sameLine)
                {
                    current = Union(c, box);
                    continue;
                }
                lines.Add(c);
            }
            current = box;
        }
        if (current is { } last)
        {
            lines.Add(last);
        }
        return lines;
    }

    private void Fill(Span<byte> bgra, ScreenSize size, Rect box, Run run)
    {
        var p = _options.Padding;
        var padded = new Rect(box.X - p, box.Y - p, box.Width + (2 * p), box.Height + (2 * p));
        PixelMask.Fill(bgra, size, padded, _options.Fill);
        run.Filled.Add(padded);
    }

    private FrameRedactionReport Drop(Span<byte> bgra, ScreenSize size, Run run, Stopwatch clock, string reason)
    {
        if (size.Width > 0 && size.Height > 0 && bgra.Length >= (long)size.Width * size.Height * 4)
        {
            PixelMask.FillAll(bgra, size, _options.Fill);
        }
        else
        {
            bgra.Clear();
        }
        return run.Report(FrameVerdict.Drop, reason, clock.Elapsed);
    }

    private static Rect Union(Rect a, Rect b)
    {
        var x0 = Math.Min(a.X, b.X);
        var y0 = Math.Min(a.Y, b.Y);
        var x1 = Math.Max(a.X + a.Width, b.X + b.Width);
        var y1 = Math.Max(a.Y + a.Height, b.Y + b.Height);
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }

    private static (int X, int Y) Center(Rect r) => (r.X + (r.Width / 2), r.Y + (r.Height / 2));

    private static bool Contains(Rect r, (int X, int Y) p) =>
        p.X >= r.X && p.X < r.X + r.Width && p.Y >= r.Y && p.Y < r.Y + r.Height;

    /// <summary>What one call has done so far.</summary>
    private sealed class Run
    {
        public readonly List<Rect> Filled = [];
        public readonly Dictionary<string, int> Types = new(StringComparer.Ordinal);
        public int AccessibleTexts;
        public int OcrWords;
        public int OcrLines;
        public TimeSpan OcrTime;

        public void Count(string type) => Types[type] = Types.GetValueOrDefault(type) + 1;

        public FrameRedactionReport Report(FrameVerdict verdict, string? reason, TimeSpan elapsed) =>
            new(verdict, reason, Filled, Types, AccessibleTexts, OcrWords, OcrLines, OcrTime, elapsed);
    }
}
