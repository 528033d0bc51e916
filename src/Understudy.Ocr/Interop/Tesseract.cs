using System.Runtime.InteropServices;

namespace Understudy.Ocr.Interop;

/// <summary>
/// The part of tesseract's C API (capi.h) we use. Handles are opaque pointers; BOOL is a C int;
/// strings are UTF-8. Text returned by the library is freed with <see cref="TessDeleteText"/>.
/// </summary>
internal static unsafe partial class Tesseract
{
    // TessOcrEngineMode
    public const int OemDefault = 3;

    // TessPageSegMode
    public const int PsmAuto = 3;
    public const int PsmSingleBlock = 6;
    public const int PsmSparseText = 11;

    // TessPageIteratorLevel
    public const int RilBlock = 0;
    public const int RilParagraph = 1;
    public const int RilTextLine = 2;
    public const int RilWord = 3;
    public const int RilSymbol = 4;

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessVersion();

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessBaseAPICreate();

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPIDelete(nint api);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPIEnd(nint api);

    /// <summary>0 on success. <paramref name="dataPath"/> is the tessdata directory itself.</summary>
    [LibraryImport(NativeLibraries.Tesseract, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TessBaseAPIInit2(nint api, string dataPath, string language, int oem);

    [LibraryImport(NativeLibraries.Tesseract, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TessBaseAPISetVariable(nint api, string name, string value);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPISetPageSegMode(nint api, int mode);

    /// <summary>Copies the image: the buffer may be reused once this returns.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPISetImage(nint api, byte* imageData, int width, int height, int bytesPerPixel, int bytesPerLine);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPISetSourceResolution(nint api, int ppi);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessBaseAPISetRectangle(nint api, int left, int top, int width, int height);

    /// <summary>0 on success; non-zero when recognition failed or the monitor's deadline cut it short.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial int TessBaseAPIRecognize(nint api, nint monitor);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessBaseAPIGetIterator(nint api);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessResultIteratorDelete(nint iterator);

    /// <summary>Borrowed: the page iterator belongs to the result iterator.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessResultIteratorGetPageIterator(nint iterator);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial int TessResultIteratorNext(nint iterator, int level);

    /// <summary>A new string (free with <see cref="TessDeleteText"/>), or null.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessResultIteratorGetUTF8Text(nint iterator, int level);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial float TessResultIteratorConfidence(nint iterator, int level);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial int TessPageIteratorIsAtBeginningOf(nint pageIterator, int level);

    /// <summary>Right and bottom are exclusive, in the coordinates of the image given to SetImage.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial int TessPageIteratorBoundingBox(nint pageIterator, int level, int* left, int* top, int* right, int* bottom);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessDeleteText(nint text);

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial nint TessMonitorCreate();

    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessMonitorDelete(nint monitor);

    /// <summary>Recognition stops once this many milliseconds from now have passed.</summary>
    [LibraryImport(NativeLibraries.Tesseract)]
    public static partial void TessMonitorSetDeadlineMSecs(nint monitor, int deadlineMs);

    /// <summary>Takes a string the library allocated, and frees it.</summary>
    public static string? TakeText(nint utf8)
    {
        if (utf8 == 0)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(utf8);
        }
        finally
        {
            TessDeleteText(utf8);
        }
    }
}

internal static partial class Libc
{
    /// <summary>Sets a variable in the process's native environment (the managed copy .NET keeps is not what native libraries read).</summary>
    [LibraryImport(NativeLibraries.Libc, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int setenv(string name, string value, int overwrite);
}
