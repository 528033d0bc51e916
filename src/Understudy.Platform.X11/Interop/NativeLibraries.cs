namespace Understudy.Platform.X11.Interop;

/// <summary>Sonames of the system libraries we bind to, in one place.</summary>
internal static class NativeLibraries
{
    public const string X11 = "libX11.so.6";
    public const string Xtst = "libXtst.so.6";
    public const string Xext = "libXext.so.6";
    public const string XkbCommon = "libxkbcommon.so.0";
    public const string Libc = "libc";
    public const string AtSpi = "libatspi.so.0";
    public const string GLib = "libglib-2.0.so.0";
    public const string GObject = "libgobject-2.0.so.0";
    public const string DBus = "libdbus-1.so.3";
}
