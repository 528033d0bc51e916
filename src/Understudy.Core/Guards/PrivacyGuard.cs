using System.Text;
using Understudy.Core.Model;
using Understudy.Core.Redaction;

namespace Understudy.Core.Guards;

public sealed record GuardOptions
{
    /// <summary>Typing into a field pauses this long: the field's text so far is one piece for the recognizers.</summary>
    public TimeSpan TypingIdle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A pause in the middle of a word (the last key typed was not a space) ends the piece only after
    /// this long: an email address, a card number or a key typed with a hesitation, or delivered late
    /// by a busy X server, must reach the recognizers whole, or each half would pass them.
    /// </summary>
    public TimeSpan MidTokenIdle { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>After a piece of typing ends, wait this long for late element lookups that may show the field was sensitive.</summary>
    public TimeSpan ElementSettle { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Longest wait for outstanding lookups; a piece still unanswered then is treated as sensitive (fail closed).</summary>
    public TimeSpan MaxSettle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A piece of typing longer than this many keys is cut, so that held input stays bounded.</summary>
    public int MaxPieceKeys { get; init; } = 2048;

    /// <summary>
    /// Typing that never pauses is cut after this long, so that what a crash can lose stays bounded
    /// (a cut may split a token the recognizers would have seen whole: long enough to make that rare).
    /// </summary>
    public TimeSpan MaxHold { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What the guard needs to know of the accessibility source: whether lookups are still outstanding.</summary>
public interface IElementLookupProgress
{
    /// <summary>Lookups requested and not yet answered (or given up).</summary>
    int PendingLookups { get; }

    /// <summary>The lowest (provisional) seq a lookup is still outstanding for; <see cref="long.MaxValue"/> when none is.</summary>
    long OldestPendingSeq { get; }
}

/// <summary>
/// The device-side guard between numbering and the disk. Everything passes through it, in order,
/// on the pipeline thread:
/// <list type="bullet">
/// <item>Typed text is held per field until a boundary (focus change, click, Enter/Tab/Escape,
/// cursor keys, a hotkey, a pause in typing), then given whole to the text redactor; when anything
/// is found, the piece's key events are rewritten: the first key carries the redacted text, the
/// others lose their identity, and <c>redaction</c> events say what type was removed.</item>
/// <item>Keystrokes in a sensitive field (password role, sensitive label) are not kept at all: one
/// <c>redaction</c> event stands for the whole piece. Whether a field was sensitive may become known
/// only after the first keys (element lookups run on their own thread), so a piece waits for
/// outstanding lookups before it is released; a lookup that never answers counts as sensitive.</item>
/// <item>Window titles, element names, labels and paths, ui values and task labels go through the
/// redactor before they are stored.</item>
/// </list>
/// Held events are only in memory: a kill loses them, which is the safe way to lose them.
/// </summary>
public sealed class PrivacyGuard
{
    private readonly ITextRedactor _redactor;
    private readonly SensitiveFieldRules _rules;
    private readonly GuardOptions _options;
    private readonly IElementLookupProgress? _lookups;
    private readonly SensitiveRegions? _regions;
    private readonly long _idleNs;
    private readonly long _midTokenIdleNs;
    private readonly long _settleNs;
    private readonly long _maxSettleNs;
    private readonly long _maxHoldNs;

    // Every event from the first one of an unreleased piece onwards, in order.
    private readonly Queue<Held> _held = new();
    private readonly List<Piece> _pieces = [];
    private Piece? _open;
    private FieldKnowledge _field = FieldKnowledge.Unknown;
    private long _windowId;
    private Rect? _windowBounds;
    private Rect? _fieldBounds;

    // The last event that may have moved the keyboard focus (focus change, click, Tab): the pieces
    // typed since then went to one field.
    private long _fieldBoundarySeq = -1;
    private long _horizonNs = long.MinValue;
    private readonly List<Rect?> _pendingFields = [];

    // Keys pressed in pieces already released: their releases must not reveal the key either.
    private readonly Dictionary<int, bool> _releasedPieceKeys = [];

    // What moved the focus last, to tell a stale description of the field from a current one.
    private FocusMove _lastMove;
    private readonly Dictionary<long, (int X, int Y)> _clickPoints = [];
    private ElementPayload? _fieldElement;
    private ElementPayload? _tabbedFrom;
    private bool _fieldDoubted;

    public PrivacyGuard(ITextRedactor redactor, SensitiveFieldRules rules, GuardOptions options, IElementLookupProgress? lookups = null, SensitiveRegions? regions = null)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        _redactor = redactor;
        _rules = rules;
        _options = options;
        _lookups = lookups;
        _regions = regions;
        _idleNs = (long)options.TypingIdle.TotalNanoseconds;
        _midTokenIdleNs = Math.Max(_idleNs, (long)options.MidTokenIdle.TotalNanoseconds);
        _settleNs = (long)options.ElementSettle.TotalNanoseconds;
        _maxSettleNs = Math.Max(_settleNs, (long)options.MaxSettle.TotalNanoseconds);
        _maxHoldNs = (long)options.MaxHold.TotalNanoseconds;
    }

    public long TypedPiecesRedacted { get; private set; }

    public long SensitivePieces { get; private set; }

    public long TextsRedacted { get; private set; }

    /// <summary>
    /// The recorder has handed over every event up to <paramref name="monoNs"/> (its ordering
    /// window has passed): typing before then is known, which lets frames up to then be judged.
    /// </summary>
    public void Observe(long monoNs)
    {
        if (monoNs > _horizonNs)
        {
            _horizonNs = monoNs;
        }
        PublishWatermark();
    }

    /// <summary>Events currently held in memory.</summary>
    public int HeldCount => _held.Count;

    /// <summary>When <see cref="Release"/> should next be called, or null when nothing waits on time.</summary>
    public long? NextDueNs
    {
        get
        {
            long? due = null;
            if (_open is { } open)
            {
                due = Math.Min(open.LastKeyArrivalNs + IdleFor(open), open.FirstKeyArrivalNs + _maxHoldNs);
            }
            foreach (var piece in _pieces)
            {
                if (!piece.Decided && piece.ClosedAtNs is { } closed)
                {
                    // A piece waiting on lookups is looked at again a little later, not in a spin.
                    var at = Math.Max(closed + _settleNs, piece.RecheckAtNs);
                    due = due is null ? at : Math.Min(due.Value, at);
                }
            }
            return due;
        }
    }

    public void Process(SessionEvent recorded, long nowNs, List<GuardedEvent> output)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(output);
        var payload = recorded.Payload;
        Piece? piece = null;
        List<EventPayload>? extra = null;
        switch (payload)
        {
            case FocusPayload focus:
                CloseOpen(nowNs);
                _field = FieldKnowledge.Unknown;
                _fieldBounds = null;
                _fieldBoundarySeq = recorded.Seq;
                MovedFocus(FocusMove.Window);
                _windowId = focus.WindowId;
                _windowBounds = focus.Bounds;
                if (focus.Title is { } title)
                {
                    var result = Redact(title, TextSource.WindowTitle);
                    if (result.Changed)
                    {
                        payload = focus with { Title = result.Text };
                        extra = RedactionEvents(RedactionTargets.Title, result, recorded.Seq, null);
                    }
                }
                break;
            case ElementPayload element:
                (payload, extra) = OnElement(element, recorded.Seq);
                break;
            case UiPayload ui:
                (payload, extra) = RedactUi(ui, recorded.Seq);
                break;
            case MarkerPayload { Label: { } label } marker:
                var labelResult = Redact(label, TextSource.Other);
                if (labelResult.Changed)
                {
                    payload = marker with { Label = labelResult.Text };
                }
                break;
            case GapPayload { Reason: GapReasons.ElementTimeout or GapReasons.AccessibilityLost }:
                // A lookup that never answered may have been the one telling a field was sensitive.
                foreach (var waiting in _pieces)
                {
                    if (!waiting.Decided)
                    {
                        waiting.Sensitive = true;
                    }
                }
                break;
            case ButtonPayload { IsDown: true } button:
                CloseOpen(nowNs);
                _field = FieldKnowledge.Unknown;
                _fieldBounds = null;
                _fieldBoundarySeq = recorded.Seq;
                if (_clickPoints.Count >= 64)
                {
                    // Only recent clicks still get answers; the oldest is forgotten.
                    _clickPoints.Remove(_clickPoints.Keys.Min());
                }
                _clickPoints[recorded.Seq] = (button.X, button.Y);
                MovedFocus(FocusMove.Click);
                break;
            case KeyPayload { IsDown: true } key:
                piece = OnKeyDown(recorded, key, nowNs);
                if (key.Key is "Tab" or "ISO_Left_Tab")
                {
                    _fieldBoundarySeq = recorded.Seq;
                    _tabbedFrom = _fieldElement;
                    MovedFocus(FocusMove.Tab);
                }
                break;
            case KeyPayload { IsDown: false } key:
                piece = OnKeyUp(recorded, key, ref payload);
                break;
        }

        var item = new Held(recorded.Seq, recorded.MonoNs, recorded.Wall, payload, piece);
        if (_held.Count == 0 && piece is null)
        {
            output.Add(new GuardedEvent(item.Seq, item.MonoNs, item.Wall, item.Payload));
            AddExtra(extra, recorded, output, null);
        }
        else
        {
            _held.Enqueue(item);
            AddExtra(extra, recorded, output, _held);
        }
        if (_open is { } open && open.KeyDowns >= _options.MaxPieceKeys)
        {
            CloseOpen(nowNs);
        }
        Release(nowNs, output);
    }

    private long IdleFor(Piece piece) => piece.MidToken ? _midTokenIdleNs : _idleNs;

    private void MovedFocus(FocusMove move)
    {
        _lastMove = move;
        _fieldElement = null;
        _fieldDoubted = false;
    }

    /// <summary>
    /// Whether a description of the field cannot be about the field the focus moved to: after a click,
    /// an element that does not contain the click point (Chromium's hit test can answer with the
    /// previously focused entry); after Tab, the very element the focus left (a toolkit that has not
    /// moved its focus yet when asked); after a window change, an element outside that window.
    /// Such an answer may not clear typing as ordinary: the typing waits for a current answer and
    /// counts as sensitive without one.
    /// </summary>
    private bool IsStale(ElementPayload element)
    {
        if (element.Trigger == ElementTriggers.Pointer)
        {
            // A click's own answer is checked against that click, whenever it comes.
            return _clickPoints.TryGetValue(element.ForSeq, out var point) && element.Bounds is { } hit && !Contains(hit, point.X, point.Y);
        }
        return _lastMove switch
        {
            FocusMove.Click => element.Bounds is { } bounds && _clickPoints.TryGetValue(_fieldBoundarySeq, out var click) && !Contains(bounds, click.X, click.Y),
            FocusMove.Tab => _tabbedFrom is { } from && SameElement(from, element),
            FocusMove.Window => _windowBounds is { } window && element.Bounds is { } bounds && !Intersects(window, bounds),
            _ => false,
        };
    }

    private static bool Contains(Rect r, int x, int y) => x >= r.X && y >= r.Y && x < r.X + r.Width && y < r.Y + r.Height;

    private static bool Intersects(Rect a, Rect b) => a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;

    private static bool SameElement(ElementPayload a, ElementPayload b) =>
        a.Role == b.Role && a.Bounds == b.Bounds && a.Name == b.Name && a.Label == b.Label && a.Pid == b.Pid;

    private void PublishWatermark()
    {
        if (_regions is null)
        {
            return;
        }
        var through = _horizonNs;
        _pendingFields.Clear();
        foreach (var piece in _pieces)
        {
            if (!piece.Decided)
            {
                through = Math.Min(through, piece.FirstKeyNs - 1);
                _pendingFields.Add(piece.FieldBounds);
            }
        }
        _regions.Advance(through, _pendingFields);
    }

    /// <summary>Closes idle pieces, decides settled ones and hands on everything in front of the first undecided piece.</summary>
    public void Release(long nowNs, List<GuardedEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // Idle is measured by when keys reach the guard, not by their capture stamps: the X server
        // may deliver recorded input late, in bursts, and a burst is still one piece of typing.
        if (_open is { } open && nowNs - open.LastKeyArrivalNs >= IdleFor(open))
        {
            CloseOpen(open.LastKeyArrivalNs + IdleFor(open));
        }
        else if (_open is { } held && nowNs - held.FirstKeyArrivalNs >= _maxHoldNs)
        {
            CloseOpen(nowNs);
        }
        foreach (var piece in _pieces)
        {
            if (piece.Decided || piece.ClosedAtNs is not { } closed || nowNs - closed < _settleNs)
            {
                continue;
            }
            var pending = IsAwaitingLookup(piece, nowNs) || (piece.Doubted && !piece.Confirmed);
            if (pending && nowNs - closed < _maxSettleNs)
            {
                piece.RecheckAtNs = nowNs + RecheckNs;
                continue;
            }
            if (pending)
            {
                // Still no answer on whether the field was a password field: do not keep it.
                piece.Sensitive = true;
            }
            Decide(piece);
        }
        Drain(output);
        PublishWatermark();
    }

    /// <summary>
    /// Whether a lookup made for one of the piece's keys (or before them) is still outstanding, or
    /// was answered so recently that its element may still be in the recorder's ordering window.
    /// </summary>
    private bool IsAwaitingLookup(Piece piece, long nowNs)
    {
        if (_lookups is null)
        {
            return false;
        }
        if (LookupOutstandingFor(piece))
        {
            piece.LookupsClearSinceNs = null;
            return true;
        }
        piece.LookupsClearSinceNs ??= nowNs;
        return nowNs - piece.LookupsClearSinceNs.Value < LookupArrivalNs;
    }

    private bool LookupOutstandingFor(Piece piece) => _lookups is not null && _lookups.OldestPendingSeq <= piece.LastSeq;

    private static readonly long RecheckNs = (long)TimeSpan.FromMilliseconds(20).TotalNanoseconds;

    // An answered lookup's element reaches the guard after the recorder's ordering window (30 ms by default).
    private static readonly long LookupArrivalNs = (long)TimeSpan.FromMilliseconds(80).TotalNanoseconds;

    /// <summary>At the end of the session: decides every piece with what is known now and hands on everything.</summary>
    public void Flush(long nowNs, List<GuardedEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        CloseOpen(nowNs);
        foreach (var piece in _pieces)
        {
            if (!piece.Decided)
            {
                if (LookupOutstandingFor(piece) || (piece.Doubted && !piece.Confirmed))
                {
                    // The session ends before the field was described (or only by a stale answer): it may have been a password field.
                    piece.Sensitive = true;
                }
                Decide(piece);
            }
        }
        Drain(output);
        PublishWatermark();
    }

    private Piece? OnKeyDown(SessionEvent recorded, KeyPayload key, long nowNs)
    {
        var kind = Classify(key);
        if (_field == FieldKnowledge.Sensitive && kind != KeyClass.Boundary)
        {
            return AddToPiece(recorded, key, nowNs);
        }
        switch (kind)
        {
            case KeyClass.Text:
            case KeyClass.Modifier or KeyClass.BackSpace when _open is not null:
                return AddToPiece(recorded, key, nowNs);
            case KeyClass.Modifier or KeyClass.BackSpace:
                return null;
            default:
                CloseOpen(nowNs);
                if (key.Key is "Tab" or "ISO_Left_Tab")
                {
                    // Focus is about to move to another field; the next element lookup says which.
                    _field = FieldKnowledge.Unknown;
                }
                return null;
        }
    }

    private Piece AddToPiece(SessionEvent recorded, KeyPayload key, long nowNs)
    {
        if (_open is { } previous && recorded.MonoNs - previous.LastKeyNs >= IdleFor(previous))
        {
            // Typed after a pause (by the capture clock): a new piece, even if both arrived together.
            CloseOpen(nowNs);
        }
        if (_open is null)
        {
            _open = new Piece(recorded.Seq) { Sensitive = _field == FieldKnowledge.Sensitive, Doubted = _fieldDoubted, FirstKeyNs = recorded.MonoNs, FirstKeyArrivalNs = nowNs, FieldBounds = _fieldBounds, FieldBoundarySeq = _fieldBoundarySeq };
            _pieces.Add(_open);
        }
        var piece = _open;
        if (key.Text is { Length: > 0 } typed)
        {
            piece.MidToken = !char.IsWhiteSpace(typed[^1]);
        }
        piece.LastKeyNs = recorded.MonoNs;
        piece.LastKeyArrivalNs = nowNs;
        piece.LastSeq = recorded.Seq;
        piece.KeyDowns++;
        piece.Down.Add(key.KeyCode);
        return piece;
    }

    private Piece? OnKeyUp(SessionEvent recorded, KeyPayload key, ref EventPayload payload)
    {
        foreach (var piece in _pieces)
        {
            if (!piece.Released && piece.Down.Remove(key.KeyCode))
            {
                piece.LastSeq = Math.Max(piece.LastSeq, recorded.Seq);
                return piece;
            }
        }
        if (_releasedPieceKeys.Remove(key.KeyCode, out var sensitive))
        {
            // The release of a key whose press was rewritten: it carries nothing either.
            payload = sensitive ? new KeyPayload(false, RedactedKey, null, Modifiers.None, 0) : Anonymous(key);
        }
        return null;
    }

    private (EventPayload, List<EventPayload>?) OnElement(ElementPayload element, long seq)
    {
        var sensitive = _rules.IsSensitive(element) && SensitiveFieldRules.IsEditable(element);
        var describesField = element.Trigger is ElementTriggers.Focus or ElementTriggers.FocusChange || SensitiveFieldRules.IsEditable(element);
        // A click's element answered after the focus moved on describes an earlier field, not the current one.
        var current = element.Trigger != ElementTriggers.Pointer || element.ForSeq == _fieldBoundarySeq;
        // A sensitive answer is believed whenever it comes; an ordinary one only if it can be about the field now focused.
        var stale = describesField && !sensitive && IsStale(element);
        if (describesField && current && !stale)
        {
            _field = sensitive ? FieldKnowledge.Sensitive : FieldKnowledge.Normal;
            _fieldBounds = element.Bounds;
            _fieldElement = element;
            _fieldDoubted = false;
        }
        else if (describesField && current)
        {
            _fieldDoubted = true;
        }
        foreach (var piece in _pieces)
        {
            if (piece.Decided || !describesField || !TypedInto(piece, element))
            {
                continue;
            }
            if (sensitive)
            {
                piece.Sensitive = true;
            }
            else if (stale)
            {
                piece.Doubted = true;
                continue;
            }
            else
            {
                piece.Confirmed = true;
            }
            if (element.Bounds is { } fieldBounds)
            {
                piece.FieldBounds = fieldBounds;
            }
        }
        if (sensitive)
        {
            if (element.Bounds is { } bounds)
            {
                _regions?.Add(bounds, _windowId, _windowBounds);
            }
        }

        var spans = new List<RedactionResult>();
        var name = RedactOptional(element.Name, TextSource.ElementName, spans);
        var label = RedactOptional(element.Label, TextSource.ElementName, spans);
        var path = element.Path;
        if (path.Any(step => step.Name is not null))
        {
            var rewritten = new ElementAncestor[path.Count];
            for (var i = 0; i < path.Count; i++)
            {
                rewritten[i] = path[i] with { Name = RedactOptional(path[i].Name, TextSource.ElementName, spans) };
            }
            path = rewritten;
        }
        if (spans.Count == 0)
        {
            return (element, null);
        }
        if (element.Bounds is { } shown)
        {
            // The redacted name is on screen too: frames hide the element.
            _regions?.Add(shown, _windowId, _windowBounds);
        }
        return (element with { Name = name, Label = label, Path = path }, RedactionEvents(RedactionTargets.Element, spans, seq));
    }

    /// <summary>
    /// Whether <paramref name="piece"/> was typed into the element a lookup describes. A click's
    /// element is the field of the pieces typed after that click; a key's, the field of that key's
    /// piece; and either, like a focus change the toolkit reported late, the field of the pieces
    /// typed since the last focus move, because that is where the focus is now.
    /// </summary>
    private bool TypedInto(Piece piece, ElementPayload element) => element.Trigger switch
    {
        ElementTriggers.Pointer => piece.FieldBoundarySeq == element.ForSeq,
        // A key's focus lookup may be for a modifier pressed before the piece's first text key
        // (shift for a capital): anything after the piece's focus move counts as the piece's.
        ElementTriggers.Focus => (piece.FieldBoundarySeq < element.ForSeq && element.ForSeq <= piece.LastSeq) || piece.FieldBoundarySeq == _fieldBoundarySeq,
        _ => piece.FieldBoundarySeq == _fieldBoundarySeq,
    };

    private (EventPayload, List<EventPayload>?) RedactUi(UiPayload ui, long seq)
    {
        var spans = new List<RedactionResult>();
        var control = RedactOptional(ui.Control, TextSource.ElementName, spans);
        var value = RedactOptional(ui.Value, TextSource.UiValue, spans);
        var path = ui.Path;
        if (path.Count > 0)
        {
            var rewritten = new string[path.Count];
            for (var i = 0; i < path.Count; i++)
            {
                rewritten[i] = RedactOptional(path[i], TextSource.ElementName, spans)!;
            }
            path = rewritten;
        }
        if (spans.Count == 0)
        {
            return (ui, null);
        }
        return (ui with { Control = control, Value = value, Path = path }, RedactionEvents(RedactionTargets.Ui, spans, seq));
    }

    private string? RedactOptional(string? text, TextSource source, List<RedactionResult> changed)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        var result = Redact(text, source);
        if (!result.Changed)
        {
            return text;
        }
        changed.Add(result);
        return result.Text;
    }

    private RedactionResult Redact(string text, TextSource source)
    {
        RedactionResult result;
        try
        {
            result = _redactor.Redact(text, source);
        }
#pragma warning disable CA1031 // Any failure of a recognizer must fail closed, whatever it is.
        catch (Exception)
#pragma warning restore CA1031
        {
            var placeholder = EntityTypes.Placeholder(EntityTypes.Unscanned);
            result = new RedactionResult(placeholder, [new RedactedSpan(0, text.Length, EntityTypes.Unscanned, placeholder)], true);
        }
        if (result.Changed)
        {
            TextsRedacted++;
        }
        return result;
    }

    private void CloseOpen(long nowNs)
    {
        if (_open is { } open)
        {
            open.ClosedAtNs = nowNs;
            _open = null;
        }
    }

    private void Decide(Piece piece)
    {
        piece.Decided = true;
        if (piece.Sensitive)
        {
            SensitivePieces++;
            if (piece.FieldBounds is { } field)
            {
                _regions?.Add(field, _windowId, _windowBounds);
            }
            return;
        }
        var text = new StringBuilder();
        foreach (var held in _held)
        {
            if (held.Piece == piece && held.Payload is KeyPayload { IsDown: true } key)
            {
                if (key.Key == "BackSpace")
                {
                    if (text.Length > 0)
                    {
                        var remove = text.Length >= 2 && char.IsLowSurrogate(text[^1]) ? 2 : 1;
                        text.Length -= remove;
                    }
                }
                else if (key.Text is { } typed)
                {
                    text.Append(typed);
                }
            }
        }
        if (text.Length == 0)
        {
            return;
        }
        var result = Redact(text.ToString(), TextSource.Typed);
        if (result.Changed)
        {
            piece.Rewrite = result;
            TypedPiecesRedacted++;
            if (piece.FieldBounds is { } field)
            {
                // What was typed is visible in its field: frames hide the field from now on.
                _regions?.Add(field, _windowId, _windowBounds);
            }
        }
    }

    /// <summary>Hands on the held events up to the first piece not yet decided, rewriting the decided ones.</summary>
    private void Drain(List<GuardedEvent> output)
    {
        while (_held.TryPeek(out var head))
        {
            if (head.Piece is { Decided: false })
            {
                break;
            }
            _held.Dequeue();
            if (head.Piece is not { } piece)
            {
                output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, head.Payload));
                continue;
            }
            EmitPieceEvent(piece, head, output);
            if (!_held.Any(h => h.Piece == piece))
            {
                FinishPiece(piece, head, output);
            }
        }
        _pieces.RemoveAll(p => p.Decided && !_held.Any(h => h.Piece == p));
    }

    private void EmitPieceEvent(Piece piece, Held head, List<GuardedEvent> output)
    {
        var key = (KeyPayload)head.Payload;
        if (piece.Sensitive)
        {
            // The whole piece becomes one event, in the place of its first key; what observers
            // tied to its keys (the focused element, frames) is tied to that event instead.
            if (!piece.StandInEmitted)
            {
                piece.StandInEmitted = true;
                long[] covers = [head.Seq, .. _held.Where(h => h.Piece == piece).Select(h => h.Seq)];
                output.Add(new GuardedEvent(-1, head.MonoNs, head.Wall, new RedactionPayload(RedactionTargets.SensitiveField, EntityTypes.SensitiveField, 1, null, null), covers));
            }
            return;
        }
        if (piece.Rewrite is not { } rewrite)
        {
            output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, key));
            return;
        }
        if (key.IsDown && !piece.TextEmitted && key.Key != "BackSpace" && key.Text is not null)
        {
            piece.TextEmitted = true;
            output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, new KeyPayload(true, RedactedKey, rewrite.Text, Modifiers.None, 0)));
            return;
        }
        output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, Anonymous(key)));
    }

    private void FinishPiece(Piece piece, Held last, List<GuardedEvent> output)
    {
        piece.Released = true;
        if (piece.Sensitive || piece.Rewrite is not null)
        {
            foreach (var code in piece.Down)
            {
                _releasedPieceKeys[code] = piece.Sensitive;
            }
        }
        if (piece.Rewrite is { } rewrite)
        {
            foreach (var payload in RedactionEvents(RedactionTargets.Typed, rewrite, piece.FirstSeq, piece.LastSeq))
            {
                output.Add(new GuardedEvent(-1, last.MonoNs, last.Wall, payload));
            }
        }
    }

    private void AddExtra(List<EventPayload>? extra, SessionEvent after, List<GuardedEvent> output, Queue<Held>? held)
    {
        if (extra is null)
        {
            return;
        }
        foreach (var payload in extra)
        {
            if (held is null)
            {
                output.Add(new GuardedEvent(-1, after.MonoNs, after.Wall, payload));
            }
            else
            {
                held.Enqueue(new Held(-1, after.MonoNs, after.Wall, payload, null));
            }
        }
    }

    private static List<EventPayload> RedactionEvents(string target, RedactionResult result, long fromSeq, long? toSeq) =>
        RedactionEvents(target, [result], fromSeq, toSeq);

    private static List<EventPayload> RedactionEvents(string target, List<RedactionResult> results, long seq) =>
        RedactionEvents(target, results, seq, null);

    private static List<EventPayload> RedactionEvents(string target, IEnumerable<RedactionResult> results, long fromSeq, long? toSeq)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var span in result.Spans)
            {
                counts[span.Type] = counts.GetValueOrDefault(span.Type) + 1;
            }
        }
        return [.. counts.Select(pair => (EventPayload)new RedactionPayload(target, pair.Key, pair.Value, fromSeq, toSeq))];
    }

    /// <summary>The key name of rewritten key events: no key identity at all.</summary>
    public const string RedactedKey = "redacted";

    private static KeyPayload Anonymous(KeyPayload key) => new(key.IsDown, RedactedKey, null, Modifiers.None, 0);

    private static KeyClass Classify(KeyPayload key)
    {
        if (key.Key == "BackSpace")
        {
            return KeyClass.BackSpace;
        }
        if (IsModifierKey(key.Key))
        {
            return KeyClass.Modifier;
        }
        if ((key.Modifiers & (Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super)) != 0)
        {
            return KeyClass.Boundary;
        }
        if (key.Text is { Length: > 0 } text && !text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return KeyClass.Text;
        }
        return KeyClass.Boundary;
    }

    private static bool IsModifierKey(string key) => key is "shift_l" or "shift_r" or "Shift_L" or "Shift_R"
        or "control_l" or "control_r" or "Control_L" or "Control_R" or "alt_l" or "alt_r" or "Alt_L" or "Alt_R"
        or "super_l" or "super_r" or "Super_L" or "Super_R" or "meta_l" or "meta_r" or "Meta_L" or "Meta_R"
        or "caps_lock" or "Caps_Lock" or "num_lock" or "Num_Lock" or "ISO_Level3_Shift" or "iso_level3_shift" or "Mode_switch";

    private enum KeyClass
    {
        Text,
        BackSpace,
        Modifier,
        Boundary,
    }

    private enum FocusMove
    {
        None,
        Window,
        Click,
        Tab,
    }

    private enum FieldKnowledge
    {
        Unknown,
        Normal,
        Sensitive,
    }

    private sealed record Held(long Seq, long MonoNs, DateTimeOffset Wall, EventPayload Payload, Piece? Piece);

    private sealed class Piece(long firstSeq)
    {
        public long FirstSeq { get; } = firstSeq;

        public long LastSeq { get; set; } = firstSeq;

        public long LastKeyNs { get; set; }

        public long FirstKeyNs { get; init; }

        public long FirstKeyArrivalNs { get; init; }

        public long LastKeyArrivalNs { get; set; }

        public Rect? FieldBounds { get; set; }

        public long FieldBoundarySeq { get; init; }

        public long? LookupsClearSinceNs { get; set; }

        public long RecheckAtNs { get; set; } = long.MinValue;

        public long? ClosedAtNs { get; set; }

        public int KeyDowns { get; set; }

        /// <summary>The last character typed was not white space: a word may still be under way.</summary>
        public bool MidToken { get; set; }

        /// <summary>A description of its field came that cannot be about it (see <see cref="IsStale"/>).</summary>
        public bool Doubted { get; set; }

        /// <summary>A description of its field came that can be.</summary>
        public bool Confirmed { get; set; }

        /// <summary>Keys pressed in this piece and not yet released: their releases belong to it.</summary>
        public HashSet<int> Down { get; } = [];

        public bool Sensitive { get; set; }

        public bool Decided { get; set; }

        public bool Released { get; set; }

        public RedactionResult? Rewrite { get; set; }

        public bool TextEmitted { get; set; }

        public bool StandInEmitted { get; set; }
    }
}
