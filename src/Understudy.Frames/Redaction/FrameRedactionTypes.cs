using Understudy.Core.Model;
using Understudy.Frames.Masking;

namespace Understudy.Frames.Redaction;

/// <summary>
/// A text the accessibility tree says is on the screen: its string, the bounds of the element
/// showing it, and, when the toolkit gives them, one box per UTF-16 char of <see cref="Text"/>
/// (empty boxes for chars not drawn, e.g. line breaks). Without char boxes, or with a count that
/// does not match the text, a flagged text is masked over its whole bounds.
/// </summary>
public sealed record AccessibleText(string Text, Rect Bounds, IReadOnlyList<Rect>? CharBoxes = null);

/// <summary>How a frame is redacted.</summary>
public sealed record FrameRedactionOptions
{
    /// <summary>The whole budget of one frame (accessibility texts, OCR, redaction of OCR lines). Beyond it the frame is dropped.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Pixels added on every side of a filled box: anti-aliased glyph edges and OCR boxes that sit tight on ink.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>The fill, as stored bytes B,G,R,A.</summary>
    public uint Fill { get; init; } = PixelMask.DefaultFill;
}

public enum FrameVerdict
{
    /// <summary>Every flagged text was filled: the buffer may be stored.</summary>
    Keep,

    /// <summary>Redaction failed or ran out of time: the frame must not be stored (the buffer has been filled whole).</summary>
    Drop,
}

/// <summary>
/// What <see cref="FrameTextRedactor.Redact"/> did. Holds no text: only counts, types, boxes and times.
/// </summary>
public sealed record FrameRedactionReport(
    FrameVerdict Verdict,
    string? DropReason,
    IReadOnlyList<Rect> Filled,
    IReadOnlyDictionary<string, int> SpansByType,
    int AccessibleTexts,
    int OcrWords,
    int OcrLines,
    TimeSpan OcrTime,
    TimeSpan Elapsed)
{
    public bool MustDrop => Verdict == FrameVerdict.Drop;

    public int RegionsFilled => Filled.Count;
}
