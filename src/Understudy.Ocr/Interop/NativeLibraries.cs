namespace Understudy.Ocr.Interop;

/// <summary>Sonames of the system libraries OCR binds to, in one place, with the Debian packages that ship them.</summary>
internal static class NativeLibraries
{
    public const string Tesseract = "libtesseract.so.5";
    public const string TesseractPackage = "libtesseract5";

    public const string Libc = "libc";

    /// <summary>The Debian package with the English traineddata, and where it puts it.</summary>
    public const string EnglishDataPackage = "tesseract-ocr-eng";
    public const string DefaultTessdata = "/usr/share/tesseract-ocr/5/tessdata";
}
