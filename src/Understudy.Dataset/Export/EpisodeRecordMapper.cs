using Understudy.Core.Model;
using Understudy.Dataset.Episodes;
using Understudy.Dataset.Reduction;

namespace Understudy.Dataset.Export;

/// <summary>An assembled <see cref="Episode"/> as the native schema's record; frames become image files through the given function.</summary>
public static class EpisodeRecordMapper
{
    /// <param name="image">The image file (relative path) for a frame, or null when it could not be made.</param>
    public static EpisodeRecord ToRecord(Episode episode, Func<FrameRef, FrameRecord?> image)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(image);
        var startNs = episode.Steps.Count > 0 ? episode.Steps[0].Action.StartMonoNs : 0;
        var steps = new List<StepRecord>(episode.Steps.Count);
        var lostFrame = false;
        foreach (var step in episode.Steps)
        {
            var before = step.Before is null ? null : Frame(step.Before, image, startNs);
            var after = step.After is null ? null : Frame(step.After, image, startNs);
            lostFrame |= (step.Before is not null && before is null) || (step.After is not null && after is null);
            steps.Add(new StepRecord
            {
                Index = step.Index,
                Action = Action(step.Action, startNs),
                Before = before,
                After = after,
            });
        }
        var quality = episode.Quality;
        if (lostFrame && !quality.Contains(QualityFlags.MissingFrames))
        {
            var flags = new HashSet<string>(quality, StringComparer.Ordinal) { QualityFlags.MissingFrames };
            quality = [.. QualityFlags.All.Where(flags.Contains)];
        }
        return new EpisodeRecord
        {
            EpisodeId = episode.Id,
            SessionId = episode.SessionId,
            Index = episode.Index,
            Task = episode.Task,
            TaskSource = episode.TaskSource,
            EndReason = episode.EndReason,
            Apps = episode.Apps,
            StartedAt = episode.StartWall,
            EndedAt = episode.EndWall,
            DurationMs = episode.DurationMs,
            Screen = episode.Screen is { } screen ? new ScreenRecord(screen.Width, screen.Height) : null,
            RawEvents = episode.RawEvents,
            Quality = quality,
            ActionsByKind = episode.ActionsByKind(),
            DropsByReason = episode.DropsByReason,
            RedactionsByType = episode.RedactionsByType,
            GapMsByReason = episode.GapMsByReason,
            Steps = steps,
        };
    }

    private static FrameRecord? Frame(FrameRef frame, Func<FrameRef, FrameRecord?> image, long startNs)
    {
        var made = image(frame);
        return made is null ? null : made with { OffsetMs = Math.Max(0, (frame.GrabbedMonoNs - startNs) / 1_000_000) };
    }

    private static ActionRecord Action(AgentAction action, long startNs)
    {
        var isPointer = action.Kind is ActionKind.Click or ActionKind.Drag or ActionKind.Hold;
        return new ActionRecord
        {
            Kind = action.Kind.ToWireName(),
            FirstSeq = action.FirstSeq,
            LastSeq = action.LastSeq,
            OffsetMs = Math.Max(0, (action.StartMonoNs - startNs) / 1_000_000),
            DurationMs = Math.Max(0, (action.EndMonoNs - action.StartMonoNs) / 1_000_000),
            Position = action.Position is { } at ? new PointRecord(at.X, at.Y) : null,
            EndPosition = action.EndPosition is { } end ? new PointRecord(end.X, end.Y) : null,
            Button = action.Button?.ToWireName(),
            Clicks = action.Clicks > 0 ? action.Clicks : null,
            ScrollDx = action.Kind == ActionKind.Scroll ? action.ScrollDx : null,
            ScrollDy = action.Kind == ActionKind.Scroll ? action.ScrollDy : null,
            Text = action.Text,
            Keys = action.Keys.Count > 0 ? [.. action.Keys] : null,
            Repeat = action.Kind == ActionKind.Press ? action.Repeat : null,
            HeldModifiers = action.HeldModifiers.Count > 0 ? [.. action.HeldModifiers] : null,
            Ui = action.Ui is { } ui ? new UiRecord(ui.Control, ui.ControlRole, ui.Value, ui.Path.Count > 0 ? [.. ui.Path] : null, ui.Checked) : null,
            Target = action.Target is { } target ? Element(target) : null,
            Context = action.Context is { } context ? new ContextRecord(context.App, context.Instance, context.Title, Rectangle(context.WindowBounds)) : null,
            PointerPath = isPointer || action.PointerPath.Count > 0 ? [.. action.PointerPath.Select(p => new[] { p.OffsetMs, p.X, p.Y })] : null,
            Redactions = action.Redactions.Count > 0 ? [.. action.Redactions] : null,
        };
    }

    private static ElementRecord Element(ElementPayload element) => new(
        element.Role,
        element.Name,
        element.Label,
        [.. element.States],
        Rectangle(element.Bounds),
        element.App,
        [.. element.Path.Select(a => new AncestorRecord(a.Role, a.Name))]);

    private static RectRecord? Rectangle(Rect? rect) => rect is { } r ? new RectRecord(r.X, r.Y, r.Width, r.Height) : null;
}
