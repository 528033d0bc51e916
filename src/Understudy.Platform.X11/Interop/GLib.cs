using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>The few GLib/GObject entry points libatspi's API needs around it (memory, errors, the main context).</summary>
internal static unsafe partial class GLib
{
    /// <summary>G_TYPE_STRING: the fundamental type id 16 shifted by G_TYPE_FUNDAMENTAL_SHIFT (2).</summary>
    public const nuint GTypeString = 16 << 2;

    [LibraryImport(NativeLibraries.GLib)]
    public static partial void g_free(nint memory);

    [LibraryImport(NativeLibraries.GLib)]
    public static partial void g_error_free(GError* error);

    [LibraryImport(NativeLibraries.GLib)]
    public static partial nint g_main_context_default();

    [LibraryImport(NativeLibraries.GLib)]
    public static partial int g_main_context_iteration(nint context, int mayBlock);

    /// <summary>Thread-safe: makes a blocked <see cref="g_main_context_iteration"/> return.</summary>
    [LibraryImport(NativeLibraries.GLib)]
    public static partial void g_main_context_wakeup(nint context);

    [LibraryImport(NativeLibraries.GLib)]
    public static partial nint g_array_free(GArray* array, int freeSegment);

    [LibraryImport(NativeLibraries.GObject)]
    public static partial void g_object_unref(nint instance);

    [LibraryImport(NativeLibraries.GObject)]
    public static partial nint g_object_ref(nint instance);

    [LibraryImport(NativeLibraries.GObject)]
    public static partial void g_boxed_free(nuint boxedType, nint boxed);

    /// <summary>Takes a gchar* the callee handed over, and frees it.</summary>
    public static string? TakeString(nint utf8)
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
            g_free(utf8);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct GError
    {
        public uint Domain;
        public int Code;
        public nint Message;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct GArray
    {
        public nint Data;
        public uint Length;
    }

    /// <summary>A GValue: its type, then two 8-byte data slots.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GValue
    {
        public nuint Type;
        public nint Data0;
        public nint Data1;
    }
}

/// <summary>libdbus, only to ask whether libatspi's bus connection is still up.</summary>
internal static partial class DBus
{
    [LibraryImport(NativeLibraries.DBus)]
    public static partial int dbus_connection_get_is_connected(nint connection);
}
