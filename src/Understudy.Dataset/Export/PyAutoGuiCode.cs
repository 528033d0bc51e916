using System.Globalization;
using System.Text;

namespace Understudy.Dataset.Export;

/// <summary>
/// One step's action as the PyAutoGUI code OpenCUA's released data uses: coordinates normalised
/// to [0, 1] with 4 decimals, <c>computer.tripleClick</c> and <c>computer.terminate</c> for what
/// PyAutoGUI lacks. Semantic actions (select, menu, toggle, set_value) become the click that made
/// them; one without a position (done from the keyboard) has no code.
/// </summary>
public static class PyAutoGuiCode
{
    public static string Terminate(bool success) => success ? "computer.terminate(status='success')" : "computer.terminate(status='failure')";

    /// <summary>The code for <paramref name="action"/>, or null when it has none in this action space.</summary>
    public static string? For(ActionRecord action, ScreenRecord screen)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(screen);
        return action.Kind switch
        {
            "click" => Click(action, screen),
            // A semantic action made with the pointer replays as its click; one made from the keyboard as its keys.
            "select" or "menu" or "toggle" or "set_value" => action.Position is not null ? Click(action, screen) : Keys(action),
            "drag" => Drag(action, screen),
            "hold" => Hold(action, screen),
            "scroll" => Scroll(action, screen),
            "type" => action.Text is { Length: > 0 } text ? $"pyautogui.write({Literal(text)})" : null,
            "hotkey" => Hotkey(action),
            "press" => Press(action),
            _ => null,
        };
    }

    private static string? Click(ActionRecord action, ScreenRecord screen)
    {
        if (action.Position is not { } at)
        {
            return null;
        }
        var xy = Point(at, screen);
        var call = (action.Button, action.Clicks ?? 1) switch
        {
            ("right", _) => $"pyautogui.rightClick({xy})",
            ("middle", _) => $"pyautogui.middleClick({xy})",
            (_, 2) => $"pyautogui.doubleClick({xy})",
            (_, >= 3) => $"computer.tripleClick({xy})",
            _ => $"pyautogui.click({xy})",
        };
        return WithHeld(action, call);
    }

    private static string? Drag(ActionRecord action, ScreenRecord screen)
    {
        if (action.Position is not { } from || action.EndPosition is not { } to)
        {
            return null;
        }
        var code = $"pyautogui.moveTo({Point(from, screen)})\npyautogui.dragTo({Point(to, screen)}, button={Literal(action.Button ?? "left")})";
        return WithHeld(action, code);
    }

    private static string? Hold(ActionRecord action, ScreenRecord screen)
    {
        if (action.Position is not { } at)
        {
            return null;
        }
        var button = Literal(action.Button ?? "left");
        return WithHeld(action, $"pyautogui.mouseDown({Point(at, screen)}, button={button})\npyautogui.mouseUp(button={button})");
    }

    private static string? Scroll(ActionRecord action, ScreenRecord screen)
    {
        var lines = new List<string>(2);
        var where = action.Position is { } at ? ", " + Point(at, screen) : "";
        // PyAutoGUI scrolls up for positive clicks; ours are positive downwards.
        if (action.ScrollDy is { } dy and not 0)
        {
            lines.Add($"pyautogui.scroll({(-dy).ToString(CultureInfo.InvariantCulture)}{where})");
        }
        if (action.ScrollDx is { } dx and not 0)
        {
            lines.Add($"pyautogui.hscroll({dx.ToString(CultureInfo.InvariantCulture)}{where})");
        }
        return lines.Count == 0 ? null : WithHeld(action, string.Join('\n', lines));
    }

    private static string? Keys(ActionRecord action) => action.Keys switch
    {
        { Count: > 1 } => Hotkey(action),
        { Count: 1 } => Press(action),
        _ => null,
    };

    private static string? Hotkey(ActionRecord action) =>
        action.Keys is { Count: > 0 } keys ? $"pyautogui.hotkey({string.Join(", ", keys.Select(Literal))})" : null;

    private static string? Press(ActionRecord action)
    {
        if (action.Keys is not { Count: > 0 } keys)
        {
            return null;
        }
        var key = Literal(keys[^1]);
        return action.Repeat is > 1 and var repeat
            ? $"pyautogui.press({key}, presses={repeat.ToString(CultureInfo.InvariantCulture)})"
            : $"pyautogui.press({key})";
    }

    // Shift-click and the like: the modifiers go down around the pointer action.
    private static string WithHeld(ActionRecord action, string code)
    {
        if (action.HeldModifiers is not { Count: > 0 } held)
        {
            return code;
        }
        var builder = new StringBuilder();
        foreach (var key in held)
        {
            builder.Append("pyautogui.keyDown(").Append(Literal(key)).Append(")\n");
        }
        builder.Append(code);
        for (var i = held.Count - 1; i >= 0; i--)
        {
            builder.Append("\npyautogui.keyUp(").Append(Literal(held[i])).Append(')');
        }
        return builder.ToString();
    }

    public static string Point(PointRecord point, ScreenRecord screen)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(screen);
        return $"x={Normalise(point.X, screen.Width)}, y={Normalise(point.Y, screen.Height)}";
    }

    public static string Normalise(int pixel, int extent)
    {
        var value = extent <= 1 ? 0 : Math.Clamp((double)pixel / extent, 0, 1);
        return Math.Round(value, 4, MidpointRounding.AwayFromZero).ToString("0.0###", CultureInfo.InvariantCulture);
    }

    /// <summary>A Python string literal: single quotes, backslash escapes, non-printable characters as \x, \u or \U escapes.</summary>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length + 2);
        builder.Append('\'');
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\'':
                    builder.Append(@"\'");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                default:
                    if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                    {
                        builder.Append(rune.Value switch
                        {
                            <= 0xFF => $"\\x{rune.Value:x2}",
                            <= 0xFFFF => $"\\u{rune.Value:x4}",
                            _ => $"\\U{rune.Value:x8}",
                        });
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }
                    break;
            }
        }
        builder.Append('\'');
        return builder.ToString();
    }
}
