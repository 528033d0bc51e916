using System.Diagnostics;
using Understudy.Core.Capture;
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
internal sealed unsafe class AccessibleReader(TimeSpan callTimeout) : IDisposable
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

    /// <summary>Applications on the bus with their process ids and names (a reference held on each), refreshed when the set of applications changes.</summary>
    private readonly Dictionary<nint, ApplicationEntry> _applications = [];

    private static readonly long ApplicationListTtlNs = (long)TimeSpan.FromSeconds(5).TotalNanoseconds;

    private static readonly long AncestorTtlNs = (long)TimeSpan.FromSeconds(3).TotalNanoseconds;

    private const int MaxCachedAncestors = 1024;

    private List<(nint App, int Pid)>? _applicationList;

    private long _applicationListExpiresNs;

    /// <summary>Role, name and parent of ancestors seen in recent paths (a reference held on key and parent), for a few seconds.</summary>
    private readonly Dictionary<nint, CachedAncestor> _ancestors = [];

    /// <summary>The deepest element under (x, y) in the applications of <paramref name="pid"/> (all, if null); 0 if none. The caller unrefs it.</summary>
    public nint HitTest(int x, int y, int? pid, Func<int, bool> isHung, out nint application)
    {
        application = 0;
        var apps = Applications(pid);
        var candidates = pid is { } owner && apps.Any(a => a.Pid == owner) ? apps.Where(a => a.Pid == owner) : apps;
        foreach (var (app, appPid) in candidates.Reverse())
        {
            if (isHung(appPid))
            {
                continue;
            }
            var found = RepresentativeOf(HitTestApplication(app, appPid, x, y), appPid);
            if (found != 0)
            {
                application = app;
                return found;
            }
        }
        return 0;
    }

    /// <summary>
    /// The applications on the bus (borrowed pointers, kept alive by <see cref="_applications"/>).
    /// Listing them costs round trips to the registry, so the list is reused for a few seconds,
    /// and read again at once when the pointer is over a process it does not know.
    /// </summary>
    private List<(nint App, int Pid)> Applications(int? pid)
    {
        var now = MonotonicClock.NowNs();
        if (_applicationList is { } cached && now < _applicationListExpiresNs && (pid is not { } wanted || cached.Any(a => a.Pid == wanted)))
        {
            return cached;
        }
        var desktop = AtSpi.atspi_get_desktop(0);
        if (desktop == 0)
        {
            return [];
        }
        var result = new List<(nint, int)>();
        try
        {
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
                var info = Application(app);
                GLib.g_object_unref(app);
                result.Add((app, info.Pid));
            }
            foreach (var gone in _applications.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _applications.Remove(gone);
                GLib.g_object_unref(gone);
            }
        }
        finally
        {
            GLib.g_object_unref(desktop);
        }
        _applicationList = result;
        _applicationListExpiresNs = now + ApplicationListTtlNs;
        return result;
    }

    /// <summary>
    /// Process id of an application root, asked once (a round trip to the bus daemon, which
    /// answers even for a hung application) and cached; its name is asked only when an element
    /// of it is described, so that a hung application costs nothing to hit tests elsewhere.
    /// </summary>
    private ApplicationEntry Application(nint app)
    {
        if (!_applications.TryGetValue(app, out var entry))
        {
            entry = new ApplicationEntry((int)AtSpi.atspi_accessible_get_process_id(app, null));
            // Keep a reference while cached, so that the pointer cannot be reused by another object.
            _applications[app] = entry;
            GLib.g_object_ref(app);
        }
        return entry;
    }

    /// <summary>The application an element belongs to (pid and name), or null; <paramref name="known"/> if the caller already knows it (no walk up the tree).</summary>
    public ApplicationInfo? ApplicationOf(nint element, nint known = 0)
    {
        var application = known != 0 ? GLib.g_object_ref(known) : AtSpi.atspi_accessible_get_application(element, null);
        if (application == 0)
        {
            return null;
        }
        try
        {
            var entry = Application(application);
            if (!entry.NameKnown)
            {
                var name = GLib.TakeString(Call(entry.Pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_name(application, e)));
                entry.Name = string.IsNullOrEmpty(name) ? null : name;
                entry.NameKnown = true;
            }
            return new ApplicationInfo(entry.Pid, entry.Name);
        }
        finally
        {
            GLib.g_object_unref(application);
        }
    }

    /// <summary>The toolkit an element's application is written with ("GTK", "Chromium", …), or null.</summary>
    public string? ToolkitOf(nint element, int? pid)
    {
        var application = AtSpi.atspi_accessible_get_application(element, null);
        if (application == 0)
        {
            return null;
        }
        try
        {
            return GLib.TakeString(Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_toolkit_name(application, e)));
        }
        finally
        {
            GLib.g_object_unref(application);
        }
    }

    private sealed class ApplicationEntry(int pid)
    {
        public int Pid { get; } = pid;

        public string? Name { get; set; }

        public bool NameKnown { get; set; }
    }

    public readonly record struct ApplicationInfo(int Pid, string? Name);

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
            if (!HasState(window, 25, pid))
            {
                GLib.g_object_unref(window);
                continue;
            }
            // Asking the window for its child at the point answers "is it in this window" too
            // (one round trip instead of two); only an empty answer needs the explicit test.
            var child = ChildAt(window, pid, x, y);
            if (child != 0 && child != window)
            {
                GLib.g_object_unref(window);
                return Descend(child, pid, x, y);
            }
            if (child == window)
            {
                GLib.g_object_unref(child);
            }
            if (Contains(window, pid, x, y))
            {
                return window;
            }
            GLib.g_object_unref(window);
        }
        return 0;
    }

    /// <summary>
    /// A text leaf ("static": Chromium's run of text inside a button, link or menu item) that only
    /// repeats its parent's name stands for the parent, which is what was clicked. Takes and
    /// returns one reference.
    /// </summary>
    public nint RepresentativeOf(nint element, int? pid)
    {
        var role = element == 0 ? null : RoleName(element, pid);
        if (role is not ("static" or "toggle button"))
        {
            return element;
        }
        var parent = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(element, e));
        if (parent == 0)
        {
            return element;
        }
        // GTK's combo box is a toggle button inside the combo: the combo, with its label, is what the user works.
        var standsForParent = role == "toggle button"
            ? RoleName(parent, pid) == "combo box"
            : Name(parent, pid) is { } parentName && parentName == Name(element, pid);
        if (standsForParent)
        {
            GLib.g_object_unref(element);
            return parent;
        }
        GLib.g_object_unref(parent);
        return element;
    }

    /// <summary>The child at a point as the element answers it (0 if none; may be the element itself); the caller unrefs it.</summary>
    private nint ChildAt(nint accessible, int pid, int x, int y)
    {
        var component = AtSpi.atspi_accessible_get_component_iface(accessible);
        if (component == 0)
        {
            return 0;
        }
        try
        {
            return Call(pid, (GLib.GError** e) => AtSpi.atspi_component_get_accessible_at_point(component, x, y, AtSpi.CoordTypeScreen, e));
        }
        finally
        {
            GLib.g_object_unref(component);
        }
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
    public ElementPayload Describe(nint element, long forSeq, string trigger, nint knownApplication = 0)
    {
        var application = ApplicationOf(element, knownApplication);
        int? pid = application?.Pid;
        var appName = application?.Name;
        var role = RoleName(element, pid) ?? "unknown";
        var name = Name(element, pid);
        var label = Label(element, pid);
        var states = States(element, pid);
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

    /// <summary>The text of the first LABELLED_BY target, or null.</summary>
    public string? Label(nint accessible, int? pid)
    {
        var relations = (GLib.GArray*)Call(pid, (GLib.GError** e) => (nint)AtSpi.atspi_accessible_get_relation_set(accessible, e));
        if (relations == null)
        {
            return null;
        }
        nint target = 0;
        var items = (nint*)relations->Data;
        for (var i = 0; i < relations->Length; i++)
        {
            var relation = items[i];
            if (target == 0 && AtSpi.atspi_relation_get_relation_type(relation) == AtSpi.RelationLabelledBy && AtSpi.atspi_relation_get_n_targets(relation) > 0)
            {
                target = AtSpi.atspi_relation_get_target(relation, 0);
            }
            GLib.g_object_unref(relation);
        }
        GLib.g_array_free(relations, 1);
        if (target == 0)
        {
            return null;
        }
        try
        {
            return LabelText(target, pid);
        }
        finally
        {
            GLib.g_object_unref(target);
        }
    }

    /// <summary>
    /// What a label element says. GTK names the label after its text; Chromium exposes a
    /// <c>&lt;label&gt;</c> as an unnamed "label" whose text sits in "static" children (and in its
    /// Text interface). The text is read only from label and static text elements, never from an
    /// input field that happens to be a relation target (aria-labelledby may point anywhere).
    /// </summary>
    private string? LabelText(nint target, int? pid)
    {
        if (Name(target, pid) is { } name)
        {
            return name;
        }
        var role = RoleName(target, pid);
        if (role is not ("label" or "static"))
        {
            return null;
        }
        var parts = new List<string>();
        var count = Math.Min(Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(target, e)), 16);
        for (var i = 0; i < count; i++)
        {
            var child = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(target, i, e));
            if (child == 0)
            {
                continue;
            }
            try
            {
                if (RoleName(child, pid) is "static" or "label" && Name(child, pid) is { } part)
                {
                    parts.Add(part);
                }
            }
            finally
            {
                GLib.g_object_unref(child);
            }
        }
        if (parts.Count > 0)
        {
            return string.Join(" ", parts).Trim();
        }
        var text = AtSpi.atspi_accessible_get_text_iface(target);
        if (text == 0)
        {
            return null;
        }
        try
        {
            var whole = GLib.TakeString(Call(pid, (GLib.GError** e) => AtSpi.atspi_text_get_text(text, 0, -1, e)))?.Trim();
            return string.IsNullOrEmpty(whole) ? null : whole;
        }
        finally
        {
            GLib.g_object_unref(text);
        }
    }

    public bool HasState(nint accessible, int state, int? pid = null)
    {
        var set = Timed(pid, () => AtSpi.atspi_accessible_get_state_set(accessible));
        if (set == 0)
        {
            return false;
        }
        var has = AtSpi.atspi_state_set_contains(set, state) != 0;
        GLib.g_object_unref(set);
        return has;
    }

    private ValueList<string> States(nint accessible, int? pid)
    {
        var set = Timed(pid, () => AtSpi.atspi_accessible_get_state_set(accessible));
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

    /// <summary>Screen bounds of an element, or null.</summary>
    public Rect? Bounds(nint accessible, int? pid) => Extents(accessible, pid);

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
        var now = MonotonicClock.NowNs();
        var first = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(accessible, e));
        if (first == 0)
        {
            return path;
        }
        var current = first;
        while (current != 0 && path.Count < MaxPathLength)
        {
            var ancestor = Ancestor(current, pid, now);
            if (ancestor.Role == "application")
            {
                break;
            }
            path.Add(new ElementAncestor(ancestor.Role, ancestor.Name));
            if (WindowRoles.Contains(ancestor.Role))
            {
                break;
            }
            current = ancestor.Parent;
        }
        GLib.g_object_unref(first);
        return path;
    }

    /// <summary>Role, name and parent of an ancestor, from the cache while fresh. The parent pointer is borrowed from the cache.</summary>
    private CachedAncestor Ancestor(nint accessible, int? pid, long now)
    {
        if (_ancestors.TryGetValue(accessible, out var cached))
        {
            if (now < cached.ExpiresNs)
            {
                return cached;
            }
            _ancestors.Remove(accessible);
            Release(accessible, cached);
        }
        if (_ancestors.Count >= MaxCachedAncestors)
        {
            InvalidateAncestors();
        }
        var role = RoleName(accessible, pid) ?? "unknown";
        var name = Name(accessible, pid);
        var parent = role == "application" || WindowRoles.Contains(role) ? 0 : Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(accessible, e));
        var entry = new CachedAncestor(role, name, parent, now + AncestorTtlNs);
        _ancestors[accessible] = entry;
        GLib.g_object_ref(accessible);
        return entry;
    }

    /// <summary>Forgets cached ancestors (a name changed somewhere, or the cache is full).</summary>
    public void InvalidateAncestors()
    {
        foreach (var (accessible, entry) in _ancestors)
        {
            Release(accessible, entry);
        }
        _ancestors.Clear();
    }

    private static void Release(nint accessible, CachedAncestor entry)
    {
        if (entry.Parent != 0)
        {
            GLib.g_object_unref(entry.Parent);
        }
        GLib.g_object_unref(accessible);
    }

    private readonly record struct CachedAncestor(string Role, string? Name, nint Parent, long ExpiresNs);

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

    /// <summary>
    /// The focused element of the active window of the application with <paramref name="pid"/>
    /// (any application when null), found by walking the showing tree; 0 when there is none. For
    /// the first key of a session, before any focus event told us; returns a new reference.
    /// </summary>
    public nint FindFocused(int? pid, Func<int, bool> isHung)
    {
        const int ActiveState = 1;
        const int FocusedState = 12;
        var budget = 3000;
        foreach (var (app, appPid) in Applications(pid))
        {
            if (isHung(appPid) || (pid is { } wanted && appPid != wanted))
            {
                continue;
            }
            var count = Math.Min(Call(appPid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(app, e)), 100);
            for (var i = 0; i < count; i++)
            {
                var window = Call(appPid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(app, i, e));
                if (window == 0)
                {
                    continue;
                }
                try
                {
                    if (HasState(window, ActiveState, appPid) && FocusedBelow(window, appPid, FocusedState, ref budget) is var found && found != 0)
                    {
                        return found;
                    }
                }
                finally
                {
                    GLib.g_object_unref(window);
                }
            }
        }
        return 0;
    }

    private nint FocusedBelow(nint parent, int pid, int focusedState, ref int budget)
    {
        var count = Math.Min(Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_count(parent, e)), 500);
        for (var i = 0; i < count && budget > 0; i++)
        {
            budget--;
            var child = Call(pid, (GLib.GError** e) => AtSpi.atspi_accessible_get_child_at_index(parent, i, e));
            if (child == 0)
            {
                continue;
            }
            if (HasState(child, focusedState, pid))
            {
                return child;
            }
            var found = HasState(child, 25, pid) ? FocusedBelow(child, pid, focusedState, ref budget) : 0;
            GLib.g_object_unref(child);
            if (found != 0)
            {
                return found;
            }
        }
        return 0;
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

    /// <summary>
    /// Runs one call with a GError. A call that takes about the call timeout is a timeout whether
    /// or not libatspi reports an error (several getters swallow it and return a default); a quick
    /// failure (object gone) reads as "nothing".
    /// </summary>
    public T Call<T>(int? pid, NativeCall<T> call)
    {
        GLib.GError* error = null;
        var started = Stopwatch.GetTimestamp();
        var result = call(&error);
        if (error != null)
        {
            GLib.g_error_free(error);
        }
        if (Stopwatch.GetTimestamp() - started >= _timeoutTicks)
        {
            throw new AccessibleTimeoutException(pid);
        }
        return result;
    }

    /// <summary>The same for a call without a GError.</summary>
    public T Timed<T>(int? pid, Func<T> call)
    {
        var started = Stopwatch.GetTimestamp();
        var result = call();
        if (Stopwatch.GetTimestamp() - started >= _timeoutTicks)
        {
            throw new AccessibleTimeoutException(pid);
        }
        return result;
    }

    public void Dispose()
    {
        InvalidateAncestors();
        foreach (var app in _applications.Keys)
        {
            GLib.g_object_unref(app);
        }
        _applications.Clear();
    }
}
