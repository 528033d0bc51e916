using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>The few GLib/GObject entry points libatspi's API needs around it (memory, errors, the main context).</summary>
internal static unsafe partial class GLib
{
    /// <summary>G_TYPE_STRING: the fundamental type id 16 shifted by G_TYPE_FUNDAMENTAL_SHIFT (2).</summary>
    public const nuint GTypeString = 16 << 2;

    [LibraryImport(NativeLibraries.GLib)]
    public static partial void g_free(nint memory);

    /// <summary>Replaces the handler of every g_log message not caught by a domain handler; returns the old one.</summary>
    [LibraryImport(NativeLibraries.GLib)]
    public static partial nint g_log_set_default_handler(delegate* unmanaged<nint, int, nint, nint, void> handler, nint userData);

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

    /// <summary>G_TYPE_STRING: the fundamental type of a GValue holding a string.</summary>
    public const nuint TypeString = 16 << 2;

    /// <summary>The string a GValue of <see cref="TypeString"/> holds (owned by the value).</summary>
    [LibraryImport(NativeLibraries.GObject)]
    public static unsafe partial nint g_value_get_string(GValue* value);

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

/// <summary>libdbus: whether libatspi's bus connection is still up, and whether a bus answers at an address at all.</summary>
internal static unsafe partial class DBus
{
    [LibraryImport(NativeLibraries.DBus)]
    public static partial int dbus_connection_get_is_connected(nint connection);

    [LibraryImport(NativeLibraries.DBus, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint dbus_connection_open_private(string address, DBusError* error);

    [LibraryImport(NativeLibraries.DBus)]
    public static partial void dbus_connection_close(nint connection);

    [LibraryImport(NativeLibraries.DBus)]
    public static partial void dbus_connection_unref(nint connection);

    [LibraryImport(NativeLibraries.DBus)]
    public static partial void dbus_error_init(DBusError* error);

    [LibraryImport(NativeLibraries.DBus)]
    public static partial void dbus_error_free(DBusError* error);

    /// <summary>Opens and closes a private connection: true if something accepts connections at <paramref name="address"/>.</summary>
    public static bool CanConnect(string address)
    {
        DBusError error;
        dbus_error_init(&error);
        var connection = dbus_connection_open_private(address, &error);
        dbus_error_free(&error);
        if (connection == 0)
        {
            return false;
        }
        dbus_connection_close(connection);
        dbus_connection_unref(connection);
        return true;
    }

    /// <summary>DBusError: name, message, a word of flag bits, and padding (sized generously).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DBusError
    {
        public nint Name;
        public nint Message;
        public nint Bits;
        public nint Padding;
        public nint Reserved0;
        public nint Reserved1;
    }
}
