using Understudy.Core.Model;

namespace Understudy.Dataset.Import;

/// <summary>
/// A source recording as our events, numbered provisionally from 0 and not yet guarded: what the
/// recorder's pipeline holds between its sequencer and its privacy guard. Only in memory.
/// </summary>
internal sealed class MappedRecording
{
    public List<SessionEvent> Events { get; } = [];

    /// <summary>The source clock reading of mono 0.</summary>
    public double T0 { get; init; }

    /// <summary>The source clock reading at which the video starts, if known.</summary>
    public double? VideoStartTs { get; init; }

    /// <summary>Paused stretches in source clock seconds: the video (OBS paused with the tool) has none of them.</summary>
    public List<(double From, double To)> Paused { get; } = [];

    public long ElementsImported { get; set; }

    /// <summary>The wall-clock time of a mono reading (the anchor is the metadata start time, else the events file's modification time).</summary>
    public required Func<long, DateTimeOffset> WallAt { get; init; }

    public long LastMonoNs => Events.Count == 0 ? 0 : Events[^1].MonoNs;

    /// <summary>Seconds into the video at <paramref name="monoNs"/>, or null when the video start is not known.</summary>
    public double? VideoSeconds(long monoNs)
    {
        if (VideoStartTs is not { } start)
        {
            return null;
        }
        var ts = T0 + (monoNs / 1e9);
        var paused = Paused.Where(p => p.From < ts).Sum(p => Math.Min(p.To, ts) - p.From);
        return ts - start - paused;
    }
}

/// <summary>Maps the records of a source recording to our events, in time order (see docs/import.md).</summary>
internal static class RecordingMapper
{
    /// <summary>An element is the one of a press when its listener stamped it this close to the press.</summary>
    public const double ElementMatchSeconds = 0.5;

    public static MappedRecording Map(SourceRecording source, ImportDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var ordered = source.Events.OrderBy(e => e.Ts).ThenBy(e => e.Order).ToList();
        var t0 = ordered[0].Ts;
        var tLast = ordered[^1].Ts;
        var (wallAnchor, wallAnchorTs) = source.StartWall is { } startWall
            ? (startWall, source.VideoStartTs ?? t0)
            : (source.EventsFileWritten, tLast);
        DateTimeOffset Wall(long mono) => wallAnchor.AddTicks((long)Math.Round(((t0 - wallAnchorTs) * 1e7) + (mono / 100.0)));
        var mapped = new MappedRecording { T0 = t0, VideoStartTs = source.VideoStartTs, WallAt = Wall };
        var elements = MatchElements(source, ordered, diagnostics);

        long lastMono = 0;
        long Mono(double ts)
        {
            var mono = (long)Math.Round((ts - t0) * 1e9);
            lastMono = Math.Max(lastMono, mono);
            return lastMono;
        }
        void Add(long mono, EventPayload payload) => mapped.Events.Add(new SessionEvent(mapped.Events.Count, mono, Wall(mono), payload));

        Add(0, new MarkerPayload(MarkerTypes.SessionBegin, null));
        if (source.Task is { } task)
        {
            Add(0, new MarkerPayload(MarkerTypes.TaskBegin, task));
        }

        var held = Modifiers.None;
        var keyCodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var windowIds = new Dictionary<string, long>(StringComparer.Ordinal);
        string? app = null;
        double? pausedAt = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            var e = ordered[i];
            var mono = Mono(e.Ts);
            switch (e.Kind)
            {
                case SourceKind.Move:
                    Add(mono, new PointerMovePayload(Coordinate(e.X), Coordinate(e.Y)));
                    break;
                case SourceKind.Click:
                    Add(mono, new ButtonPayload(e.Pressed, ButtonOf(e.Button), Coordinate(e.X), Coordinate(e.Y), held));
                    if (elements.TryGetValue(i, out var element))
                    {
                        Add(mono, new ElementPayload(mapped.Events[^1].Seq, ElementTriggers.Pointer, element.Role, element.Name, element.Label, element.States, element.Bounds, app, null, []));
                        mapped.ElementsImported++;
                    }
                    break;
                case SourceKind.Scroll:
                    // pynput: dy > 0 scrolls up, dx > 0 right; the tools' own playback multiplies both by
                    // scroll_direction (-1 with natural scrolling). Ours: dy > 0 is down.
                    var dx = (int)Math.Round(source.ScrollDirection * e.Dx, MidpointRounding.AwayFromZero);
                    var dy = (int)Math.Round(-source.ScrollDirection * e.Dy, MidpointRounding.AwayFromZero);
                    if (dx == 0 && dy == 0)
                    {
                        diagnostics.Count(SkipReasons.EmptyScroll);
                        break;
                    }
                    Add(mono, new ScrollPayload(dx, dy, Coordinate(e.X), Coordinate(e.Y), held));
                    break;
                case SourceKind.Press or SourceKind.Release:
                    var down = e.Kind == SourceKind.Press;
                    if (PynputKeys.Map(e.Name!, held) is not { } key)
                    {
                        diagnostics.Skip(e.File, e.Line, SkipReasons.UnknownKey, "a key pynput could not name (line skipped)");
                        break;
                    }
                    if (!keyCodes.TryGetValue(key.Key, out var code))
                    {
                        // The tools record no X keycodes: one stable stand-in per key, so presses and releases pair up.
                        code = 8 + keyCodes.Count;
                        keyCodes[key.Key] = code;
                    }
                    Add(mono, new KeyPayload(down, key.Key, down ? key.Text : null, held, code));
                    var modifier = PynputKeys.ModifierOf(key.Key);
                    if (modifier != Modifiers.None)
                    {
                        held = down ? held | modifier : held & ~modifier;
                    }
                    else if (key.Key == "caps_lock" && down)
                    {
                        held ^= Modifiers.CapsLock;
                    }
                    break;
                case SourceKind.Focus:
                    app = e.Name!;
                    if (!windowIds.TryGetValue(app, out var windowId))
                    {
                        windowId = windowIds.Count + 1;
                        windowIds[app] = windowId;
                    }
                    Add(mono, new FocusPayload(app, null, null, null, null, windowId));
                    break;
                case SourceKind.Pause:
                    pausedAt ??= e.Ts;
                    break;
                case SourceKind.Resume:
                    if (pausedAt is not { } from)
                    {
                        diagnostics.Count(SkipReasons.UnmatchedResume);
                        break;
                    }
                    mapped.Paused.Add((from, e.Ts));
                    Add(mono, new GapPayload(GapReasons.Paused, (long)Math.Round((e.Ts - from) * 1e9), 0));
                    pausedAt = null;
                    break;
            }
        }
        if (pausedAt is { } openPause)
        {
            mapped.Paused.Add((openPause, tLast));
            Add(lastMono, new GapPayload(GapReasons.Paused, (long)Math.Round((tLast - openPause) * 1e9), 0));
        }
        if (source.Task is not null)
        {
            Add(lastMono, new MarkerPayload(MarkerTypes.TaskEnd, null));
        }
        Add(lastMono, new MarkerPayload(MarkerTypes.SessionEnd, "imported"));
        return mapped;
    }

    /// <summary>Ties each recorded element to the press nearest in time (the element listener stamps its own press), at most one per press.</summary>
    private static Dictionary<int, SourceElement> MatchElements(SourceRecording source, List<SourceEvent> ordered, ImportDiagnostics diagnostics)
    {
        var presses = new List<(double Ts, int Index)>();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i] is { Kind: SourceKind.Click, Pressed: true })
            {
                presses.Add((ordered[i].Ts, i));
            }
        }
        var matched = new Dictionary<int, SourceElement>();
        foreach (var element in source.Elements.OrderBy(e => e.Ts))
        {
            var best = -1;
            var bestDistance = double.MaxValue;
            foreach (var (ts, index) in presses)
            {
                var distance = Math.Abs(ts - element.Ts);
                if (distance <= ElementMatchSeconds && distance < bestDistance && !matched.ContainsKey(index))
                {
                    best = index;
                    bestDistance = distance;
                }
            }
            if (best < 0)
            {
                diagnostics.Skip(RecordingReader.ElementFile, element.Line, SkipReasons.ElementWithoutClick, "no press within 0.5 s of this element (line skipped)");
                continue;
            }
            matched[best] = element;
        }
        return matched;
    }

    private static int Coordinate(double value) => (int)Math.Round(value, MidpointRounding.AwayFromZero);

    private static MouseButton ButtonOf(string? name) => name switch
    {
        "left" => MouseButton.Left,
        "middle" => MouseButton.Middle,
        "right" => MouseButton.Right,
        "x1" or "button8" => MouseButton.Back,
        "x2" or "button9" => MouseButton.Forward,
        _ => MouseButton.Other,
    };
}
