using Understudy.Core.Model;
using Understudy.Dataset.Reduction;

namespace Understudy.Dataset.Episodes;

/// <summary>What the builder knows of a session before reading its events (from its manifest).</summary>
public sealed record SessionFacts(string SessionId, ScreenSize? Screen, bool? Accessibility, bool? Frames);

/// <summary>
/// Takes the reducer's output in session order, gives each action its observations (the element
/// it acted on, the frames recorded before and after it, the ui event that names it, what was
/// redacted from it) and cuts the steps into episodes. It streams: it holds the actions of the
/// last few seconds, whose observations may still arrive, and the episode being built.
/// </summary>
public sealed class EpisodeAssembler : IReductionSink
{
    private const int RecentFrames = 64;
    private const int RecentFocus = 64;

    private readonly SessionFacts _session;
    private readonly EpisodeOptions _options;
    private readonly ReductionOptions _reduction;
    private readonly Action<Episode> _onEpisode;
    private readonly long _windowNs;
    private readonly long _idleNs;
    private readonly long _uiWindowNs;

    // Steps whose observations may still arrive, in arrival order, and the seqs they consumed.
    private readonly List<PendingStep> _pending = [];
    private readonly Dictionary<long, PendingStep> _bySeq = [];

    // Observations for seqs no action has claimed yet (the reducer still holds the action), with when they came.
    private readonly Dictionary<long, List<(long ArrivedNs, SessionEvent Observation)>> _orphans = [];
    private readonly List<SessionEvent> _waitingUi = [];
    private readonly List<FramePayload> _recentFrames = [];

    // What was focused after a seq (null: the focus moved somewhere unknown), in arrival order.
    private readonly List<(long Key, long AfterSeq, ElementPayload? Element)> _focus = [];

    // Boundaries in seq order; segment i holds what lies between boundary i-1 and boundary i.
    private readonly List<Segment> _segments = [];
    private Segment _current;
    private int _episodeIndex;
    private AgentAction? _lastAction;
    private string? _currentApp;
    private long _nowNs;
    private int _finalizedSegment;
    private TrajectoryStepBuilder? _lastFinalized;

    public EpisodeAssembler(SessionFacts session, EpisodeOptions options, ReductionOptions reduction, Action<Episode> onEpisode)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reduction);
        ArgumentNullException.ThrowIfNull(onEpisode);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }
        _session = session;
        _options = options;
        _reduction = reduction;
        _onEpisode = onEpisode;
        _windowNs = (long)options.ObservationWindow.TotalNanoseconds;
        _idleNs = (long)options.IdleGap.TotalNanoseconds;
        _uiWindowNs = (long)reduction.UiAttachWindow.TotalNanoseconds;
        _current = new Segment(0, task: null, startSeq: 0);
        _segments.Add(_current);
    }

    /// <summary>The session's log ended early (damage, a crash): the last episode is flagged truncated.</summary>
    public bool Truncated { get; set; }

    public void OnAction(AgentAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Advance(action.EndMonoNs);
        if (_current.Task is null && _lastAction is { } previous && action.StartMonoNs - previous.EndMonoNs > _idleNs && _current.HasSteps)
        {
            StartSegment(action.FirstSeq, EpisodeEnds.Idle, task: null);
        }
        _lastAction = action;
        var step = new PendingStep(new TrajectoryStepBuilder(action), _current);
        _current.HasSteps = true;
        if (action.Context?.App is { } app)
        {
            _current.AddApp(app);
        }
        _pending.Add(step);
        foreach (var seq in action.InputSeqs)
        {
            _bySeq[seq] = step;
            if (_orphans.Remove(seq, out var waiting))
            {
                foreach (var (_, observation) in waiting)
                {
                    Observe(observation);
                }
            }
        }
        if (action.Kind == ActionKind.Click || (action.Kind == ActionKind.Press && action.Keys.Count > 0 && action.Keys[^1] is "tab" or "enter"))
        {
            // Focus moves with a click, Tab or Enter: what was focused before no longer says where typing goes.
            RememberFocus(action.LastSeq, null);
        }
        // Actions come in order: a ui event older than this action's start has seen every action that could have caused it.
        ResolveUi(ui => ui.MonoNs < action.StartMonoNs);
        FinalizeDue();
    }

    public void OnDrop(ReductionDrop drop)
    {
        SegmentOf(drop.Seq).CountDrop(drop.Reason);
    }

    public void OnEvent(SessionEvent observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        Advance(observation.MonoNs);
        switch (observation.Payload)
        {
            case MarkerPayload { Marker: MarkerTypes.TaskBegin } begin:
                StartSegment(observation.Seq, EpisodeEnds.TaskBegin, begin.Label ?? string.Empty);
                break;
            case MarkerPayload { Marker: MarkerTypes.TaskEnd }:
                if (_current.Task is not null)
                {
                    StartSegment(observation.Seq, EpisodeEnds.TaskEnd, task: null);
                }
                break;
            case FocusPayload focus:
                RememberFocus(observation.Seq, null);
                if (_options.SplitAtAppSwitch && _current.Task is null && _current.HasSteps && _currentApp is { } app && app != focus.App)
                {
                    StartSegment(observation.Seq, EpisodeEnds.AppSwitch, task: null);
                }
                _currentApp = focus.App;
                break;
            case GapPayload gap:
                SegmentOf(observation.Seq).CountGap(gap);
                if (gap.Reason == GapReasons.OutOfScope && _options.SplitAtAppSwitch && _current.Task is null && _current.HasSteps)
                {
                    // Work went to an application outside the policy: what comes back is another episode.
                    StartSegment(observation.Seq + 1, EpisodeEnds.AppSwitch, task: null);
                    _currentApp = null;
                }
                break;
            case RedactionPayload redaction:
                SegmentOf(observation.Seq).CountRedaction(redaction);
                if (redaction is { Target: RedactionTargets.Typed, FromSeq: { } from })
                {
                    AttachOrWait(from, observation);
                }
                break;
            case ElementPayload { Trigger: ElementTriggers.FocusChange } element:
                // The field focused when the report came (late, after a Tab): keys after ForSeq went there.
                RememberFocus(element.ForSeq, element, reportedAt: observation.Seq);
                AttachOrWait(element.ForSeq, observation);
                break;
            case ElementPayload element:
                if (element.Trigger == ElementTriggers.Focus)
                {
                    RememberFocus(element.ForSeq - 1, element);
                }
                AttachOrWait(element.ForSeq, observation);
                break;
            case FramePayload frame:
                RememberFrame(frame);
                if (frame.ForSeq is { } forSeq)
                {
                    AttachOrWait(forSeq, observation);
                }
                break;
            case UiPayload:
                // The action that caused it may still be held by the reducer (a key press waits for repeats).
                _waitingUi.Add(observation);
                break;
        }
        FinalizeDue();
    }

    /// <summary>The session's events are over: every step is finished and the last episode handed on.</summary>
    public void Complete()
    {
        _nowNs = long.MaxValue / 2;
        ResolveUi(_ => true);
        FinalizeDue();
        EmitSegmentsBefore(_segments.Count, EpisodeEnds.SessionEnd, last: true);
    }

    private void Advance(long monoNs) => _nowNs = Math.Max(_nowNs, monoNs);

    private void StartSegment(long seq, string endReason, string? task)
    {
        _current.EndReason = endReason;
        _current = new Segment(_segments.Count, task, seq);
        _segments.Add(_current);
    }

    private Segment SegmentOf(long seq)
    {
        // Segments are few and mostly the last one is asked for.
        for (var i = _segments.Count - 1; i >= 0; i--)
        {
            if (_segments[i].StartSeq <= seq)
            {
                return _segments[i];
            }
        }
        return _segments[0];
    }

    private void AttachOrWait(long seq, SessionEvent observation)
    {
        if (_bySeq.TryGetValue(seq, out var step))
        {
            Observe(observation, step);
            return;
        }
        if (!_orphans.TryGetValue(seq, out var list))
        {
            list = [];
            _orphans[seq] = list;
        }
        list.Add((_nowNs, observation));
    }

    private void Observe(SessionEvent observation)
    {
        var seq = observation.Payload switch
        {
            ElementPayload element => element.ForSeq,
            FramePayload { ForSeq: { } forSeq } => forSeq,
            RedactionPayload { FromSeq: { } from } => from,
            _ => -1,
        };
        if (_bySeq.TryGetValue(seq, out var step))
        {
            Observe(observation, step);
        }
    }

    private void Observe(SessionEvent observation, PendingStep step)
    {
        switch (observation.Payload)
        {
            case ElementPayload element:
                step.Builder.OfferElement(element);
                if (element.Trigger == ElementTriggers.Pointer && step.Builder.Action.Kind == ActionKind.Click && element.States.Contains("editable"))
                {
                    RememberFocus(step.Builder.Action.LastSeq, element);
                }
                break;
            case FramePayload frame:
                step.Builder.OfferFrame(Reference(frame, FrameSources.Recorded), frame.Role, frame.ForSeq ?? 0);
                break;
            case RedactionPayload redaction:
                step.Builder.AddRedaction(redaction.Type, redaction.Count);
                break;
        }
    }

    private void ResolveUi(Func<SessionEvent, bool> due)
    {
        for (var i = 0; i < _waitingUi.Count;)
        {
            var observation = _waitingUi[i];
            if (!due(observation))
            {
                i++;
                continue;
            }
            _waitingUi.RemoveAt(i);
            if (!TryAttachUi(observation, (UiPayload)observation.Payload))
            {
                AddStandaloneUi(observation);
            }
        }
    }

    private void RememberFocus(long afterSeq, ElementPayload? element, long? reportedAt = null)
    {
        // Keys are doubled so that an element outranks a focus move at the same seq, whichever came first.
        var key = 2 * (reportedAt ?? afterSeq) + (element is null ? 0 : 1);
        _focus.Add((key, afterSeq, element));
        if (_focus.Count > RecentFocus)
        {
            _focus.RemoveRange(0, _focus.Count - RecentFocus);
        }
    }

    // The field focused just before the action began: the newest record known before it, unless
    // something moved the focus since; then (unless only what was known before may count) the
    // first late report that covers it, since a toolkit reports a Tab's new focus after the fact.
    private ElementPayload? FocusedBefore(long seq, bool knownBefore)
    {
        (long Key, long AfterSeq, ElementPayload? Element)? known = null;
        (long Key, long AfterSeq, ElementPayload? Element)? late = null;
        foreach (var record in _focus)
        {
            if (record.Key < 2 * seq)
            {
                if (known is null || record.Key >= known.Value.Key)
                {
                    known = record;
                }
            }
            else if (record.AfterSeq < seq && record.Element is not null && (late is null || record.Key < late.Value.Key))
            {
                late = record;
            }
        }
        return known?.Element ?? (knownBefore ? null : late?.Element);
    }

    private bool TryAttachUi(SessionEvent observation, UiPayload ui)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var action = _pending[i].Builder.Action;
            if (action.StartMonoNs <= observation.MonoNs && observation.MonoNs - action.EndMonoNs <= _uiWindowNs)
            {
                if (_pending[i].Builder.TryMakeSemantic(ui))
                {
                    return true;
                }
            }
            if (observation.MonoNs - action.EndMonoNs > _uiWindowNs)
            {
                break;
            }
        }
        return false;
    }

    private void AddStandaloneUi(SessionEvent observation)
    {
        var ui = (UiPayload)observation.Payload;
        var action = new AgentAction
        {
            Kind = SemanticKind(ui.Action),
            FirstSeq = observation.Seq,
            LastSeq = observation.Seq,
            StartMonoNs = observation.MonoNs,
            EndMonoNs = observation.MonoNs,
            StartWall = observation.Wall,
            Ui = new UiTarget(ui.Control, ui.ControlRole, ui.Value, ui.Path, ui.Checked),
            Context = _lastAction?.Context,
            InputSeqs = [],
        };
        var segment = SegmentOf(observation.Seq);
        segment.HasSteps = true;
        var index = _pending.FindIndex(p => p.Builder.Action.StartMonoNs > observation.MonoNs);
        var step = new PendingStep(new TrajectoryStepBuilder(action), segment);
        if (index < 0)
        {
            _pending.Add(step);
        }
        else
        {
            _pending.Insert(index, step);
        }
    }

    internal static ActionKind SemanticKind(string uiAction) => uiAction switch
    {
        UiActions.Select => ActionKind.Select,
        UiActions.Menu => ActionKind.Menu,
        UiActions.Toggle => ActionKind.Toggle,
        _ => ActionKind.SetValue,
    };

    private void RememberFrame(FramePayload frame)
    {
        _recentFrames.Add(frame);
        if (_recentFrames.Count > RecentFrames)
        {
            _recentFrames.RemoveRange(0, _recentFrames.Count - RecentFrames);
        }
    }

    private FrameRef Reference(FramePayload frame, string source) =>
        new(_session.SessionId, frame.Blob, frame.GrabbedMonoNs, frame.Region, frame.Scale, frame.Width, frame.Height, frame.Format, frame.Base, source);

    private void FinalizeDue()
    {
        ResolveUi(ui => _nowNs - ui.MonoNs > _windowNs);
        // A step a waiting ui event may still turn semantic stays until that event is resolved.
        var holdFrom = _waitingUi.Count == 0 ? long.MaxValue : _waitingUi.Min(u => u.MonoNs) - _uiWindowNs;
        var due = 0;
        while (due < _pending.Count && _nowNs - _pending[due].Builder.Action.EndMonoNs > _windowNs && _pending[due].Builder.Action.EndMonoNs < holdFrom)
        {
            due++;
        }
        for (var i = 0; i < due; i++)
        {
            FinalizeStep(_pending[i]);
        }
        _pending.RemoveRange(0, due);
        if (_orphans.Count > 0)
        {
            foreach (var seq in _orphans.Where(o => _nowNs - o.Value[0].ArrivedNs > 2 * _windowNs).Select(o => o.Key).ToList())
            {
                // Observations of input that became no action (a dropped lone shift, say).
                _orphans.Remove(seq);
            }
        }
    }

    private void FinalizeStep(PendingStep step)
    {
        if (step.Builder.Action.Position is null && !step.Builder.HasOwnTarget)
        {
            var keys = step.Builder.Action.Keys;
            // Tab and Enter act on the field they leave: only what was known before them counts.
            var movesFocus = keys.Count > 0 && keys[^1] is "tab" or "enter";
            step.Builder.InheritTarget(FocusedBefore(step.Builder.Action.FirstSeq, movesFocus), allowLateFocus: !movesFocus);
        }
        foreach (var seq in step.Builder.Action.InputSeqs)
        {
            _bySeq.Remove(seq);
        }
        // An action without a recorded before frame shows the newest frame grabbed before it.
        if (step.Builder.Before is null && _session.Frames != false)
        {
            var start = step.Builder.Action.StartMonoNs;
            var nearest = _recentFrames.LastOrDefault(f => f.GrabbedMonoNs <= start);
            if (nearest is not null)
            {
                step.Builder.OfferFrame(Reference(nearest, FrameSources.Nearest), FrameRoles.Before, 0);
            }
        }
        if (_lastFinalized is { After: null } previous && step.Builder.Before is { } before && previous.Segment == step.Segment.Index)
        {
            previous.After = before with { Source = FrameSources.Nearest };
        }
        if (step.Segment.Index > _finalizedSegment)
        {
            EmitSegmentsBefore(step.Segment.Index, reason: null, last: false);
        }
        step.Builder.Segment = step.Segment.Index;
        step.Segment.Steps.Add(step.Builder);
        _lastFinalized = step.Builder;
    }

    private void EmitSegmentsBefore(int segmentIndex, string? reason, bool last)
    {
        for (var i = _finalizedSegment; i < segmentIndex; i++)
        {
            var segment = _segments[i];
            if (segment.Steps.Count > 0)
            {
                var isLast = last && i == segmentIndex - 1;
                _onEpisode(Build(segment, segment.EndReason ?? reason ?? EpisodeEnds.SessionEnd, isLast));
            }
            // Its data is no longer needed; keep the boundary for seq lookups.
            segment.Steps.Clear();
        }
        _finalizedSegment = Math.Max(_finalizedSegment, segmentIndex);
    }

    private Episode Build(Segment segment, string endReason, bool isLast)
    {
        var steps = new List<TrajectoryStep>(segment.Steps.Count);
        for (var i = 0; i < segment.Steps.Count; i++)
        {
            steps.Add(segment.Steps[i].Build(i));
        }
        var first = steps[0].Action;
        var lastAction = steps[^1].Action;
        var durationMs = Math.Max(0, (lastAction.EndMonoNs - first.StartMonoNs) / 1_000_000);
        var quality = new HashSet<string>(StringComparer.Ordinal);
        if (segment.GapMs.ContainsKey(GapReasons.InputOverflow) || segment.GapMs.ContainsKey(GapReasons.DisplayLost))
        {
            quality.Add(QualityFlags.LostInput);
        }
        if (_session.Frames == false)
        {
            quality.Add(QualityFlags.NoFrames);
        }
        else if (segment.GapMs.ContainsKey(GapReasons.FrameLost) || steps.Any(s => s.Before is null || s.After is null || s.Before.Source != FrameSources.Recorded))
        {
            quality.Add(steps.All(s => s.Before is null) ? QualityFlags.NoFrames : QualityFlags.MissingFrames);
        }
        if (_session.Accessibility == false)
        {
            quality.Add(QualityFlags.NoAccessibility);
        }
        if (segment.GapMs.ContainsKey(GapReasons.ElementTimeout) || segment.GapMs.ContainsKey(GapReasons.AccessibilityLost))
        {
            quality.Add(QualityFlags.MissingElements);
        }
        if (segment.Redactions.ContainsKey(RedactionTypes.SensitiveField) || segment.Redactions.ContainsKey("UNSCANNED"))
        {
            quality.Add(QualityFlags.RedactionGaps);
        }
        if (steps.Count < _options.MinSteps || durationMs < _options.MinDuration.TotalMilliseconds)
        {
            quality.Add(QualityFlags.TooShort);
        }
        if (segment.GapMs.ContainsKey(GapReasons.Paused) || segment.GapMs.ContainsKey(GapReasons.OutOfScope))
        {
            quality.Add(QualityFlags.Interrupted);
        }
        if (isLast && Truncated)
        {
            quality.Add(QualityFlags.Truncated);
        }
        var index = _episodeIndex++;
        return new Episode
        {
            Id = $"{_session.SessionId}-{index:D3}",
            SessionId = _session.SessionId,
            Index = index,
            Task = segment.Task is { Length: > 0 } task ? task : null,
            TaskSource = segment.Task is null ? TaskSources.None : TaskSources.Marker,
            EndReason = endReason,
            Apps = segment.Apps,
            StartWall = first.StartWall,
            EndWall = first.StartWall + TimeSpan.FromMilliseconds(durationMs),
            DurationMs = durationMs,
            Screen = _session.Screen,
            Steps = steps,
            RawEvents = segment.RawEvents,
            DropsByReason = new SortedDictionary<string, int>(segment.Drops, StringComparer.Ordinal),
            RedactionsByType = new SortedDictionary<string, int>(segment.Redactions, StringComparer.Ordinal),
            GapMsByReason = new SortedDictionary<string, long>(segment.GapMs, StringComparer.Ordinal),
            Quality = QualityFlags.All.Where(quality.Contains).ToList(),
        };
    }

    /// <summary>Counts a raw event of the session toward the episode it falls in.</summary>
    public void CountRawEvent(long seq) => SegmentOf(seq).RawEvents++;

    private sealed class PendingStep(TrajectoryStepBuilder builder, Segment segment)
    {
        public TrajectoryStepBuilder Builder { get; } = builder;

        public Segment Segment { get; } = segment;
    }

    private sealed class Segment(int index, string? task, long startSeq)
    {
        private readonly HashSet<string> _apps = new(StringComparer.Ordinal);

        public int Index { get; } = index;

        public string? Task { get; } = task;

        public long StartSeq { get; } = startSeq;

        public string? EndReason { get; set; }

        public bool HasSteps { get; set; }

        public List<string> Apps { get; } = [];

        public List<TrajectoryStepBuilder> Steps { get; } = [];

        public long RawEvents { get; set; }

        public Dictionary<string, int> Drops { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Redactions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> GapMs { get; } = new(StringComparer.Ordinal);

        public void AddApp(string app)
        {
            if (_apps.Add(app))
            {
                Apps.Add(app);
            }
        }

        public void CountDrop(string reason) => Drops[reason] = Drops.GetValueOrDefault(reason) + 1;

        public void CountRedaction(RedactionPayload redaction) =>
            Redactions[redaction.Type] = Redactions.GetValueOrDefault(redaction.Type) + Math.Max(1, redaction.Count);

        public void CountGap(GapPayload gap) => GapMs[gap.Reason] = GapMs.GetValueOrDefault(gap.Reason) + (gap.DurationNs / 1_000_000);
    }
}

/// <summary>A step while its observations come in.</summary>
internal sealed class TrajectoryStepBuilder(AgentAction action)
{
    private readonly List<string> _redactions = [.. action.Redactions];
    private long _beforeForSeq = long.MaxValue;
    private long _afterForSeq = long.MinValue;
    private ElementPayload? _target;
    private ElementPayload? _lateFocus;
    private UiTarget? _ui;
    private ActionKind _kind = action.Kind;

    public AgentAction Action { get; } = action;

    public FrameRef? Before { get; private set; }

    public FrameRef? After { get; set; }

    public int Segment { get; set; }

    public void OfferElement(ElementPayload element)
    {
        var pointerAction = Action.Position is not null;
        var fits = element.Trigger == ElementTriggers.Pointer ? pointerAction : !pointerAction;
        if (!fits)
        {
            return;
        }
        // A late focus report names the field focused after the key, which may be the next field:
        // it is only the fallback when neither a lookup of this action nor the focus before it says.
        if (element.Trigger == ElementTriggers.FocusChange)
        {
            _lateFocus ??= element;
        }
        else
        {
            _target ??= element;
        }
    }

    public bool HasOwnTarget => _target is not null;

    public void InheritTarget(ElementPayload? focused, bool allowLateFocus)
    {
        _target = focused ?? (allowLateFocus ? _lateFocus : null);
        if (!allowLateFocus)
        {
            _lateFocus = null;
        }
    }

    public void OfferFrame(FrameRef frame, string role, long forSeq)
    {
        if (role == FrameRoles.Before)
        {
            if (Before is null || (frame.Source == FrameSources.Recorded && (Before.Source != FrameSources.Recorded || forSeq < _beforeForSeq)))
            {
                Before = frame;
                _beforeForSeq = forSeq;
            }
        }
        else if (After is null || After.Source != FrameSources.Recorded || forSeq >= _afterForSeq)
        {
            After = frame;
            _afterForSeq = forSeq;
        }
    }

    public void AddRedaction(string type, int count)
    {
        for (var i = 0; i < Math.Max(1, count); i++)
        {
            _redactions.Add(type);
        }
    }

    /// <summary>Turns a click or key press into the semantic action a ui event names; false if it is not one that can be.</summary>
    public bool TryMakeSemantic(UiPayload ui)
    {
        if (_ui is not null || Action.Kind is not (ActionKind.Click or ActionKind.Press))
        {
            return false;
        }
        _ui = new UiTarget(ui.Control, ui.ControlRole, ui.Value, ui.Path, ui.Checked);
        _kind = EpisodeAssembler.SemanticKind(ui.Action);
        return true;
    }

    public TrajectoryStep Build(int index) => new(
        index,
        Action with { Kind = _kind, Ui = _ui ?? Action.Ui, Target = _target ?? _lateFocus ?? Action.Target, Redactions = _redactions },
        Before,
        After);
}
