using System.Globalization;
using Understudy.Core.Model;
using Understudy.Ocr.Interop;
using static Understudy.Ocr.Interop.Tesseract;

namespace Understudy.Ocr;

/// <summary>
/// Words on the screen, through libtesseract's C API. <b>Not thread-safe</b>: tesseract's base API
/// keeps the image, the layout and the results of the last call in the handle, so an instance
/// belongs to one thread at a time (create one per worker thread; creating one loads the language
/// model, 4 MB on disk and 50–85 ms measured, so keep it). Never logs or prints what it read.
/// </summary>
public sealed unsafe class TesseractOcr : IDisposable
{
    private const int ScreenDpi = 96;
    private static readonly Lock EnvironmentGate = new();
    private static bool _environmentSet;

    private readonly OcrOptions _options;
    private nint _api;
    private byte[] _gray = [];
    private int _busy;

    /// <summary>Loads tesseract and its language data. Throws <see cref="OcrUnavailableException"/> when either is missing.</summary>
    public TesseractOcr(OcrOptions? options = null)
    {
        _options = options ?? new OcrOptions();
        if (!(_options.Scale is > 0 and <= 8))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Scale, "OCR scale must be in (0, 8]");
        }
        DataPath = ResolveDataPath(_options.DataPath);
        var dataFile = Path.Combine(DataPath, _options.Language + ".traineddata");
        if (!File.Exists(dataFile))
        {
            throw new OcrUnavailableException(
                $"OCR: no {_options.Language}.traineddata in {DataPath} (install the Debian package {NativeLibraries.EnglishDataPackage}, or point the OCR data path at a tessdata directory)");
        }
        if (_options.SingleThreaded)
        {
            LimitOpenMpThreads();
        }
        try
        {
            _api = TessBaseAPICreate();
        }
        catch (DllNotFoundException ex)
        {
            throw new OcrUnavailableException($"OCR: {NativeLibraries.Tesseract} cannot be loaded (install the Debian package {NativeLibraries.TesseractPackage})", ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new OcrUnavailableException($"OCR: {NativeLibraries.Tesseract} lacks the C API (install the Debian package {NativeLibraries.TesseractPackage}, tesseract 5)", ex);
        }
        if (_api == 0)
        {
            throw new OcrUnavailableException($"OCR: {NativeLibraries.Tesseract} could not create an engine");
        }
        // The data path ends in a separator: tesseract concatenates it with the file name.
        var dataDir = DataPath.EndsWith('/') ? DataPath : DataPath + "/";
        if (TessBaseAPIInit2(_api, dataDir, _options.Language, OemDefault) != 0)
        {
            TessBaseAPIDelete(_api);
            _api = 0;
            throw new OcrUnavailableException(
                $"OCR: tesseract could not load {dataFile} (reinstall the Debian package {NativeLibraries.EnglishDataPackage})");
        }
        TessBaseAPISetPageSegMode(_api, _options.PageSegMode);
        // Tesseract's diagnostics go nowhere: they could quote what it read.
        _ = TessBaseAPISetVariable(_api, "debug_file", "/dev/null");
        Version = GetVersion();
    }

    /// <summary>The tessdata directory in use.</summary>
    public string DataPath { get; }

    /// <summary>Tesseract's version string, e.g. "5.3.0".</summary>
    public string Version { get; }

    public OcrOptions Options => _options;

    /// <summary>
    /// Recognises the words in <paramref name="region"/> (clipped to the screen) of a B,G,R,A
    /// screen buffer. Boxes are in screen coordinates. Low-confidence words are kept: a redactor
    /// would rather mask a misread word than miss one.
    /// </summary>
    public IReadOnlyList<OcrWord> Recognize(ReadOnlySpan<byte> bgra, ScreenSize size, Rect region) =>
        Recognize(bgra, size, region, null);

    /// <summary>
    /// As <see cref="Recognize(ReadOnlySpan{byte}, ScreenSize, Rect)"/>, and stops tesseract after
    /// <paramref name="timeout"/>: throws <see cref="OcrTimeoutException"/> then (a partial result is never returned).
    /// </summary>
    public IReadOnlyList<OcrWord> Recognize(ReadOnlySpan<byte> bgra, ScreenSize size, Rect region, TimeSpan? timeout) =>
        Recognize(bgra, size, region, timeout, null);

    /// <summary>
    /// As <see cref="Recognize(ReadOnlySpan{byte}, ScreenSize, Rect, TimeSpan?)"/>, with the
    /// <paramref name="exclude"/> rectangles (screen coordinates) painted over with the colour
    /// around them before recognition: text known from elsewhere costs no OCR time and yields no words.
    /// </summary>
    public IReadOnlyList<OcrWord> Recognize(ReadOnlySpan<byte> bgra, ScreenSize size, Rect region, TimeSpan? timeout, IReadOnlyList<Rect>? exclude)
    {
        ObjectDisposedException.ThrowIf(_api == 0, this);
        // Two threads in one tesseract handle corrupt each other's results: refuse rather than misread.
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("a TesseractOcr is used by two threads at once; create one per thread");
        }
        try
        {
            return RecognizeAlone(bgra, size, region, timeout, exclude);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private IReadOnlyList<OcrWord> RecognizeAlone(ReadOnlySpan<byte> bgra, ScreenSize size, Rect region, TimeSpan? timeout, IReadOnlyList<Rect>? exclude)
    {
        if (size.Width <= 0 || size.Height <= 0 || bgra.Length < (long)size.Width * size.Height * 4)
        {
            throw new ArgumentException($"the buffer holds {bgra.Length} bytes, less than a {size.Width}x{size.Height} B,G,R,A screen", nameof(bgra));
        }
        var clipped = Clip(region, size);
        if (clipped.Width < 4 || clipped.Height < 4)
        {
            return [];
        }
        var scale = _options.Scale;
        var (width, height) = GrayImage.ScaledSize(clipped, scale);
        var length = width * height;
        if (_gray.Length < length)
        {
            _gray = GC.AllocateUninitializedArray<byte>(length);
        }
        GrayImage.Convert(bgra, size, clipped, _gray, width, height);
        if (exclude is { Count: > 0 })
        {
            GrayImage.Blank(_gray.AsSpan(0, length), width, height, clipped, scale, exclude);
        }
        var started = Environment.TickCount64;
        fixed (byte* gray = _gray)
        {
            TessBaseAPISetImage(_api, gray, width, height, 1, width);
        }
        TessBaseAPISetSourceResolution(_api, (int)Math.Round(ScreenDpi * scale));

        nint monitor = 0;
        int status;
        try
        {
            if (timeout is { } limit)
            {
                monitor = TessMonitorCreate();
                TessMonitorSetDeadlineMSecs(monitor, (int)Math.Clamp(limit.TotalMilliseconds, 1, int.MaxValue));
            }
            status = TessBaseAPIRecognize(_api, monitor);
        }
        finally
        {
            if (monitor != 0)
            {
                TessMonitorDelete(monitor);
            }
        }
        if (timeout is { } budget && Environment.TickCount64 - started >= (long)budget.TotalMilliseconds)
        {
            throw new OcrTimeoutException($"OCR of a {clipped.Width}x{clipped.Height} region took longer than {budget.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        }
        if (status != 0)
        {
            throw new InvalidOperationException($"tesseract could not recognise a {clipped.Width}x{clipped.Height} region (status {status})");
        }
        return ReadWords(clipped, scale);
    }

    private List<OcrWord> ReadWords(Rect region, double scale)
    {
        var words = new List<OcrWord>();
        var iterator = TessBaseAPIGetIterator(_api);
        if (iterator == 0)
        {
            return words;
        }
        try
        {
            var page = TessResultIteratorGetPageIterator(iterator);
            var line = -1;
            do
            {
                if (line < 0 || TessPageIteratorIsAtBeginningOf(page, RilTextLine) != 0)
                {
                    line++;
                }
                int left, top, right, bottom;
                if (TessPageIteratorBoundingBox(page, RilWord, &left, &top, &right, &bottom) == 0)
                {
                    continue;
                }
                var text = TakeText(TessResultIteratorGetUTF8Text(iterator, RilWord));
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }
                var confidence = TessResultIteratorConfidence(iterator, RilWord);
                var x0 = region.X + (int)Math.Floor(left / scale);
                var y0 = region.Y + (int)Math.Floor(top / scale);
                var x1 = region.X + (int)Math.Ceiling(right / scale);
                var y1 = region.Y + (int)Math.Ceiling(bottom / scale);
                words.Add(new OcrWord(text.Trim(), new Rect(x0, y0, Math.Max(1, x1 - x0), Math.Max(1, y1 - y0)), confidence, line));
            }
            while (TessResultIteratorNext(iterator, RilWord) != 0);
        }
        finally
        {
            TessResultIteratorDelete(iterator);
        }
        return words;
    }

    public void Dispose()
    {
        if (_api != 0)
        {
            TessBaseAPIEnd(_api);
            TessBaseAPIDelete(_api);
            _api = 0;
        }
        _gray = [];
    }

    internal static Rect Clip(Rect region, ScreenSize size)
    {
        var x0 = Math.Clamp(region.X, 0, size.Width);
        var y0 = Math.Clamp(region.Y, 0, size.Height);
        var x1 = (int)Math.Clamp((long)region.X + region.Width, 0, size.Width);
        var y1 = (int)Math.Clamp((long)region.Y + region.Height, 0, size.Height);
        return new Rect(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }

    private static string ResolveDataPath(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        var prefix = Environment.GetEnvironmentVariable("TESSDATA_PREFIX");
        return string.IsNullOrEmpty(prefix) ? NativeLibraries.DefaultTessdata : prefix;
    }

    private static string GetVersion()
    {
        var text = TessVersion();
        return text == 0 ? "unknown" : System.Runtime.InteropServices.Marshal.PtrToStringUTF8(text) ?? "unknown";
    }

    private static void LimitOpenMpThreads()
    {
        lock (EnvironmentGate)
        {
            if (_environmentSet)
            {
                return;
            }
            _environmentSet = true;
            // libgomp reads this when it loads, which is when libtesseract first loads: before our first call into it.
            if (Environment.GetEnvironmentVariable("OMP_THREAD_LIMIT") is null)
            {
                _ = Libc.setenv("OMP_THREAD_LIMIT", "1", 0);
            }
        }
    }
}
