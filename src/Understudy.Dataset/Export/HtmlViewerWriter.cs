using System.Globalization;
using System.Net;
using System.Text;

namespace Understudy.Dataset.Export;

/// <summary>
/// <c>viewer/index.html</c> and one page an episode: each step's screen before the action with
/// the click point, drag or pointer path drawn over it, the action in words and as code, the
/// element it was aimed at with its ancestors, and the screen after. Static files, no script,
/// everything escaped.
/// </summary>
public sealed class HtmlViewerWriter : IDatasetWriter
{
    public const string Directory = "viewer";
    public const string IndexPath = "viewer/index.html";

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
        table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
        .step{display:grid;grid-template-columns:1fr 1fr;gap:1rem;border-top:2px solid #ccc;padding:1rem 0}
        .shot{position:relative}.shot img{width:100%;display:block;border:1px solid #999}
        .shot svg{position:absolute;left:0;top:0;width:100%;height:100%}
        .meta{grid-column:1/3}code{background:#f3f3f3;padding:.1rem .3rem;white-space:pre-wrap}
        .flag{background:#fde7c8;border-radius:3px;padding:0 .3rem;margin-right:.3rem}.none{color:#888;font-style:italic}
        """;

    private readonly DatasetLayout _layout;
    private readonly StringBuilder _index = new();
    private int _episodes;

    public HtmlViewerWriter(DatasetLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        System.IO.Directory.CreateDirectory(layout.Full(Directory));
    }

    public string Format => "html";

    public void Write(EpisodeRecord episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var page = $"{Directory}/{episode.EpisodeId}.html";
        File.WriteAllText(_layout.Full(page), EpisodePage(episode), new UTF8Encoding(false));
        _episodes++;
        _index.Append("<tr><td><a href=\"").Append(E(Path.GetFileName(page))).Append("\">").Append(E(episode.EpisodeId)).Append("</a></td><td>")
            .Append(episode.Task is null ? "<span class=\"none\">none</span>" : E(episode.Task)).Append("</td><td>")
            .Append(E(string.Join(", ", episode.Apps))).Append("</td><td>")
            .Append(episode.Steps.Count.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
            .Append((episode.DurationMs / 1000.0).ToString("0.0", CultureInfo.InvariantCulture)).Append(" s</td><td>")
            .Append(Flags(episode.Quality)).Append("</td></tr>\n");
    }

    private static string EpisodePage(EpisodeRecord episode)
    {
        var html = new StringBuilder();
        Head(html, episode.EpisodeId);
        html.Append("<p><a href=\"index.html\">all episodes</a></p><h1>").Append(E(episode.EpisodeId)).Append("</h1>\n<table>")
            .Append("<tr><th>task</th><td>").Append(episode.Task is null ? "<span class=\"none\">none</span>" : E(episode.Task)).Append("</td></tr>")
            .Append("<tr><th>apps</th><td>").Append(E(string.Join(", ", episode.Apps))).Append("</td></tr>")
            .Append("<tr><th>started</th><td>").Append(E(episode.StartedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</td></tr>")
            .Append("<tr><th>duration</th><td>").Append((episode.DurationMs / 1000.0).ToString("0.0", CultureInfo.InvariantCulture)).Append(" s, ")
            .Append(episode.Steps.Count.ToString(CultureInfo.InvariantCulture)).Append(" steps from ").Append(episode.RawEvents.ToString(CultureInfo.InvariantCulture)).Append(" raw events</td></tr>")
            .Append("<tr><th>ended by</th><td>").Append(E(episode.EndReason)).Append("</td></tr>")
            .Append("<tr><th>quality</th><td>").Append(episode.Quality.Count == 0 ? "clean" : Flags(episode.Quality)).Append("</td></tr></table>\n");
        foreach (var step in episode.Steps)
        {
            Step(html, episode, step);
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Step(StringBuilder html, EpisodeRecord episode, StepRecord step)
    {
        var action = step.Action;
        html.Append("<section class=\"step\" id=\"step-").Append(step.Index.ToString(CultureInfo.InvariantCulture)).Append("\">\n<div class=\"meta\"><h2>")
            .Append(step.Index.ToString(CultureInfo.InvariantCulture)).Append(". ").Append(E(ActionDescriptions.Describe(action))).Append("</h2>");
        if (episode.Screen is { } screen && PyAutoGuiCode.For(action, screen) is { } code)
        {
            html.Append("<p><code>").Append(E(code)).Append("</code></p>");
        }
        if (action.Target is { } target)
        {
            html.Append("<p>element: <b>").Append(E(target.Role)).Append("</b> ").Append(E(target.Name ?? target.Label ?? ""));
            if (target.Ancestors.Count > 0)
            {
                html.Append(" in ").Append(E(string.Join(" › ", target.Ancestors.Select(a => a.Name is null ? a.Role : $"{a.Role} \"{a.Name}\""))));
            }
            html.Append("</p>");
        }
        if (action.Context is { } context)
        {
            html.Append("<p>window: ").Append(E(context.App)).Append(context.Title is null ? "" : " — " + E(context.Title)).Append("</p>");
        }
        if (action.Redactions is { Count: > 0 } redactions)
        {
            html.Append("<p>redacted: ").Append(E(string.Join(", ", redactions))).Append("</p>");
        }
        html.Append("</div>\n");
        Shot(html, "before", step.Before, episode.Screen, action);
        Shot(html, "after", step.After, episode.Screen, null);
        html.Append("</section>\n");
    }

    private static void Shot(StringBuilder html, string label, FrameRecord? frame, ScreenRecord? screen, ActionRecord? marks)
    {
        html.Append("<div><div>").Append(label);
        if (frame is null)
        {
            html.Append(" <span class=\"none\">no frame</span></div></div>\n");
            return;
        }
        if (frame.Source != "recorded")
        {
            html.Append(" <span class=\"flag\">").Append(E(frame.Source)).Append("</span>");
        }
        html.Append("</div><div class=\"shot\"><img loading=\"lazy\" alt=\"").Append(label).Append("\" src=\"../").Append(E(frame.Image)).Append("\">");
        if (marks is not null && screen is not null)
        {
            Overlay(html, screen, marks);
        }
        html.Append("</div></div>\n");
    }

    private static void Overlay(StringBuilder html, ScreenRecord screen, ActionRecord action)
    {
        html.Append("<svg viewBox=\"0 0 ").Append(I(screen.Width)).Append(' ').Append(I(screen.Height)).Append("\" preserveAspectRatio=\"none\">");
        if (action.PointerPath is { Count: > 1 } path)
        {
            html.Append("<polyline fill=\"none\" stroke=\"#1e90ff\" stroke-width=\"3\" stroke-opacity=\".7\" points=\"");
            foreach (var sample in path)
            {
                html.Append(I(sample[1])).Append(',').Append(I(sample[2])).Append(' ');
            }
            html.Append("\"/>");
        }
        if (action.Position is { } at)
        {
            html.Append("<circle cx=\"").Append(I(at.X)).Append("\" cy=\"").Append(I(at.Y)).Append("\" r=\"14\" fill=\"none\" stroke=\"#e0245e\" stroke-width=\"4\"/>");
        }
        if (action.EndPosition is { } end && action.Position is { } start)
        {
            html.Append("<line x1=\"").Append(I(start.X)).Append("\" y1=\"").Append(I(start.Y)).Append("\" x2=\"").Append(I(end.X)).Append("\" y2=\"").Append(I(end.Y))
                .Append("\" stroke=\"#e0245e\" stroke-width=\"4\"/><circle cx=\"").Append(I(end.X)).Append("\" cy=\"").Append(I(end.Y)).Append("\" r=\"8\" fill=\"#e0245e\"/>");
        }
        html.Append("</svg>");
    }

    public IReadOnlyList<string> Complete()
    {
        var html = new StringBuilder();
        Head(html, "Episodes");
        html.Append("<h1>Episodes</h1><p>").Append(I(_episodes)).Append(" episodes. Statistics are in the dataset card (<a href=\"../README.md\">README.md</a>).</p>\n")
            .Append("<table><tr><th>episode</th><th>task</th><th>apps</th><th>steps</th><th>duration</th><th>quality</th></tr>\n")
            .Append(_index).Append("</table></body></html>\n");
        File.WriteAllText(_layout.Full(IndexPath), html.ToString(), new UTF8Encoding(false));
        return [IndexPath];
    }

    private static void Head(StringBuilder html, string title) =>
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'\"><title>")
            .Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");

    private static string Flags(IReadOnlyList<string> flags) => string.Concat(flags.Select(f => $"<span class=\"flag\">{E(f)}</span>"));

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
    }
}
