using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>MIT-SHM from libXext: the server writes screen pixels straight into memory we share with it.</summary>
internal static unsafe partial class XShm
{
    public const int ZPixmap = 2;
    public const int LSBFirst = 0;

    [LibraryImport(NativeLibraries.Xext)]
    public static partial int XShmQueryExtension(nint display);

    [LibraryImport(NativeLibraries.Xext)]
    public static partial XImage* XShmCreateImage(nint display, nint visual, uint depth, int format, nint data, XShmSegmentInfo* segment, uint width, uint height);

    [LibraryImport(NativeLibraries.Xext)]
    public static partial int XShmAttach(nint display, XShmSegmentInfo* segment);

    [LibraryImport(NativeLibraries.Xext)]
    public static partial int XShmDetach(nint display, XShmSegmentInfo* segment);

    [LibraryImport(NativeLibraries.Xext)]
    public static partial int XShmGetImage(nint display, nuint drawable, XImage* image, int x, int y, nuint planeMask);
}

/// <summary>XShmSegmentInfo (32 bytes on LP64). Xlib keeps a pointer to it in the image, so it must not move.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XShmSegmentInfo
{
    public nuint ShmSeg;
    public int ShmId;
    public nint ShmAddr;
    public int ReadOnly;
}

/// <summary>XImage as laid out on LP64 (data at 16, bytes_per_line at 44, masks from 56, destroy_image at 96).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XImage
{
    public int Width;
    public int Height;
    public int XOffset;
    public int Format;
    public nint Data;
    public int ByteOrder;
    public int BitmapUnit;
    public int BitmapBitOrder;
    public int BitmapPad;
    public int Depth;
    public int BytesPerLine;
    public int BitsPerPixel;
    public nuint RedMask;
    public nuint GreenMask;
    public nuint BlueMask;
    public nint ObData;
    public nint CreateImage;

    // XDestroyImage is a macro over this pointer; for shared-memory images it frees the struct only.
    public delegate* unmanaged<XImage*, int> DestroyImage;
    public nint GetPixel;
    public nint PutPixel;
    public nint SubImage;
    public nint AddPixel;
}

internal static unsafe partial class Xlib
{
    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XDefaultVisual(nint display, int screen);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDefaultDepth(nint display, int screen);
}

internal static unsafe partial class Libc
{
    public const int IPC_PRIVATE = 0;
    public const int IPC_CREAT = 0x200;
    public const int IPC_RMID = 0;

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    public static partial int shmget(int key, nuint size, int flags);

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    public static partial nint shmat(int id, nint address, int flags);

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    public static partial int shmdt(nint address);

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    public static partial int shmctl(int id, int command, nint buffer);
}
