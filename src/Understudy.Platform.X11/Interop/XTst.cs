using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>libXtst: the RECORD extension (global input stream) and XTEST (synthetic input).</summary>
internal static unsafe partial class XTst
{
    public const nuint XRecordAllClients = 3;

    public const int XRecordFromServer = 0;
    public const int XRecordFromClient = 1;
    public const int XRecordStartOfData = 4;

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XRecordQueryVersion(nint display, out int major, out int minor);

    /// <summary>Returns a zeroed 32-byte XRecordRange; free with XFree.</summary>
    [LibraryImport(NativeLibraries.Xtst)]
    public static partial byte* XRecordAllocRange();

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial nuint XRecordCreateContext(nint display, int datumFlags, nuint* clients, int clientCount, byte** ranges, int rangeCount);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XRecordEnableContext(nint display, nuint context, delegate* unmanaged<nint, nint, void> callback, nint closure);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XRecordDisableContext(nint display, nuint context);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XRecordFreeContext(nint display, nuint context);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial void XRecordFreeData(nint data);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XTestQueryExtension(nint display, out int eventBase, out int errorBase, out int major, out int minor);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XTestFakeKeyEvent(nint display, uint keycode, int isPress, nuint delay);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XTestFakeButtonEvent(nint display, uint button, int isPress, nuint delay);

    [LibraryImport(NativeLibraries.Xtst)]
    public static partial int XTestFakeMotionEvent(nint display, int screen, int x, int y, nuint delay);
}

/// <summary>Byte offsets inside Xlib/XRecord structures we read through pointers (LP64).</summary>
internal static class XRecordLayout
{
    // XRecordRange
    public const int CoreRequestsFirst = 0;
    public const int CoreRequestsLast = 1;
    public const int DeviceEventsFirst = 18;
    public const int DeviceEventsLast = 19;

    // XRecordInterceptData
    public const int Category = 24;
    public const int Data = 32;
    public const int DataLength = 40;
}
