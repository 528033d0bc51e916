using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Understudy.Core.Guards;
using Understudy.Core.Model;

namespace Understudy.Dataset.Import;

/// <summary>
/// The element AgentNet Tool recorded under the pointer at a press (element.jsonl <c>a11y_tree</c>),
/// in our terms. Windows records a UI Automation subtree rooted at the element
/// (<c>Name</c>, <c>ControlType</c>, <c>BoundingRectangle</c> {left, top, right, bottom},
/// <c>Children</c>); macOS an AX attribute dump (<c>AXRole</c>, <c>AXSubrole</c>, <c>AXTitle</c>,
/// <c>AXDescription</c>, <c>AXFrame</c> {x, y, w, h}, <c>AXValue</c>, <c>AXChildren</c>). Roles
/// become the AT-SPI role names our recorder stores, so that the same sensitive-field rules apply:
/// a macOS secure text field is a <c>password text</c>. Field values (<c>AXValue</c>) and the
/// children are not kept: a value is what the field holds, which our recorder never reads either.
/// </summary>
internal static partial class AgentNetElements
{
    private static readonly Dictionary<string, string> UiaRoles = new(StringComparer.Ordinal)
    {
        ["ButtonControl"] = "push button", ["SplitButtonControl"] = "push button", ["EditControl"] = "text",
        ["DocumentControl"] = "document text", ["CheckBoxControl"] = "check box", ["ComboBoxControl"] = "combo box",
        ["HyperlinkControl"] = "link", ["ListItemControl"] = "list item", ["ListControl"] = "list",
        ["MenuItemControl"] = "menu item", ["MenuControl"] = "menu", ["MenuBarControl"] = "menu bar",
        ["RadioButtonControl"] = "radio button", ["TabItemControl"] = "page tab", ["TabControl"] = "page tab list",
        ["TextControl"] = "label", ["ImageControl"] = "image", ["SliderControl"] = "slider", ["SpinnerControl"] = "spin button",
        ["TreeItemControl"] = "tree item", ["TreeControl"] = "tree", ["DataItemControl"] = "table cell", ["TableControl"] = "table",
        ["ToolBarControl"] = "tool bar", ["WindowControl"] = "frame", ["PaneControl"] = "panel", ["GroupControl"] = "panel",
        ["ScrollBarControl"] = "scroll bar", ["StatusBarControl"] = "status bar", ["TitleBarControl"] = "title bar",
        ["HeaderItemControl"] = "column header", ["ProgressBarControl"] = "progress bar", ["ToolTipControl"] = "tool tip",
    };

    private static readonly Dictionary<string, string> AxRoles = new(StringComparer.Ordinal)
    {
        ["AXButton"] = "push button", ["AXTextField"] = "text", ["AXTextArea"] = "text", ["AXSearchField"] = "text",
        ["AXComboBox"] = "combo box", ["AXPopUpButton"] = "combo box", ["AXCheckBox"] = "check box", ["AXRadioButton"] = "radio button",
        ["AXLink"] = "link", ["AXMenuItem"] = "menu item", ["AXMenuBarItem"] = "menu", ["AXMenu"] = "menu", ["AXMenuBar"] = "menu bar",
        ["AXStaticText"] = "label", ["AXImage"] = "image", ["AXSlider"] = "slider", ["AXIncrementor"] = "spin button",
        ["AXRow"] = "table row", ["AXCell"] = "table cell", ["AXTable"] = "table", ["AXOutline"] = "tree", ["AXList"] = "list",
        ["AXTabGroup"] = "page tab list", ["AXRadioGroup"] = "panel", ["AXGroup"] = "panel", ["AXScrollArea"] = "scroll pane",
        ["AXToolbar"] = "tool bar", ["AXWindow"] = "frame", ["AXWebArea"] = "document web", ["AXHeading"] = "heading",
        ["AXDisclosureTriangle"] = "toggle button",
    };

    /// <summary>The element at the root of <paramref name="tree"/>, or null when nothing was recorded (empty tree).</summary>
    public static SourceElement? Describe(JsonElement tree)
    {
        if (tree.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (String(tree, "ControlType") is { } controlType)
        {
            var role = UiaRoles.GetValueOrDefault(controlType) ?? Generic(controlType.EndsWith("Control", StringComparison.Ordinal) ? controlType[..^"Control".Length] : controlType);
            return new SourceElement(0, 0, role, Trim(String(tree, "Name")), null, [], UiaBounds(tree));
        }
        if (String(tree, "AXRole") is { } axRole)
        {
            var subrole = String(tree, "AXSubrole");
            var role = subrole == "AXSecureTextField" ? SensitiveFieldRules.PasswordRole
                : AxRoles.GetValueOrDefault(axRole) ?? Generic(axRole.StartsWith("AX", StringComparison.Ordinal) ? axRole[2..] : axRole);
            var title = Trim(String(tree, "AXTitle"));
            var description = Trim(String(tree, "AXDescription"));
            var states = new List<string>();
            AddState(tree, "AXEnabled", "enabled", states);
            AddState(tree, "AXFocused", "focused", states);
            AddState(tree, "AXSelected", "selected", states);
            if (axRole is "AXTextField" or "AXTextArea" or "AXComboBox" or "AXSearchField")
            {
                states.Add("editable");
            }
            return new SourceElement(0, 0, role, title ?? description, title is null ? null : description, states, AxBounds(tree));
        }
        return null;
    }

    private static string Generic(string name)
    {
        // "RadioButton" → "radio button": the AT-SPI style of role names.
        var words = SplitWords().Replace(name, " $1").Trim().ToLowerInvariant();
        return words.Length == 0 ? "unknown" : words;
    }

    private static string? String(JsonElement tree, string name) =>
        tree.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static void AddState(JsonElement tree, string name, string state, List<string> states)
    {
        if (tree.TryGetProperty(name, out var value)
            && (value.ValueKind == JsonValueKind.True
                || (value.ValueKind == JsonValueKind.String && value.GetString() is "True" or "true" or "1")
                || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n != 0)))
        {
            states.Add(state);
        }
    }

    private static Rect? UiaBounds(JsonElement tree)
    {
        if (!tree.TryGetProperty("BoundingRectangle", out var rect) || rect.ValueKind != JsonValueKind.Object
            || !RecordingReader.TryNumber(rect, "left", out var left) || !RecordingReader.TryNumber(rect, "top", out var top)
            || !RecordingReader.TryNumber(rect, "right", out var right) || !RecordingReader.TryNumber(rect, "bottom", out var bottom))
        {
            return null;
        }
        return ToRect(left, top, right - left, bottom - top);
    }

    private static Rect? AxBounds(JsonElement tree)
    {
        if (!tree.TryGetProperty("AXFrame", out var frame))
        {
            return null;
        }
        if (frame.ValueKind == JsonValueKind.Object)
        {
            return RecordingReader.TryNumber(frame, "x", out var x) && RecordingReader.TryNumber(frame, "y", out var y)
                && RecordingReader.TryNumber(frame, "w", out var w) && RecordingReader.TryNumber(frame, "h", out var h)
                ? ToRect(x, y, w, h)
                : null;
        }
        if (frame.ValueKind == JsonValueKind.String)
        {
            // The window-tree dump writes the frame as Python's repr of the dict: "{'x': 12.0, 'y': 3.0, 'w': …}".
            var text = frame.GetString() ?? "";
            double? Part(string key)
            {
                var match = Regex.Match(text, $@"'{key}':\s*(-?[0-9.]+)", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                return match.Success && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            }
            return Part("x") is { } x && Part("y") is { } y && Part("w") is { } w && Part("h") is { } h ? ToRect(x, y, w, h) : null;
        }
        return null;
    }

    private static Rect? ToRect(double x, double y, double width, double height)
    {
        const double Limit = 1e6;
        if (width <= 0 || height <= 0 || Math.Abs(x) > Limit || Math.Abs(y) > Limit || width > Limit || height > Limit)
        {
            return null;
        }
        // Outward: a bounds that is masked must cover the whole element.
        var left = (int)Math.Floor(x);
        var top = (int)Math.Floor(y);
        return new Rect(left, top, (int)Math.Ceiling(x + width) - left, (int)Math.Ceiling(y + height) - top);
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex SplitWords();
}
