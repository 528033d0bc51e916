using System.Globalization;

namespace Understudy.Dataset.Export;

/// <summary>A step's action in words, for OpenCUA's <c>action</c> field and the viewer: what was done and to what.</summary>
public static class ActionDescriptions
{
    public static string Describe(ActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var target = Target(action);
        return action.Kind switch
        {
            "click" => $"{ClickVerb(action)}{target}",
            "drag" => $"Drag{target}{Point(" from ", action.Position)}{Point(" to ", action.EndPosition)}",
            "hold" => $"Press and hold the {action.Button ?? "left"} button{target}",
            "scroll" => $"Scroll {ScrollAmount(action)}{target}",
            "type" => $"Type \"{action.Text}\"{target}",
            "hotkey" => $"Press {string.Join('+', action.Keys ?? [])}",
            "press" => action.Repeat is > 1 ? $"Press {Last(action.Keys)} {action.Repeat} times" : $"Press {Last(action.Keys)}",
            "select" => $"Select \"{action.Ui?.Value}\"{Control(action, " in ")}",
            "menu" => $"Choose {string.Join(" > ", action.Ui?.Path ?? [])} from the menu",
            "toggle" => $"{(action.Ui?.Checked == false ? "Uncheck" : "Check")}{Control(action, " ")}",
            "set_value" => $"Set{Control(action, " ")} to \"{action.Ui?.Value}\"",
            _ => action.Kind,
        };
    }

    private static string ClickVerb(ActionRecord action) => (action.Button, action.Clicks ?? 1) switch
    {
        ("right", _) => "Right-click",
        ("middle", _) => "Middle-click",
        (_, 2) => "Double-click",
        (_, >= 3) => "Triple-click",
        _ => "Click",
    };

    private static string ScrollAmount(ActionRecord action)
    {
        var parts = new List<string>(2);
        if (action.ScrollDy is { } dy and not 0)
        {
            parts.Add($"{(dy > 0 ? "down" : "up")} {Math.Abs(dy).ToString(CultureInfo.InvariantCulture)}");
        }
        if (action.ScrollDx is { } dx and not 0)
        {
            parts.Add($"{(dx > 0 ? "right" : "left")} {Math.Abs(dx).ToString(CultureInfo.InvariantCulture)}");
        }
        return string.Join(" and ", parts);
    }

    private static string Target(ActionRecord action)
    {
        if (action.Target is not { } element)
        {
            return "";
        }
        var name = element.Name ?? element.Label;
        return string.IsNullOrEmpty(name) ? $" on the {element.Role}" : $" on the \"{name}\" {element.Role}";
    }

    private static string Control(ActionRecord action, string lead)
    {
        var control = action.Ui?.Control ?? action.Target?.Name ?? action.Target?.Label;
        var role = action.Ui?.ControlRole ?? action.Target?.Role;
        return control is null ? (role is null ? "" : $"{lead}the {role}") : $"{lead}the \"{control}\" {role ?? "control"}";
    }

    private static string Point(string lead, PointRecord? point) => point is null ? "" : $"{lead}({point.X}, {point.Y})";

    private static string Last(IReadOnlyList<string>? keys) => keys is { Count: > 0 } ? keys[^1] : "a key";
}
