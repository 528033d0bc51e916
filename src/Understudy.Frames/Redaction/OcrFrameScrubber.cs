using Understudy.Core.Model;
using Understudy.Core.Redaction;
using Understudy.Ocr;

namespace Understudy.Frames.Redaction;

/// <summary>Last step before a frame is encoded: finds flagged text in the pixels and fills it. False: the frame must be dropped.</summary>
public interface IFrameScrubber : IDisposable
{
    bool Scrub(Span<byte> pixels, ScreenSize size);
}

/// <summary>
/// OCR redaction of frames (policy <c>frames.ocr</c>): reads the text in the allowed windows with
/// tesseract, gives each line to the text redactor and fills what it flags. Runs on the frame
/// source's encoder thread, which owns the tesseract engine (created on first use there; tesseract
/// is not thread-safe). Over its time budget, or on any fault, the frame is dropped.
/// </summary>
public sealed class OcrFrameScrubber(ITextRedactor redactor, FrameRedactionOptions options, Func<IReadOnlyList<Rect>?> regions, OcrOptions? ocrOptions = null) : IFrameScrubber
{
    private TesseractOcr? _ocr;
    private FrameTextRedactor? _frameRedactor;

    public long FramesScrubbed { get; private set; }

    public long FramesDropped { get; private set; }

    /// <summary>Throws <see cref="OcrUnavailableException"/> (naming the package to install) when OCR cannot run here.</summary>
    public static void EnsureAvailable(OcrOptions? ocrOptions = null)
    {
        using var probe = new TesseractOcr(ocrOptions);
    }

    public bool Scrub(Span<byte> pixels, ScreenSize size)
    {
        try
        {
            _ocr ??= new TesseractOcr(ocrOptions);
            _frameRedactor ??= new FrameTextRedactor(redactor, _ocr, options);
            var area = regions() ?? [new Rect(0, 0, size.Width, size.Height)];
            var report = _frameRedactor.Redact(pixels, size, [], area);
            if (report.MustDrop)
            {
                FramesDropped++;
                return false;
            }
            FramesScrubbed++;
            return true;
        }
        catch (OcrUnavailableException)
        {
            FramesDropped++;
            return false;
        }
    }

    public void Dispose() => _ocr?.Dispose();
}
