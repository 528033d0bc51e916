using Understudy.Core.Model;

namespace Understudy.Ocr;

/// <summary>
/// One recognised word: its text, its box in screen coordinates, tesseract's confidence (0–100)
/// and the index of the text line it belongs to (0, 1, … in reading order within one
/// <see cref="TesseractOcr.Recognize(ReadOnlySpan{byte}, ScreenSize, Rect)"/> call), so that callers can rebuild lines.
/// </summary>
public sealed record OcrWord(string Text, Rect Bounds, float Confidence, int Line);

/// <summary>How tesseract is set up. The defaults were measured on 14–16 px sans screen text (see docs/frame-redaction.md).</summary>
public sealed record OcrOptions
{
    /// <summary>The tessdata directory (holding <c>eng.traineddata</c>); null: <c>$TESSDATA_PREFIX</c>, else Debian's <c>/usr/share/tesseract-ocr/5/tessdata</c>.</summary>
    public string? DataPath { get; init; }

    public string Language { get; init; } = "eng";

    /// <summary>
    /// The screen region is scaled by this before recognition (bilinear, on the grayscale copy).
    /// Screen text at 96 dpi is small for tesseract, which is trained on ~300 dpi print: 2 finds
    /// small text that 1 misses, at about three times the cost.
    /// </summary>
    public double Scale { get; init; } = 2.0;

    /// <summary>Tesseract's page segmentation mode; 11 (sparse text) suits screens: scattered labels and fields, no paragraphs.</summary>
    public int PageSegMode { get; init; } = 11;

    /// <summary>
    /// Limit tesseract's OpenMP loops to the calling thread (sets <c>OMP_THREAD_LIMIT=1</c> in the
    /// native environment before the library loads, unless it is already set). Tesseract otherwise
    /// starts many threads per recognition, which a recorder on a shared machine must not do.
    /// </summary>
    public bool SingleThreaded { get; init; } = true;
}

/// <summary>OCR cannot run on this machine: the library or the language data is missing or broken. The message names the package to install.</summary>
public sealed class OcrUnavailableException : Exception
{
    public OcrUnavailableException(string message)
        : base(message)
    {
    }

    public OcrUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public OcrUnavailableException()
    {
    }
}

/// <summary>Recognition did not finish within the deadline it was given; its partial result is discarded.</summary>
public sealed class OcrTimeoutException : TimeoutException
{
    public OcrTimeoutException(string message)
        : base(message)
    {
    }

    public OcrTimeoutException()
    {
    }

    public OcrTimeoutException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
