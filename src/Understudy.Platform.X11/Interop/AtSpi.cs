using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>
/// libatspi (at-spi2-core) entry points. Every call must come from the one thread that owns the
/// library (it is not thread-safe). Objects are GObjects (release with g_object_unref), strings
/// are gchar* (release with g_free), and calls that talk to an application take a GError**.
/// </summary>
internal static unsafe partial class AtSpi
{
    /// <summary>ATSPI_COORD_TYPE_SCREEN.</summary>
    public const int CoordTypeScreen = 0;

    /// <summary>ATSPI_RELATION_LABELLED_BY.</summary>
    public const int RelationLabelledBy = 2;

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_init();

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_exit();

    /// <summary>Timeouts in milliseconds for calls to applications, and for applications still starting up.</summary>
    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial void atspi_set_timeout(int timeoutMs, int startupTimeMs);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_get_a11y_bus();

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_get_desktop(int index);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_accessible_get_child_count(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_child_at_index(nint accessible, int index, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_parent(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_name(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_role_name(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_state_set(nint accessible);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_application(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_toolkit_name(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial uint atspi_accessible_get_process_id(nint accessible, GLib.GError** error);

    /// <summary>A GArray of AtspiRelation* (each to be unreffed), or null.</summary>
    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial GLib.GArray* atspi_accessible_get_relation_set(nint accessible, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_component_iface(nint accessible);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_selection_iface(nint accessible);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_value_iface(nint accessible);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial void atspi_accessible_clear_cache(nint accessible);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_accessible_get_text_iface(nint accessible);

    /// <summary>A gchar* to free with g_free. Only ever called on label elements, never on input fields.</summary>
    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_text_get_text(nint text, int startOffset, int endOffset, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_component_get_accessible_at_point(nint component, int x, int y, int coordType, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_component_contains(nint component, int x, int y, int coordType, GLib.GError** error);

    /// <summary>An AtspiRect* to free with g_free.</summary>
    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial AtspiRect* atspi_component_get_extents(nint component, int coordType, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_state_set_contains(nint stateSet, int state);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_relation_get_relation_type(nint relation);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_relation_get_n_targets(nint relation);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_relation_get_target(nint relation, int index);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial int atspi_selection_get_n_selected_children(nint selection, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_selection_get_selected_child(nint selection, int index, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial double atspi_value_get_current_value(nint value, GLib.GError** error);

    /// <summary>The callback receives an AtspiEvent* it owns (free with g_boxed_free(atspi_event_get_type(), …)).</summary>
    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nint atspi_event_listener_new(delegate* unmanaged<nint, nint, void> callback, nint userData, nint callbackDestroyed);

    [LibraryImport(NativeLibraries.AtSpi, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int atspi_event_listener_register(nint listener, string eventType, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int atspi_event_listener_deregister(nint listener, string eventType, GLib.GError** error);

    [LibraryImport(NativeLibraries.AtSpi)]
    public static partial nuint atspi_event_get_type();

    [StructLayout(LayoutKind.Sequential)]
    public struct AtspiRect
    {
        public int X;
        public int Y;
        public int Width;
        public int Height;
    }

    /// <summary>The leading fields of AtspiEvent (later versions append fields we do not read).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct AtspiEvent
    {
        public nint Type;
        public nint Source;
        public int Detail1;
        public int Detail2;
        public GLib.GValue AnyData;
    }
}
