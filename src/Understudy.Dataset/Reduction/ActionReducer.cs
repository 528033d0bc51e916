using Understudy.Core.Model;

namespace Understudy.Dataset.Reduction;

/// <summary>
/// Reduces a session's raw input events, in seq order, into agent actions (docs/dataset.md has
/// the rules). It streams: memory holds the action being built, the pointer path since the last
/// action and the few actions waiting for their keys to be released, never the session.
/// Every key, button and scroll event ends up in exactly one action's
/// <see cref="AgentAction.InputSeqs"/> or in one <see cref="ReductionDrop"/>.
/// </summary>
public sealed class ActionReducer
{
    private const Modifiers CommandModifiers = Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super;

    private readonly ReductionOptions _options;
    private readonly IReductionSink _sink;
    private readonly long _multiClickNs;
    private readonly long _holdNs;
    private readonly long _scrollGapNs;
    private readonly long _typeGapNs;
    private readonly long _pressGapNs;
    private readonly long _releaseWaitNs;

    // Actions closed but not yet handed on (waiting for releases), and events queued behind them.
    private readonly Queue<object> _outbox = new();
    private readonly Dictionary<MouseButton, Press> _pressed = [];
    private readonly Dictionary<string, HeldModifier> _heldModifiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Draft> _keyOwners = new(StringComparer.Ordinal);
    private readonly List<(long MonoNs, int X, int Y)> _path = [];
    private Draft? _open;
    private Draft? _lastRedactedTyping;
    private ActionContext? _context;
    private long _nowNs;

    public ActionReducer(ReductionOptions options, IReductionSink sink)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }
        _options = options;
        _sink = sink;
        _multiClickNs = Ns(options.MultiClickInterval);
        _holdNs = Ns(options.HoldTime);
        _scrollGapNs = Ns(options.ScrollMergeGap);
        _typeGapNs = Ns(options.TypeMergeGap);
        _pressGapNs = Ns(options.PressRepeatGap);
        _releaseWaitNs = Ns(options.ReleaseWait);
    }

    public void Add(SessionEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        _nowNs = Math.Max(_nowNs, recorded.MonoNs);
        ExpireOpen();
        switch (recorded.Payload)
        {
            case PointerMovePayload move:
                OnMove(recorded, move);
                break;
            case ButtonPayload { IsDown: true } button:
                OnButtonDown(recorded, button);
                break;
            case ButtonPayload button:
                OnButtonUp(recorded, button);
                break;
            case ScrollPayload scroll:
                OnScroll(recorded, scroll);
                break;
            case KeyPayload { IsDown: true } key:
                OnKeyDown(recorded, key);
                break;
            case KeyPayload key:
                OnKeyUp(recorded, key);
                break;
            case RedactionPayload { Target: RedactionTargets.SensitiveField }:
                // The keys typed into a password field are not in the session: this event stands for them.
                CloseOpen();
                var hidden = NewDraft(ActionKind.Type, recorded);
                hidden.Text.InsertRedacted(TypedPlaceholder);
                hidden.Redactions.Add(RedactionTypes.SensitiveField);
                Close(hidden);
                Pass(recorded);
                break;
            case FocusPayload focus:
                CloseOpen();
                _context = new ActionContext(focus.App, focus.Instance, focus.Title, focus.Bounds);
                Pass(recorded);
                break;
            case GapPayload { Reason: GapReasons.FrameLost or GapReasons.ElementTimeout or GapReasons.AccessibilityLost }:
                // Observations were lost, not input: what the user was doing goes on.
                Pass(recorded);
                break;
            case GapPayload or MarkerPayload:
                CloseOpen();
                Pass(recorded);
                break;
            default:
                Pass(recorded);
                break;
        }
        Drain(force: false);
    }

    /// <summary>The session ended: everything still open is handed on, presses never released are dropped.</summary>
    public void Complete()
    {
        CloseOpen();
        foreach (var press in _pressed.Values)
        {
            _sink.OnDrop(new ReductionDrop(press.Seq, DropReasons.PressWithoutRelease));
        }
        _pressed.Clear();
        foreach (var held in _heldModifiers.Values.Where(h => h.Owner is null))
        {
            _sink.OnDrop(new ReductionDrop(held.Seq, DropReasons.PressWithoutRelease));
        }
        _heldModifiers.Clear();
        _keyOwners.Clear();
        Drain(force: true);
    }

    /// <summary>What a password field's keystrokes become in the typed text.</summary>
    public const string TypedPlaceholder = "<REDACTED>";

    private void OnMove(SessionEvent recorded, PointerMovePayload move)
    {
        _path.Add((recorded.MonoNs, move.X, move.Y));
        if (_path.Count > 4 * _options.MaxPathSamples)
        {
            Decimate(_path);
        }
        foreach (var press in _pressed.Values)
        {
            press.MaxDistance = Math.Max(press.MaxDistance, Distance(press.X, press.Y, move.X, move.Y));
        }
    }

    private void OnButtonDown(SessionEvent recorded, ButtonPayload button)
    {
        if (button.Button is not (MouseButton.Left or MouseButton.Middle or MouseButton.Right))
        {
            _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.UnsupportedButton));
            return;
        }
        if (_pressed.Remove(button.Button, out var stale))
        {
            _sink.OnDrop(new ReductionDrop(stale.Seq, DropReasons.PressWithoutRelease));
        }
        var continues = _open is { Kind: ActionKind.Click } click
            && click.Button == button.Button
            && click.Clicks < 3
            && recorded.MonoNs - click.LastPressNs <= _multiClickNs
            && click.Position is { } at
            && Distance(at.X, at.Y, button.X, button.Y) <= _options.MultiClickRadiusPx;
        if (!continues)
        {
            CloseOpen();
        }
        _path.Add((recorded.MonoNs, button.X, button.Y));
        _pressed[button.Button] = new Press(recorded, button, continues);
    }

    private void OnButtonUp(SessionEvent recorded, ButtonPayload button)
    {
        if (button.Button is not (MouseButton.Left or MouseButton.Middle or MouseButton.Right))
        {
            _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.UnsupportedButton));
            return;
        }
        if (!_pressed.Remove(button.Button, out var press))
        {
            _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.ReleaseWithoutPress));
            return;
        }
        _path.Add((recorded.MonoNs, button.X, button.Y));
        var moved = Distance(press.X, press.Y, button.X, button.Y);
        var held = recorded.MonoNs - press.MonoNs;
        if (moved > _options.DragDistancePx || (held >= _holdNs && press.MaxDistance > _options.DragDistancePx))
        {
            CloseOpen();
            var drag = PointerDraft(ActionKind.Drag, press, button.Button);
            drag.EndPosition = new ScreenPoint(button.X, button.Y);
            drag.Inputs.Add(recorded.Seq);
            Finish(drag, recorded);
            Close(drag);
            return;
        }
        if (held >= _holdNs)
        {
            CloseOpen();
            var hold = PointerDraft(ActionKind.Hold, press, button.Button);
            hold.Inputs.Add(recorded.Seq);
            Finish(hold, recorded);
            Close(hold);
            return;
        }
        if (press.ContinuesClick && _open is { Kind: ActionKind.Click } click)
        {
            click.Clicks++;
            click.LastPressNs = press.MonoNs;
            click.Inputs.Add(press.Seq);
            click.Inputs.Add(recorded.Seq);
            ClaimHeldModifiers(click);
            Finish(click, recorded);
            if (click.Clicks == 3)
            {
                CloseOpen();
            }
            return;
        }
        CloseOpen();
        var single = PointerDraft(ActionKind.Click, press, button.Button);
        single.Clicks = 1;
        single.LastPressNs = press.MonoNs;
        single.Inputs.Add(recorded.Seq);
        Finish(single, recorded);
        // Open until the multi-click interval has passed or something else happens.
        _open = single;
    }

    private void OnScroll(SessionEvent recorded, ScrollPayload scroll)
    {
        if (_open is { Kind: ActionKind.Scroll } open
            && Math.Sign(open.ScrollDy) == Math.Sign(scroll.Dy)
            && Math.Sign(open.ScrollDx) == Math.Sign(scroll.Dx)
            && recorded.MonoNs - open.EndMonoNs <= _scrollGapNs
            && open.Position is { } at
            && Distance(at.X, at.Y, scroll.X, scroll.Y) <= _options.ScrollMergeRadiusPx)
        {
            open.ScrollDx += scroll.Dx;
            open.ScrollDy += scroll.Dy;
            open.Inputs.Add(recorded.Seq);
            Finish(open, recorded);
            return;
        }
        CloseOpen();
        _path.Add((recorded.MonoNs, scroll.X, scroll.Y));
        // Taken before NewDraft, which forgets the path (key actions have none).
        var path = TakePath();
        var draft = NewDraft(ActionKind.Scroll, recorded);
        draft.Position = new ScreenPoint(scroll.X, scroll.Y);
        draft.ScrollDx = scroll.Dx;
        draft.ScrollDy = scroll.Dy;
        draft.HeldModifiers.AddRange(KeyNames.HotkeyModifiers(scroll.Modifiers, includeShift: true));
        draft.Path = path;
        ClaimHeldModifiers(draft);
        _open = draft;
    }

    private void OnKeyDown(SessionEvent recorded, KeyPayload key)
    {
        if (key.Key == KeyNames.Redacted)
        {
            OnRedactedKey(recorded, key);
            return;
        }
        if (KeyNames.IsModifier(key.Key))
        {
            if (_heldModifiers.Remove(key.Key, out var repeated) && repeated.Owner is null)
            {
                // Auto-repeat of a held modifier: the earlier press was never used.
                _sink.OnDrop(new ReductionDrop(repeated.Seq, DropReasons.LoneModifier));
            }
            else if (repeated?.Owner is { Emitted: false } owner)
            {
                owner.Inputs.Add(recorded.Seq);
                _heldModifiers[key.Key] = repeated;
                return;
            }
            _heldModifiers[key.Key] = new HeldModifier(recorded.Seq);
            return;
        }
        if ((key.Modifiers & CommandModifiers) != 0)
        {
            Hotkey(recorded, key, [.. KeyNames.HotkeyModifiers(key.Modifiers, includeShift: true), KeyNames.ToPyAutoGui(key.Key)]);
            return;
        }
        if (IsText(key.Text))
        {
            TypeInto(recorded, key, key.Text!, redacted: false);
            return;
        }
        var name = KeyNames.ToPyAutoGui(key.Key);
        var shift = (key.Modifiers & Modifiers.Shift) != 0;
        if (TryEditTyping(recorded, key, name, shift))
        {
            return;
        }
        if (shift)
        {
            Hotkey(recorded, key, ["shift", name]);
            return;
        }
        if (_open is { Kind: ActionKind.Press } press
            && press.Keys.Count == 1 && press.Keys[0] == name
            && recorded.MonoNs - press.EndMonoNs <= _pressGapNs)
        {
            press.Repeat++;
            press.Inputs.Add(recorded.Seq);
            Own(key.Key, press);
            Finish(press, recorded);
            return;
        }
        CloseOpen();
        var draft = NewDraft(ActionKind.Press, recorded);
        draft.Keys.Add(name);
        ClaimHeldModifiers(draft);
        Own(key.Key, draft);
        _open = draft;
    }

    private void OnKeyUp(SessionEvent recorded, KeyPayload key)
    {
        if (key.Key == KeyNames.Redacted)
        {
            if (_lastRedactedTyping is { Emitted: false } typing)
            {
                typing.Inputs.Add(recorded.Seq);
            }
            else
            {
                _sink.OnDrop(new ReductionDrop(recorded.Seq, _lastRedactedTyping is null ? DropReasons.ReleaseWithoutPress : DropReasons.ReleaseAfterAction));
            }
            return;
        }
        if (KeyNames.IsModifier(key.Key))
        {
            if (!_heldModifiers.Remove(key.Key, out var held))
            {
                _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.ReleaseWithoutPress));
            }
            else if (held.Owner is null)
            {
                _sink.OnDrop(new ReductionDrop(held.Seq, DropReasons.LoneModifier));
                _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.LoneModifier));
            }
            else
            {
                Release(held.Owner, recorded.Seq);
            }
            return;
        }
        if (_keyOwners.Remove(key.Key, out var ownerOfKey))
        {
            Release(ownerOfKey, recorded.Seq);
        }
        else
        {
            _sink.OnDrop(new ReductionDrop(recorded.Seq, DropReasons.ReleaseWithoutPress));
        }
    }

    private void OnRedactedKey(SessionEvent recorded, KeyPayload key)
    {
        // A key of a rewritten piece: the first text key carries the piece's whole redacted text,
        // the others (BackSpace, shift, the rest of the letters) carry nothing and edit nothing.
        if (key.Text is { Length: > 0 } text)
        {
            TypeInto(recorded, key, text, redacted: true);
            return;
        }
        if (_open is not { Kind: ActionKind.Type } typing || recorded.MonoNs - typing.EndMonoNs > _typeGapNs)
        {
            CloseOpen();
            typing = NewDraft(ActionKind.Type, recorded);
            _open = typing;
        }
        typing.Inputs.Add(recorded.Seq);
        Finish(typing, recorded);
        _lastRedactedTyping = typing;
    }

    private void TypeInto(SessionEvent recorded, KeyPayload key, string text, bool redacted)
    {
        if (_open is not { Kind: ActionKind.Type } typing || recorded.MonoNs - typing.EndMonoNs > _typeGapNs)
        {
            CloseOpen();
            typing = NewDraft(ActionKind.Type, recorded);
            _open = typing;
        }
        if (redacted)
        {
            typing.Text.InsertRedacted(text);
            _lastRedactedTyping = typing;
        }
        else
        {
            typing.Text.Insert(text);
            Own(key.Key, typing);
        }
        typing.Inputs.Add(recorded.Seq);
        ClaimHeldModifiers(typing);
        Finish(typing, recorded);
    }

    /// <summary>BackSpace, Delete and the arrows edit the text being typed while they stay inside it.</summary>
    private bool TryEditTyping(SessionEvent recorded, KeyPayload key, string name, bool shift)
    {
        if (_open is not { Kind: ActionKind.Type } typing || recorded.MonoNs - typing.EndMonoNs > _typeGapNs)
        {
            return false;
        }
        var buffer = typing.Text;
        var applied = name switch
        {
            "backspace" when !shift && buffer.CanBackSpace => Apply(buffer.BackSpace),
            "delete" when !shift && buffer.CanDelete => Apply(buffer.Delete),
            "left" => buffer.TryMove(-1, shift),
            "right" => buffer.TryMove(1, shift),
            _ => false,
        };
        if (!applied)
        {
            return false;
        }
        typing.Inputs.Add(recorded.Seq);
        Own(key.Key, typing);
        ClaimHeldModifiers(typing);
        Finish(typing, recorded);
        return true;

        static bool Apply(Action edit)
        {
            edit();
            return true;
        }
    }

    private void Hotkey(SessionEvent recorded, KeyPayload key, List<string> keys)
    {
        CloseOpen();
        var draft = NewDraft(ActionKind.Hotkey, recorded);
        draft.Keys.AddRange(keys);
        ClaimHeldModifiers(draft);
        Own(key.Key, draft);
        Close(draft);
    }

    private static bool IsText(string? text) =>
        text is { Length: > 0 }
        && !text.AsSpan().ContainsAnyInRange('\u0000', '\u001f')
        && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f');

    private void Own(string key, Draft owner)
    {
        if (_keyOwners.TryGetValue(key, out var previous))
        {
            // Auto-repeat: presses without releases; the one release to come belongs to the newest.
            previous.Outstanding--;
        }
        _keyOwners[key] = owner;
        owner.Outstanding++;
    }

    private void Release(Draft owner, long seq)
    {
        if (owner.Emitted)
        {
            _sink.OnDrop(new ReductionDrop(seq, DropReasons.ReleaseAfterAction));
            return;
        }
        owner.Inputs.Add(seq);
        owner.Outstanding--;
    }

    /// <summary>Modifiers held down and not yet used belong to the first action that uses them.</summary>
    private void ClaimHeldModifiers(Draft draft)
    {
        foreach (var held in _heldModifiers.Values)
        {
            if (held.Owner is null)
            {
                held.Owner = draft;
                draft.Inputs.Add(held.Seq);
                draft.Outstanding++;
            }
        }
    }

    private Draft PointerDraft(ActionKind kind, Press press, MouseButton button)
    {
        var draft = new Draft(kind, press.Seq, press.MonoNs, press.Wall, _context)
        {
            Button = button,
            Position = new ScreenPoint(press.X, press.Y),
            Path = TakePath(),
        };
        draft.HeldModifiers.AddRange(KeyNames.HotkeyModifiers(press.Modifiers, includeShift: true));
        draft.Inputs.Add(press.Seq);
        ClaimHeldModifiers(draft);
        return draft;
    }

    private Draft NewDraft(ActionKind kind, SessionEvent first)
    {
        var draft = new Draft(kind, first.Seq, first.MonoNs, first.Wall, _context);
        if (kind is not ActionKind.Type)
        {
            draft.Inputs.Add(first.Seq);
        }
        else if (first.Payload is RedactionPayload)
        {
            draft.Inputs.Add(first.Seq);
        }
        _path.Clear();
        return draft;
    }

    private static void Finish(Draft draft, SessionEvent last)
    {
        draft.LastSeq = Math.Max(draft.LastSeq, last.Seq);
        draft.EndMonoNs = Math.Max(draft.EndMonoNs, last.MonoNs);
    }

    private void ExpireOpen()
    {
        if (_open is not { } open)
        {
            return;
        }
        var quiet = _nowNs - open.EndMonoNs;
        var expired = open.Kind switch
        {
            ActionKind.Click => _pressed.Count == 0 && _nowNs - open.LastPressNs > _multiClickNs,
            ActionKind.Type => quiet > _typeGapNs,
            ActionKind.Press => quiet > _pressGapNs,
            ActionKind.Scroll => quiet > _scrollGapNs,
            _ => true,
        };
        if (expired)
        {
            CloseOpen();
        }
    }

    private void CloseOpen()
    {
        if (_open is { } open)
        {
            _open = null;
            Close(open);
        }
    }

    private void Close(Draft draft)
    {
        draft.ClosedNs = _nowNs;
        if (draft.Kind == ActionKind.Type && draft.Text.Length == 0)
        {
            // Typed and erased: nothing to learn; its inputs are accounted for as dropped.
            draft.Discarded = true;
        }
        _outbox.Enqueue(draft);
    }

    private void Pass(SessionEvent observation)
    {
        if (_outbox.Count == 0)
        {
            _sink.OnEvent(observation);
        }
        else
        {
            _outbox.Enqueue(observation);
        }
    }

    private void Drain(bool force)
    {
        while (_outbox.TryPeek(out var head))
        {
            if (head is Draft draft)
            {
                if (!force && draft.Outstanding > 0 && _nowNs - draft.ClosedNs < _releaseWaitNs)
                {
                    return;
                }
                _outbox.Dequeue();
                Emit(draft);
            }
            else
            {
                _outbox.Dequeue();
                _sink.OnEvent((SessionEvent)head);
            }
        }
    }

    private void Emit(Draft draft)
    {
        draft.Emitted = true;
        if (draft.Discarded)
        {
            foreach (var seq in draft.Inputs)
            {
                _sink.OnDrop(new ReductionDrop(seq, DropReasons.TypedThenErased));
            }
            return;
        }
        if (draft.Kind == ActionKind.Hotkey && IsRecorderHotkey(draft.Keys))
        {
            foreach (var seq in draft.Inputs)
            {
                _sink.OnDrop(new ReductionDrop(seq, DropReasons.RecorderHotkey));
            }
            return;
        }
        _sink.OnAction(draft.ToAction());
    }

    private bool IsRecorderHotkey(List<string> keys)
    {
        foreach (var control in _options.RecorderHotkeys)
        {
            if (control.Count == keys.Count && control.All(keys.Contains))
            {
                return true;
            }
        }
        return false;
    }

    private ValueList<PathSample> TakePath()
    {
        if (_path.Count == 0)
        {
            return [];
        }
        while (_path.Count > _options.MaxPathSamples)
        {
            Decimate(_path);
        }
        var origin = _path[0].MonoNs;
        var samples = new PathSample[_path.Count];
        for (var i = 0; i < _path.Count; i++)
        {
            samples[i] = new PathSample((int)Math.Min(int.MaxValue, (_path[i].MonoNs - origin) / 1_000_000), _path[i].X, _path[i].Y);
        }
        _path.Clear();
        return samples;
    }

    /// <summary>Halves a path, keeping its first and last samples.</summary>
    private static void Decimate(List<(long MonoNs, int X, int Y)> path)
    {
        var last = path[^1];
        var write = 0;
        for (var read = 0; read < path.Count; read += 2)
        {
            path[write++] = path[read];
        }
        path.RemoveRange(write, path.Count - write);
        if (path[^1] != last)
        {
            path[^1] = last;
        }
    }

    private static double Distance(int x1, int y1, int x2, int y2) => Math.Sqrt(((double)(x2 - x1) * (x2 - x1)) + ((double)(y2 - y1) * (y2 - y1)));

    private static long Ns(TimeSpan span) => (long)span.TotalNanoseconds;

    private sealed class Press(SessionEvent recorded, ButtonPayload button, bool continuesClick)
    {
        public long Seq { get; } = recorded.Seq;

        public long MonoNs { get; } = recorded.MonoNs;

        public DateTimeOffset Wall { get; } = recorded.Wall;

        public int X { get; } = button.X;

        public int Y { get; } = button.Y;

        public Modifiers Modifiers { get; } = button.Modifiers;

        public bool ContinuesClick { get; } = continuesClick;

        public double MaxDistance { get; set; }
    }

    private sealed class HeldModifier(long seq)
    {
        public long Seq { get; } = seq;

        public Draft? Owner { get; set; }
    }

    private sealed class Draft(ActionKind kind, long firstSeq, long startMonoNs, DateTimeOffset startWall, ActionContext? context)
    {
        public ActionKind Kind { get; } = kind;

        public long FirstSeq { get; } = firstSeq;

        public long LastSeq { get; set; } = firstSeq;

        public long StartMonoNs { get; } = startMonoNs;

        public long EndMonoNs { get; set; } = startMonoNs;

        public DateTimeOffset StartWall { get; } = startWall;

        public ActionContext? Context { get; } = context;

        public ScreenPoint? Position { get; set; }

        public ScreenPoint? EndPosition { get; set; }

        public MouseButton? Button { get; set; }

        public int Clicks { get; set; }

        public long LastPressNs { get; set; }

        public int ScrollDx { get; set; }

        public int ScrollDy { get; set; }

        public int Repeat { get; set; } = 1;

        public TypedTextBuffer Text { get; } = new();

        public List<string> Keys { get; } = [];

        public List<string> HeldModifiers { get; } = [];

        public List<string> Redactions { get; } = [];

        public List<long> Inputs { get; } = [];

        public ValueList<PathSample> Path { get; set; }

        public int Outstanding { get; set; }

        public long ClosedNs { get; set; }

        public bool Emitted { get; set; }

        public bool Discarded { get; set; }

        public AgentAction ToAction()
        {
            Inputs.Sort();
            return new AgentAction
            {
                Kind = Kind,
                FirstSeq = FirstSeq,
                LastSeq = Math.Max(LastSeq, Inputs.Count > 0 ? Inputs[^1] : FirstSeq),
                StartMonoNs = StartMonoNs,
                EndMonoNs = EndMonoNs,
                StartWall = StartWall,
                Position = Position,
                EndPosition = EndPosition,
                Button = Button,
                Clicks = Clicks,
                ScrollDx = ScrollDx,
                ScrollDy = ScrollDy,
                Text = Kind == ActionKind.Type ? Text.ToString() : null,
                Keys = Keys,
                Repeat = Repeat,
                HeldModifiers = HeldModifiers.Distinct().ToList(),
                Context = Context,
                PointerPath = Path,
                Redactions = Redactions,
                InputSeqs = Inputs.Distinct().ToList(),
            };
        }
    }
}

/// <summary>The entity type the reduction itself writes for keystrokes that are not in the session.</summary>
public static class RedactionTypes
{
    public const string SensitiveField = "SENSITIVE_FIELD";
}
