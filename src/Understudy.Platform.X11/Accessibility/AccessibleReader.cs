using System.Diagnostics;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Accessibility;

/// <summary>An application did not answer within the call timeout (hung, stopped, or busy).</summary>
internal sealed class AccessibleTimeoutException(int? pid) : Exception("an accessibility call timed out")
{
    public int? Pid { get; } = pid;
}

/// <summary>
/// Reads elements through libatspi: hit tests and descriptions. Used only from the accessibility
/// thread. Reads names, labels, roles and states — never text contents.
/// </summary>
internal sealed unsafe class AccessibleReader(TimeSpan callTimeout)
{
    private const int MaxPathLength = 12;
    private const int MaxDescent = 32;

    private static readonly (int State, string Name)[] StateNames =
    [
        (1, "active"),
        (4, "checked"),
        (7, "editable"),
        (8, "enabled"),
        (9, "expandable"),
        (10, "expanded"),
        (11, "focusable"),
        (12, "focused"),
        (16, "modal"),
        (17, "multi_line"),
        (18, "multiselectable"),
        (20, "pressed"),
        (22, "selectable"),
        (23, "selected"),
        (24, "sensitive"),
        (25, "showing"),
        (26, "single_line"),
        (30, "visible"),
        (32, "indeterminate"),
        (33, "required"),
        (36, "invalid_entry"),
        (41, "checkable"),
        (42, "has_popup"),
        (43, "read_only"),
    ];

    private static readonly HashSet<string> WindowRoles = new(StringComparer.Ordinal) { "frame", "window", "dialog", "alert", "file chooser" };

    // libatspi reports a timed-out call as a generic IPC error; how long the call took tells
    // a hung peer apart from an object that vanished (which fails at once).
    private readonly long _timeoutTicks = (long)(callTimeout.TotalSeconds * Stopwatch.Frequency * 0.8);

    /// <summary>Applications on the bus with their process ids, refreshed when the set of applications changes.</summary>
    private readonly Dictionary<nint, int> _applicationPids = [];

    /// <summary>The deepest element under (x, y) in the applications of <paramref name="pid"/> (all, if null); 0 if none. The caller unrefs it.</summary>
    public nint HitTest(int x, int y, int? pid, Func<int, bool> isHung)
    {
        var desktop = AtSpi.atspi_get_desktop(0);
        if (desktop == 0)
        {
            return 0;
        }
        try
        {
            var apps = Applications(desktop);
            var candidates = pid is { } owner && apps.Any(a => a.Pid == owner) ? apps.Where(a => a.Pid == owner) : apps;
            foreach (var (app, appPid) in candidates.Reverse())
            {
                if (isHung(appPid))
                {
                    continue;
                }
                var found = HitTestApplication(app, appPid, x, y);
                if (found != 0)
                {
                    return found;
                }
            }
            return 0;
        }
        finally
        {
            GLib.g_object_unref(desktop);
        }
    }

    private List<(nint App, int Pid)> Applications(nint desktop)
    {
        var result = new List<(nint, int)>();
        var count = AtSpi.atspi_accessible_get_child_count(desktop, null);
        var seen = new HashSet<nint>();
        for (var i = 0; i < count; i++)
        {
            var app = AtSpi.atspi_accessible_get_child_at_index(desktop, i, null);
            if (app == 0)
            {
                continue;
            }
            seen.Add(app);
            if (!_applicationPids.TryGetValue(app, out var appPid))
            {
                // Keep our reference while the pid is cached, so that the pointer cannot be reused by another object.
                appPid = (int)AtSpi.atspi_accessible_get_process_id(app, null);
                _applicationPids[app] = appPid;
            }
            else
            {
                GLib.g_object_unref(app);
            }
            result.Add((app, appPid));
        }
        foreach (var gone in _applicationPids.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _applicationPids.Remove(gone);
            GLib.g_object_unref(gone);
        }
        return result;
    }

    private nint HitTestApplication(nint app, int pid, int x, int y)
    {
        var windows = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(app, e));
        // Newest windows last: popups (menus, combo lists) sit over their parents.
        for (var i = windows - 1; i >= 0; i--)
        {
            var window = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(app, i, e));
            if (window == 0)
            {
                continue;
            }
            if (!HasState(window, 25) || !Contains(window, pid, x, y))
            {
                GLib.g_object_unref(window);
                continue;
            }
            return Descend(window, pid, x, y);
        }
        return 0;
    }

    private bool Contains(nint accessible, int pid, int x, int y)
    {
        var component = AtSpi.atspi_accessible_get_component_iface(accessible);
        if (component == 0)
        {
            return false;
        }
        try
        {
            return Call(pid, (GLib.GError** e) => AtSpi.atspi_component_contains(component, x, y, AtSpi.CoordTypeScreen, e)) != 0;
        }
        finally
        {
            GLib.g_object_unref(component);
        }
    }

    /// <summary>Takes <paramref name="start"/>'s reference; returns the deepest element at the point (GTK answers one level per call, Chromium the leaf at once).</summary>
    private nint Descend(nint start, int pid, int x, int y)
    {
        var current = start;
        for (var depth = 0; depth < MaxDescent; depth++)
        {
            var component = AtSpi.atspi_accessible_get_component_iface(current);
            if (component == 0)
            {
                break;
            }
            nint child;
            try
            {
                child = Call(pid, (GLib.GError** e) => AtSpi.atspi_component_get_accessible_at_point(component, x, y, AtSpi.CoordTypeScreen, e));
            }
            catch
            {
                GLib.g_object_unref(current);
                throw;
            }
            finally
            {
                GLib.g_object_unref(component);
            }
            if (child == 0)
            {
                break;
            }
            if (child == current)
            {
                // Some toolkits answer with the object itself at the bottom.
                GLib.g_object_unref(child);
                break;
            }
            GLib.g_object_unref(current);
            current = child;
        }
        return current;
    }

    /// <summary>Describes an element; throws <see cref="AccessibleTimeoutException"/> if its application does not answer.</summary>
    public ElementPayload Describe(nint element, long forSeq, string trigger)
    {
        var application = AtSpi.atspi_accessible_get_application(element, null);
        int? pid = null;
        string? appName = null;
        if (application != 0)
        {
            pid = (int)AtSpi.atspi_accessible_get_process_id(application, null);
            appName = GLib.TakeString(AtSpi.atspi_accessible_get_name(application, null));
            GLib.g_object_unref(application);
        }
        var role = RoleName(element, pid) ?? "unknown";
        var name = Name(element, pid);
        var label = Label(element, pid);
        var states = States(element);
        var bounds = Extents(element, pid);
        var path = Path(element, pid);
        return new ElementPayload(forSeq, trigger, role, name, label, states, bounds, appName, pid, path);
    }

    public string? RoleName(nint accessible, int? pid) =>
        GLib.TakeString(Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_role_name(accessible, e)));

    public string? Name(nint accessible, int? pid)
    {
        var name = GLib.TakeString(Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_name(accessible, e)));
        return string.IsNullOrEmpty(name) ? null : name;
    }

    /// <summary>The name of the first LABELLED_BY target, or null.</summary>
    public string? Label(nint accessible, int? pid)
    {
        var relations = (GLib.GArray*)Call(pid, (GLib.GError** e) => (nint)AtSpi.atspi_accessible_get_relation_set(accessible, e));
        if (relations == null)
        {
            return null;
        }
        string? label = null;
        var items = (nint*)relations->Data;
        for (var i = 0; i < relations->Length; i++)
        {
            var relation = items[i];
            if (label is null && AtSpi.atspi_relation_get_relation_type(relation) == AtSpi.RelationLabelledBy && AtSpi.atspi_relation_get_n_targets(relation) > 0)
            {
                var target = AtSpi.atspi_relation_get_target(relation, 0);
                if (target != 0)
                {
                    label = Name(target, pid);
                    GLib.g_object_unref(target);
                }
            }
            GLib.g_object_unref(relation);
        }
        GLib.g_array_free(relations, 1);
        return label;
    }

    public static bool HasState(nint accessible, int state)
    {
        var set = AtSpi.atspi_accessible_get_state_set(accessible);
        if (set == 0)
        {
            return false;
        }
        var has = AtSpi.atspi_state_set_contains(set, state) != 0;
        GLib.g_object_unref(set);
        return has;
    }

    private static ValueList<string> States(nint accessible)
    {
        var set = AtSpi.atspi_accessible_get_state_set(accessible);
        if (set == 0)
        {
            return ValueList<string>.Empty;
        }
        var names = new List<string>();
        foreach (var (state, name) in StateNames)
        {
            if (AtSpi.atspi_state_set_contains(set, state) != 0)
            {
                names.Add(name);
            }
        }
        GLib.g_object_unref(set);
        return names;
    }

    private Rect? Extents(nint accessible, int? pid)
    {
        var component = AtSpi.atspi_accessible_get_component_iface(accessible);
        if (component == 0)
        {
            return null;
        }
        try
        {
            var rect = (AtSpi.AtspiRect*)Call(pid, (GLib.GError** e) => (nint)AtSpi.atspi_component_get_extents(component, AtSpi.CoordTypeScreen, e));
            if (rect == null)
            {
                return null;
            }
            var result = new Rect(rect->X, rect->Y, rect->Width, rect->Height);
            GLib.g_free((nint)rect);
            return result;
        }
        finally
        {
            GLib.g_object_unref(component);
        }
    }

    /// <summary>Ancestors from the parent up to and including the window (role and name), at most 12.</summary>
    public ValueList<ElementAncestor> Path(nint accessible, int? pid)
    {
        var path = new List<ElementAncestor>();
        var current = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(accessible, e));
        while (current != 0 && path.Count < MaxPathLength)
        {
            var role = RoleName(current, pid) ?? "unknown";
            if (role == "application")
            {
                break;
            }
            path.Add(new ElementAncestor(role, Name(current, pid)));
            if (WindowRoles.Contains(role))
            {
                break;
            }
            var parent = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(current, e));
            GLib.g_object_unref(current);
            current = parent;
        }
        if (current != 0)
        {
            GLib.g_object_unref(current);
        }
        return path;
    }

    /// <summary>Depth-first search over showing elements for one with this role and name (or label).</summary>
    public Rect? FindBounds(string role, string nameOrLabel)
    {
        var desktop = AtSpi.atspi_get_desktop(0);
        try
        {
            return FindBoundsBelow(desktop, role, nameOrLabel, depth: 0);
        }
        finally
        {
            GLib.g_object_unref(desktop);
        }
    }

    /// <summary>Role, name, label and bounds of every showing element, one per line, indented: for test diagnostics.</summary>
    public string DumpTree()
    {
        var lines = new System.Text.StringBuilder();
        var desktop = AtSpi.atspi_get_desktop(0);
        DumpBelow(desktop, 0, lines);
        GLib.g_object_unref(desktop);
        return lines.ToString();
    }

    private void DumpBelow(nint parent, int depth, System.Text.StringBuilder lines)
    {
        var count = Math.Min(Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(parent, e)), 200);
        for (var i = 0; i < count; i++)
        {
            var child = Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(parent, i, e));
            if (child == 0)
            {
                continue;
            }
            if (depth == 0 || HasState(child, 25))
            {
                lines.Append(' ', depth * 2).Append(RoleName(child, null)).Append(" | ").Append(Name(child, null)).Append(" | ").Append(Label(child, null)).Append(" | ").Append(Extents(child, null)).Append('\n');
                if (depth < 30)
                {
                    DumpBelow(child, depth + 1, lines);
                }
            }
            GLib.g_object_unref(child);
        }
    }

    private Rect? FindBoundsBelow(nint parent, string role, string nameOrLabel, int depth)
    {
        var count = Math.Min(Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(parent, e)), 500);
        for (var i = 0; i < count; i++)
        {
            var child = Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(parent, i, e));
            if (child == 0)
            {
                continue;
            }
            try
            {
                if (depth > 0 && !HasState(child, 25))
                {
                    continue;
                }
                if (RoleName(child, null) == role && (Name(child, null) == nameOrLabel || Label(child, null) == nameOrLabel))
                {
                    return Extents(child, null);
                }
                if (depth < 40 && FindBoundsBelow(child, role, nameOrLabel, depth + 1) is { } found)
                {
                    return found;
                }
            }
            finally
            {
                GLib.g_object_unref(child);
            }
        }
        return null;
    }

    public delegate T NativeCall<T>(GLib.GError** error);

    /// <summary>Runs one call with a GError; a slow failure is a timeout, a quick one (object gone) reads as "nothing".</summary>
    public T Call<T>(int? pid, NativeCall<T> call)
    {
        GLib.GError* error = null;
        var started = Stopwatch.GetTimestamp();
        var result = call(&error);
        if (error != null)
        {
            GLib.g_error_free(error);
            if (Stopwatch.GetTimestamp() - started >= _timeoutTicks)
            {
                throw new AccessibleTimeoutException(pid);
            }
        }
        return result;
    }
}
