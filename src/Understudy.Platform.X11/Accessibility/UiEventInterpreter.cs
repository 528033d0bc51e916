using System.Globalization;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Accessibility;

/// <summary>
/// Turns the bursts of AT-SPI events one user action causes into one semantic <c>ui</c> event.
/// What toolkits emit was found by experiment (see docs/benchmarks.md, "Accessibility"): GTK3
/// combo boxes send <c>selection-changed</c> and a name change on the combo itself (its name is
/// the chosen item) and also <c>selection-changed</c> on their popup menu while the pointer
/// merely hovers, and toggle their internal "toggle button" when the popup opens; Chromium sends
/// <c>state-changed:checked</c> on check boxes. Used only from the accessibility thread.
/// </summary>
internal sealed unsafe class UiEventInterpreter(AccessibleReader reader) : IDisposable
{
    private const int MaxRemembered = 256;

    /// <summary>ATSPI_STATE_EXPANDED.</summary>
    private const int StateExpanded = 10;

    /// <summary>ATSPI_STATE_FOCUSED.</summary>
    private const int StateFocused = 12;

    public static readonly string[] EventTypes =
    [
        "object:state-changed:focused",
        "object:text-changed:insert",
        "object:text-changed:delete",
        "object:state-changed:checked",
        "object:selection-changed",
        "object:value-changed",
        "object:property-change:accessible-value",
        "object:property-change:accessible-name",
    ];

    private static readonly HashSet<string> ToggleRoles = new(StringComparer.Ordinal)
    {
        "check box", "radio button", "toggle button", "check menu item", "radio menu item", "switch",
    };

    private static readonly HashSet<string> ValueRoles = new(StringComparer.Ordinal) { "slider", "spin button", "dial", "progress bar" };

    private static readonly HashSet<string> SelectRoles = new(StringComparer.Ordinal) { "combo box", "list box", "list", "tree", "tree table", "table", "page tab list" };

    /// <summary>The last value reported per control and action (a reference held on the control), so a burst reports once.</summary>
    private readonly Dictionary<(nint Control, string Action), string?> _lastReported = [];

    public UiPayload? Interpret(string type, nint source, int detail1, GLib.GValue* anyData, long arrivedNs)
    {
        _ = anyData;
        _ = arrivedNs;
        if (type is "object:state-changed:focused" or "object:text-changed:insert" or "object:text-changed:delete")
        {
            return null;
        }
        var role = reader.RoleName(source, null);
        if (role is null)
        {
            return null;
        }
        return type switch
        {
            "object:state-changed:checked" when ToggleRoles.Contains(role) => Toggle(source, role, detail1 == 1),
            "object:selection-changed" when SelectRoles.Contains(role) => Select(source, role),
            "object:selection-changed" when role == "menu" => PopupSelect(source),
            "object:value-changed" or "object:property-change:accessible-value" when ValueRoles.Contains(role) => Value(source, role),
            _ => null,
        };
    }

    private UiPayload? Toggle(nint source, string role, bool isChecked)
    {
        // A radio button going off is the other half of another one going on.
        if (role is "radio button" or "radio menu item" && !isChecked)
        {
            return null;
        }
        // GTK combo boxes toggle an internal button whenever their popup opens or closes.
        if (role == "toggle button" && ParentRole(source) is "combo box")
        {
            return null;
        }
        var control = reader.Name(source, null) ?? reader.Label(source, null);
        return Report(source, UiActions.Toggle, isChecked ? "true" : "false", new UiPayload(UiActions.Toggle, control, role, null, ValueList<string>.Empty, isChecked, AppName(source)));
    }

    private UiPayload? Select(nint source, string role)
    {
        var label = reader.Label(source, null);
        var name = reader.Name(source, null);
        var value = SelectedChildName(source);
        if (value is null && role == "combo box" && name != label)
        {
            // GTK names a combo box after its chosen item.
            value = name;
        }
        if (value is null)
        {
            return null;
        }
        var control = label ?? (name != value ? name : null);
        return Report(source, UiActions.Select, value, new UiPayload(UiActions.Select, control, role, value, ValueList<string>.Empty, null, AppName(source)));
    }

    /// <summary>
    /// Chromium's &lt;select&gt; changes the selection of its popup list (a "menu" child of the
    /// combo box), never of the combo box itself, and keeps the combo named after its label; it
    /// also sets that selection when the page loads. The popup of a GTK combo box is a "menu"
    /// child too, whose selection follows the hovering pointer, but a GTK combo box reports its
    /// own selection. So a popup's selection counts only for a combo box without a selection of
    /// its own, collapsed and focused (the user's choice, not the page's or the hovering pointer's).
    /// </summary>
    private UiPayload? PopupSelect(nint menu)
    {
        var combo = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(menu, e));
        if (combo == 0)
        {
            return null;
        }
        try
        {
            if (reader.RoleName(combo, null) != "combo box" || ReportsOwnSelection(combo) || reader.HasState(combo, StateExpanded) || !reader.HasState(combo, StateFocused))
            {
                return null;
            }
            if (SelectedChildName(menu) is not { } value)
            {
                return null;
            }
            var name = reader.Name(combo, null);
            var control = reader.Label(combo, null) ?? (name != value ? name : null);
            return Report(combo, UiActions.Select, value, new UiPayload(UiActions.Select, control, "combo box", value, ValueList<string>.Empty, null, AppName(combo)));
        }
        finally
        {
            GLib.g_object_unref(combo);
        }
    }

    private UiPayload? Value(nint source, string role)
    {
        var valueInterface = AtSpi.atspi_accessible_get_value_iface(source);
        if (valueInterface == 0)
        {
            return null;
        }
        double current;
        try
        {
            current = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_value_get_current_value(valueInterface, e));
        }
        finally
        {
            GLib.g_object_unref(valueInterface);
        }
        var text = current.ToString("0.######", CultureInfo.InvariantCulture);
        var control = reader.Label(source, null) ?? reader.Name(source, null);
        return Report(source, UiActions.Value, text, new UiPayload(UiActions.Value, control, role, text, ValueList<string>.Empty, null, AppName(source)));
    }

    /// <summary>The ui event for a click on a menu item (AT-SPI has no "activated" event): null unless the element is a leaf menu item outside a combo box.</summary>
    public static UiPayload? MenuActivation(ElementPayload element)
    {
        if (element.Role is not ("menu item" or "check menu item" or "radio menu item") || element.Name is null ||
            element.States.Contains("has_popup") || element.States.Contains("expandable") ||
            element.Path.Any(a => a.Role == "combo box"))
        {
            return null;
        }
        var path = new List<string>();
        foreach (var ancestor in element.Path)
        {
            if (ancestor.Role is "menu" or "menu item" && ancestor.Name is { } menuName && (path.Count == 0 || path[^1] != menuName))
            {
                path.Add(menuName);
            }
        }
        path.Reverse();
        path.Add(element.Name);
        return new UiPayload(UiActions.Menu, path.Count > 1 ? path[0] : null, element.Role, element.Name, path, null, element.App);
    }

    private UiPayload? Report(nint control, string action, string? value, UiPayload payload)
    {
        if (_lastReported.TryGetValue((control, action), out var last) && last == value)
        {
            return null;
        }
        if (!_lastReported.ContainsKey((control, action)))
        {
            if (_lastReported.Count >= MaxRemembered)
            {
                Forget();
            }
            // Keep the control alive while it is a key here, so that its address cannot be reused.
            GLib.g_object_ref(control);
        }
        _lastReported[(control, action)] = value;
        return payload;
    }

    private static bool ReportsOwnSelection(nint accessible)
    {
        var selection = AtSpi.atspi_accessible_get_selection_iface(accessible);
        if (selection == 0)
        {
            return false;
        }
        GLib.g_object_unref(selection);
        return true;
    }

    private string? SelectedChildName(nint source)
    {
        var selection = AtSpi.atspi_accessible_get_selection_iface(source);
        if (selection == 0)
        {
            return null;
        }
        try
        {
            if (reader.Call(null, (GLib.GError** e) => AtSpi.atspi_selection_get_n_selected_children(selection, e)) <= 0)
            {
                return null;
            }
            var child = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_selection_get_selected_child(selection, 0, e));
            if (child == 0)
            {
                return null;
            }
            var name = reader.Name(child, null);
            GLib.g_object_unref(child);
            return name;
        }
        finally
        {
            GLib.g_object_unref(selection);
        }
    }

    private string? ParentRole(nint accessible)
    {
        var parent = reader.Call(null, (GLib.GError** e) => AtSpi.atspi_accessible_get_parent(accessible, e));
        if (parent == 0)
        {
            return null;
        }
        var role = reader.RoleName(parent, null);
        GLib.g_object_unref(parent);
        return role;
    }

    private string? AppName(nint accessible) => reader.ApplicationOf(accessible)?.Name;

    private void Forget()
    {
        foreach (var (control, _) in _lastReported.Keys.ToList())
        {
            if (_lastReported.Remove((control, UiActions.Toggle)) | _lastReported.Remove((control, UiActions.Select)) | _lastReported.Remove((control, UiActions.Value)))
            {
                GLib.g_object_unref(control);
            }
        }
    }

    public void Dispose() => Forget();
}
