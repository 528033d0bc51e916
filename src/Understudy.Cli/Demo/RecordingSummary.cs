using System.Text;
using Understudy.Core.Model;

namespace Understudy.Cli.Demo;

/// <summary>What a recording captured, in the terms a person checks it by: counts, apps, text typed, clicks, hotkeys.</summary>
internal sealed record RecordingSummary(
    IReadOnlyDictionary<string, long> CountsByKind,
    IReadOnlyList<string> Apps,
    IReadOnlyList<string> TypedText,
    IReadOnlyDictionary<string, int> Clicks,
    int ScrollsUp,
    int ScrollsDown,
    IReadOnlyList<string> Hotkeys,
    long Gaps,
    TimeSpan Duration)
{
    /// <summary>What was acted on, e.g. <c>click on push button "OK"</c>, in recording order.</summary>
    public IReadOnlyList<string> Elements { get; init; } = [];

    /// <summary>Semantic ui actions, e.g. <c>select "Meals" in combo box "Category"</c>.</summary>
    public IReadOnlyList<string> UiActions { get; init; } = [];

    public int Frames { get; init; }

    /// <summary>Distinct stored images: identical frames share one.</summary>
    public int FrameBlobs { get; init; }

    /// <summary>What the guard removed before it reached the disk: spans by type (e.g. <c>EMAIL_ADDRESS</c>, <c>SENSITIVE_FIELD</c>).</summary>
    public IReadOnlyDictionary<string, int> RedactionsByType { get; init; } = new Dictionary<string, int>();

    /// <summary>Pieces of typing in a password or other sensitive field, each kept only as one <c>redaction</c> event.</summary>
    public int SensitiveFields { get; init; }

    private const Modifiers CommandModifiers = Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super;

    public static RecordingSummary From(IEnumerable<SessionEvent> events)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var apps = new List<string>();
        var typed = new List<string>();
        var current = new StringBuilder();
        var clicks = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var hotkeys = new List<string>();
        int up = 0, down = 0;
        long gaps = 0;
        long? first = null, last = null;
        var elements = new List<string>();
        var uiActions = new List<string>();
        var frames = 0;
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var redactions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var sensitiveFields = 0;

        void EndRun()
        {
            if (current.Length > 0)
            {
                typed.Add(current.ToString());
                current.Clear();
            }
        }

        foreach (var e in events)
        {
            first ??= e.MonoNs;
            last = e.MonoNs;
            var kind = e.Kind.ToWireName();
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
            switch (e.Payload)
            {
                case FocusPayload focus when focus.App.Length > 0:
                    var app = focus.Title is null ? focus.App : $"{focus.App} — {focus.Title}";
                    if (!apps.Contains(app))
                    {
                        apps.Add(app);
                    }
                    EndRun();
                    break;
                case KeyPayload { IsDown: true } key when (key.Modifiers & CommandModifiers) != 0 && !IsModifierKey(key.Key):
                    hotkeys.Add(string.Join('+', key.Modifiers.ToNames().Where(m => m is "ctrl" or "alt" or "super" or "shift").Append(key.Key)));
                    break;
                case KeyPayload { IsDown: true, Text: { } text }:
                    current.Append(text);
                    break;
                case KeyPayload { IsDown: true, Key: "Tab" or "Return" or "KP_Enter" or "Escape" }:
                    EndRun();
                    break;
                case ButtonPayload { IsDown: true } button:
                    var name = button.Button.ToWireName();
                    clicks[name] = clicks.GetValueOrDefault(name) + 1;
                    EndRun();
                    break;
                case ScrollPayload scroll:
                    up += scroll.Dy < 0 ? 1 : 0;
                    down += scroll.Dy > 0 ? 1 : 0;
                    break;
                case GapPayload:
                    gaps++;
                    break;
                case ElementPayload element:
                    elements.Add(DescribeElement(element));
                    break;
                case UiPayload ui:
                    uiActions.Add(DescribeUi(ui));
                    break;
                case FramePayload frame:
                    frames++;
                    blobs.Add(frame.Blob);
                    break;
                case RedactionPayload redaction:
                    redactions[redaction.Type] = redactions.GetValueOrDefault(redaction.Type) + redaction.Count;
                    sensitiveFields += redaction.Target == RedactionTargets.SensitiveField ? 1 : 0;
                    break;
            }
        }
        EndRun();
        var duration = first is { } start && last is { } end ? TimeSpan.FromTicks((end - start) / 100) : TimeSpan.Zero;
        return new RecordingSummary(counts, apps, typed, clicks, up, down, hotkeys, gaps, duration)
        {
            Elements = elements,
            UiActions = uiActions,
            Frames = frames,
            FrameBlobs = blobs.Count,
            RedactionsByType = redactions,
            SensitiveFields = sensitiveFields,
        };
    }

    private static string DescribeElement(ElementPayload element)
    {
        var what = element.Trigger == ElementTriggers.Pointer ? "click on" : "typing into";
        var name = element.Label ?? element.Name;
        return string.IsNullOrEmpty(name) ? $"{what} {element.Role}" : $"{what} {element.Role} \"{name}\"";
    }

    private static string DescribeUi(UiPayload ui)
    {
        var control = string.IsNullOrEmpty(ui.Control) ? ui.ControlRole ?? "control" : $"{ui.ControlRole ?? "control"} \"{ui.Control}\"";
        return ui.Action switch
        {
            Core.Model.UiActions.Select => $"select \"{ui.Value}\" in {control}",
            Core.Model.UiActions.Menu => $"menu {string.Join(" > ", ui.Path)}",
            Core.Model.UiActions.Toggle => $"{(ui.Checked == true ? "check" : "uncheck")} {control}",
            _ => $"{ui.Action} {control} = \"{ui.Value}\"",
        };
    }

    private static bool IsModifierKey(string key) =>
        key.StartsWith("shift", StringComparison.Ordinal) || key.StartsWith("control", StringComparison.Ordinal) ||
        key.StartsWith("alt", StringComparison.Ordinal) || key.StartsWith("super", StringComparison.Ordinal) ||
        key.StartsWith("meta", StringComparison.Ordinal) || key.StartsWith("iso_level3", StringComparison.Ordinal);
}
