using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>libX11 entry points. X ids (Window, Atom, KeySym) are C <c>unsigned long</c>: <see cref="nuint"/>.</summary>
internal static unsafe partial class Xlib
{
    public const int Success = 0;
    public const int PropertyNotify = 28;
    public const int MappingNotify = 34;
    public const long PropertyChangeMask = 1L << 22;
    public const long StructureNotifyMask = 1L << 17;
    public const nuint AnyPropertyType = 0;
    public const nuint XA_WINDOW = 33;
    public const nuint XA_CARDINAL = 6;
    public const nuint XA_STRING = 31;

    /// <summary>Size of the XEvent union on LP64.</summary>
    public const int XEventSize = 192;

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XInitThreads();

    [LibraryImport(NativeLibraries.X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint XOpenDisplay(string? displayName);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XCloseDisplay(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nuint XDefaultRootWindow(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDefaultScreen(nint display);

    /// <summary>The RESOURCE_MANAGER string (xrdb) as of connection time, or null. Owned by Xlib: do not free.</summary>
    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XResourceManagerString(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDisplayWidth(nint display, int screen);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDisplayHeight(nint display, int screen);

    [LibraryImport(NativeLibraries.X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nuint XInternAtom(nint display, string atomName, int onlyIfExists);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XGetWindowProperty(
        nint display, nuint window, nuint property, nint longOffset, nint longLength, int delete, nuint reqType,
        out nuint actualType, out int actualFormat, out nuint itemCount, out nuint bytesAfter, out nint data);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XFree(nint data);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XSelectInput(nint display, nuint window, nint eventMask);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XPending(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XNextEvent(nint display, byte* eventReturn);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XConnectionNumber(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XGetClassHint(nint display, nuint window, XClassHint* classHint);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XGetGeometry(
        nint display, nuint drawable, out nuint root, out int x, out int y, out uint width, out uint height, out uint borderWidth, out uint depth);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XTranslateCoordinates(
        nint display, nuint sourceWindow, nuint destinationWindow, int sourceX, int sourceY, out int destinationX, out int destinationY, out nuint child);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XSetErrorHandler(delegate* unmanaged<nint, nint, int> handler);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XSetIOErrorHandler(delegate* unmanaged<nint, int> handler);

    /// <summary>libX11 ≥ 1.7: called instead of exit() when the connection breaks, so we can close the session cleanly.</summary>
    [LibraryImport(NativeLibraries.X11)]
    public static partial void XSetIOErrorExitHandler(nint display, delegate* unmanaged<nint, nint, void> handler, nint userData);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nuint* XGetKeyboardMapping(nint display, byte firstKeycode, int keycodeCount, out int keysymsPerKeycode);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDisplayKeycodes(nint display, out int minKeycode, out int maxKeycode);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XChangeKeyboardMapping(nint display, int firstKeycode, int keysymsPerKeycode, nuint* keysyms, int keycodeCount);

    [LibraryImport(NativeLibraries.X11)]
    public static partial XModifierKeymap* XGetModifierMapping(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XFreeModifiermap(XModifierKeymap* modmap);

    /// <summary>Returns a pointer to a static string owned by Xlib (do not free), or null.</summary>
    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XKeysymToString(nuint keysym);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XSync(nint display, int discard);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XFlush(nint display);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XLookupString(XKeyEvent* keyEvent, byte* buffer, int bufferLength, nuint* keysymReturn, nint composeStatus);

    [LibraryImport(NativeLibraries.X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XQueryExtension(nint display, string name, out int majorOpcode, out int firstEvent, out int firstError);

    /// <summary>Tells Xlib to refresh its copy of the keyboard map after a MappingNotify event.</summary>
    [LibraryImport(NativeLibraries.X11)]
    public static partial int XRefreshKeyboardMapping(byte* mappingEvent);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nuint XCreateSimpleWindow(nint display, nuint parent, int x, int y, uint width, uint height, uint borderWidth, nuint border, nuint background);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDestroyWindow(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XChangeProperty(nint display, nuint window, nuint property, nuint type, int format, int mode, byte* data, int elementCount);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XKeysymToKeycode(nint display, nuint keysym);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XGetWindowAttributes(nint display, nuint window, XWindowAttributes* attributes);

    public const int IsViewable = 2;

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XGrabKey(nint display, int keycode, uint modifiers, nuint grabWindow, int ownerEvents, int pointerMode, int keyboardMode);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XUngrabKey(nint display, int keycode, uint modifiers, nuint grabWindow);

    [LibraryImport(NativeLibraries.X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nuint XStringToKeysym(string name);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XMapRaised(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XRaiseWindow(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XChangeWindowAttributes(nint display, nuint window, nuint valueMask, XSetWindowAttributes* attributes);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XSetWindowBackground(nint display, nuint window, nuint backgroundPixel);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XClearWindow(nint display, nuint window);

    [LibraryImport(NativeLibraries.X11)]
    public static partial nint XCreateGC(nint display, nuint drawable, nuint valueMask, nint values);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XFreeGC(nint display, nint gc);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XSetForeground(nint display, nint gc, nuint pixel);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XDrawString(nint display, nuint drawable, nint gc, int x, int y, byte* text, int length);

    [LibraryImport(NativeLibraries.X11, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XStoreName(nint display, nuint window, string name);

    [LibraryImport(NativeLibraries.X11)]
    public static partial int XSetClassHint(nint display, nuint window, XClassHint* classHint);

    public const int GrabModeAsync = 1;
    public const int KeyPress = 2;
    public const int Expose = 12;
    public const nint KeyPressMask = 1 << 0;
    public const nint ExposureMask = 1 << 15;
    public const nuint CWOverrideRedirect = 1 << 9;
    public const uint ShiftMask = 1 << 0;
    public const uint LockMask = 1 << 1;
    public const uint ControlMask = 1 << 2;
    public const uint Mod1Mask = 1 << 3;
    public const uint Mod2Mask = 1 << 4;
    public const uint Mod4Mask = 1 << 6;
}

/// <summary>XSetWindowAttributes (112 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XSetWindowAttributes
{
    public nuint BackgroundPixmap;
    public nuint BackgroundPixel;
    public nuint BorderPixmap;
    public nuint BorderPixel;
    public int BitGravity;
    public int WinGravity;
    public int BackingStore;
    public nuint BackingPlanes;
    public nuint BackingPixel;
    public int SaveUnder;
    public nint EventMask;
    public nint DoNotPropagateMask;
    public int OverrideRedirect;
    public nuint Colormap;
    public nuint Cursor;
}

/// <summary>XWindowAttributes (136 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XWindowAttributes
{
    public int X;
    public int Y;
    public int Width;
    public int Height;
    public int BorderWidth;
    public int Depth;
    public nint Visual;
    public nuint Root;
    public int Class;
    public int BitGravity;
    public int WinGravity;
    public int BackingStore;
    public nuint BackingPlanes;
    public nuint BackingPixel;
    public int SaveUnder;
    public nuint Colormap;
    public int MapInstalled;
    public int MapState;
    public nint AllEventMasks;
    public nint YourEventMask;
    public nint DoNotPropagateMask;
    public int OverrideRedirect;
    public nint Screen;
}

[StructLayout(LayoutKind.Sequential)]
internal struct XClassHint
{
    public nint ResName;
    public nint ResClass;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XModifierKeymap
{
    public int MaxKeysPerModifier;
    public byte* ModifierMap;
}

/// <summary>XKeyEvent (96 bytes on LP64); only used to ask XLookupString as a reference.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XKeyEvent
{
    public int Type;
    public nuint Serial;
    public int SendEvent;
    public nint Display;
    public nuint Window;
    public nuint Root;
    public nuint Subwindow;
    public nuint Time;
    public int X;
    public int Y;
    public int XRoot;
    public int YRoot;
    public uint State;
    public uint Keycode;
    public int SameScreen;
}
