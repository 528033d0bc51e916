using System.Text;
using Understudy.Core.Guards.Fields;
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

    /// <summary>
    /// Longest wait, after a piece of typing ends, for the facts saying which field each of its keys
    /// went into; a piece still without them is dropped as field-unknown (fail closed). Longer than
    /// the accessibility source's own bound, so that its verdicts normally come first.
    /// </summary>
    public TimeSpan MaxFieldWait { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>A piece of typing longer than this many keys is cut, so that held input stays bounded.</summary>
    public int MaxPieceKeys { get; init; } = 2048;

    /// <summary>
    /// Typing that never pauses is cut after this long, so that what a crash can lose stays bounded
    /// (a cut may split a token the recognizers would have seen whole: long enough to make that rare).
    /// </summary>
    public TimeSpan MaxHold { get; init; } = TimeSpan.FromSeconds(10);
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
/// <c>redaction</c> event stands for the whole piece. Which field each key went into comes from
/// <see cref="IFieldFacts"/> (the applications' own reports, bound to keys by
/// <see cref="TypingAttributor"/>), never from a later lookup; a piece waits for a fact on every
/// key, and a piece without them is dropped as field-unknown (see docs/safeguards.md).</item>
/// <item>Window titles, element names, labels and paths, ui values and task labels go through the
/// redactor before they are stored.</item>
/// </list>
/// Held events are only in memory: a kill loses them, which is the safe way to lose them.
/// </summary>
public sealed class PrivacyGuard
{
    /// <summary>The key name of rewritten key events: no key identity at all.</summary>
    public const string RedactedKey = "redacted";

    /// <summary>The type of the stand-in for typing whose field could not be established.</summary>
    public const string FieldUnknownType = "FIELD_UNKNOWN";

    private static readonly long RecheckNs = (long)TimeSpan.FromMilliseconds(20).TotalNanoseconds;

    private readonly ITextRedactor _redactor;
    private readonly SensitiveFieldRules _rules;
    private readonly GuardOptions _options;
    private readonly IFieldFacts _facts;
    private readonly SensitiveRegions? _regions;
    private readonly long _idleNs;
    private readonly long _midTokenIdleNs;
    private readonly long _maxFieldWaitNs;
    private readonly long _maxHoldNs;

    // Every event from the first one of an unreleased piece onwards, in order.
    private readonly Queue<Held> _held = new();
    private readonly List<TypingPiece> _pieces = [];
    private readonly Dictionary<long, TypingPiece> _pieceOfKey = [];
    private TypingPiece? _open;
    private long _windowId;
    private Rect? _windowBounds;
    private long _horizonNs = long.MinValue;
    private readonly List<Rect?> _pendingFields = [];

    // Keys pressed in pieces already released: their releases must not reveal the key either.
    private readonly Dictionary<int, bool> _releasedPieceKeys = [];

    public PrivacyGuard(ITextRedactor redactor, SensitiveFieldRules rules, GuardOptions options, IFieldFacts facts, SensitiveRegions? regions = null)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(facts);
        _redactor = redactor;
        _options = options;
        _facts = facts;
        _regions = regions;
        _idleNs = (long)options.TypingIdle.TotalNanoseconds;
        _midTokenIdleNs = Math.Max(_idleNs, (long)options.MidTokenIdle.TotalNanoseconds);
        _maxFieldWaitNs = (long)options.MaxFieldWait.TotalNanoseconds;
        _maxHoldNs = (long)options.MaxHold.TotalNanoseconds;
    }

    public long TypedPiecesRedacted { get; private set; }

    /// <summary>Pieces typed into a sensitive field (or possibly so): dropped, one stand-in each.</summary>
    public long SensitivePieces { get; private set; }

    /// <summary>Pieces whose field could not be established in time: dropped like sensitive ones.</summary>
    public long FieldUnknownPieces { get; private set; }

    /// <summary>Ordinary pieces released, for the data-cost figures.</summary>
    public long OrdinaryPieces { get; private set; }

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

    /// <summary>Whether typing held now still waits to learn which field it went into.</summary>
    public bool AwaitsFacts => _pieceOfKey.Count > 0;

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
                if (piece.State == PieceState.Closed)
                {
                    // Facts come from another thread: look again a little later, not in a spin.
                    var at = Math.Max(piece.ClosedAtNs + RecheckNs, piece.RecheckAtNs);
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
        TypingPiece? piece = null;
        List<EventPayload>? extra = null;
        switch (payload)
        {
            case FocusPayload focus:
                if (focus.WindowId != _windowId)
                {
                    // Another window: the keyboard focus moved. The same window renamed (a page
                    // retitling itself while an address is typed) must not cut the word in two, or
                    // each half would pass the recognizers.
                    CloseOpen(nowNs);
                }
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
                (payload, extra) = RedactElement(element, recorded.Seq);
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
            case GapPayload { Reason: GapReasons.AccessibilityLost }:
                // Nothing will say where the typing held now went.
                foreach (var waiting in _pieces)
                {
                    if (waiting.State is PieceState.Open or PieceState.Closed)
                    {
                        waiting.Unknown = true;
                    }
                }
                break;
            case ButtonPayload { IsDown: true }:
                CloseOpen(nowNs);
                break;
            case KeyPayload { IsDown: true } key:
                piece = OnKeyDown(recorded, key, nowNs);
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

    private long IdleFor(TypingPiece piece) => piece.MidToken ? _midTokenIdleNs : _idleNs;

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
            if (piece.State is PieceState.Open or PieceState.Closed)
            {
                through = Math.Min(through, piece.FirstKeyNs - 1);
                _pendingFields.Add(piece.Field?.Bounds);
            }
        }
        _regions.Advance(through, _pendingFields);
    }

    /// <summary>Applies the field facts that have come, closes idle pieces, decides the ones that can be and hands on everything in front of the first undecided piece.</summary>
    public void Release(long nowNs, List<GuardedEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        TakeFacts();
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
            if (piece.State != PieceState.Closed)
            {
                continue;
            }
            if (piece.Judgement() is { } judged)
            {
                Decide(piece, judged);
            }
            else if (nowNs - piece.ClosedAtNs >= _maxFieldWaitNs)
            {
                // No word on where some of its keys went: it may have been a password field.
                piece.Unknown = true;
                Decide(piece, Verdict.FieldUnknown);
            }
            else
            {
                piece.RecheckAtNs = nowNs + RecheckNs;
            }
        }
        Drain(output);
        PublishWatermark();
    }

    /// <summary>At the end of the session: decides every piece with what is known now and hands on everything.</summary>
    public void Flush(long nowNs, List<GuardedEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        TakeFacts();
        CloseOpen(nowNs);
        foreach (var piece in _pieces)
        {
            if (piece.State == PieceState.Closed)
            {
                // The session ends before every key was placed: whatever is not known to be ordinary is dropped.
                Decide(piece, piece.Judgement() ?? Verdict.FieldUnknown);
            }
        }
        Drain(output);
        PublishWatermark();
    }

    private void TakeFacts()
    {
        while (_facts.TryTake(out var fact))
        {
            if (fact.Kind == FieldFactKind.SensitiveFieldFocused)
            {
                if (fact.Field?.Bounds is { } bounds)
                {
                    _regions?.Add(bounds, _windowId, _windowBounds);
                }
                continue;
            }
            if (!_pieceOfKey.Remove(fact.Seq, out var piece) || piece.State is not (PieceState.Open or PieceState.Closed))
            {
                // A key of a piece already decided (by the bound) or never held: nothing to change.
                continue;
            }
            piece.Place(fact);
        }
    }

    private TypingPiece? OnKeyDown(SessionEvent recorded, KeyPayload key, long nowNs)
    {
        switch (TypingKeys.Classify(key))
        {
            case KeyClass.Text or KeyClass.Modifier or KeyClass.BackSpace:
                // A shift before the first character (a capital), or a BackSpace, belongs with the
                // typing it edits: dropped with it if that went into a password field.
                return AddToPiece(recorded, key, nowNs);
            default:
                // Tab, Enter, a hotkey: the focus may move; the next typing is a piece of its own.
                CloseOpen(nowNs);
                return null;
        }
    }

    private TypingPiece AddToPiece(SessionEvent recorded, KeyPayload key, long nowNs)
    {
        if (_open is { } previous && recorded.MonoNs - previous.LastKeyNs >= IdleFor(previous))
        {
            // Typed after a pause (by the capture clock): a new piece, even if both arrived together.
            CloseOpen(nowNs);
        }
        if (_open is null)
        {
            _open = new TypingPiece(recorded.Seq, recorded.MonoNs, nowNs, _facts.Reports);
            _pieces.Add(_open);
        }
        var piece = _open;
        if (key.Text is { Length: > 0 } typed)
        {
            piece.MidToken = !char.IsWhiteSpace(typed[^1]);
        }
        if (_facts.Reports && TypingKeys.TypesText(key))
        {
            piece.AwaitFact(recorded.Seq);
            _pieceOfKey[recorded.Seq] = piece;
        }
        piece.LastKeyNs = recorded.MonoNs;
        piece.LastKeyArrivalNs = nowNs;
        piece.LastSeq = recorded.Seq;
        piece.KeyDowns++;
        piece.Down.Add(key.KeyCode);
        return piece;
    }

    private TypingPiece? OnKeyUp(SessionEvent recorded, KeyPayload key, ref EventPayload payload)
    {
        foreach (var piece in _pieces)
        {
            if (piece.State != PieceState.Released && piece.Down.Remove(key.KeyCode))
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

    /// <summary>Names, labels and paths of an element go through the redactor; a sensitive field is hidden in frames.</summary>
    private (EventPayload, List<EventPayload>?) RedactElement(ElementPayload element, long seq)
    {
        if (_rules.IsSensitive(element) && SensitiveFieldRules.IsEditable(element) && element.Bounds is { } sensitiveBounds)
        {
            _regions?.Add(sensitiveBounds, _windowId, _windowBounds);
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
            open.Close(nowNs);
            _open = null;
        }
    }

    private void Decide(TypingPiece piece, Verdict verdict)
    {
        piece.Decide(verdict);
        foreach (var seq in piece.AwaitedKeys)
        {
            _pieceOfKey.Remove(seq);
        }
        if (verdict != Verdict.Ordinary)
        {
            if (verdict == Verdict.Sensitive)
            {
                SensitivePieces++;
            }
            else
            {
                FieldUnknownPieces++;
            }
            if (piece.SensitiveField?.Bounds is { } field)
            {
                _regions?.Add(field, _windowId, _windowBounds);
            }
            return;
        }
        OrdinaryPieces++;
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
            if (piece.Field?.Bounds is { } field)
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
            if (head.Piece is { State: PieceState.Open or PieceState.Closed })
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
        _pieces.RemoveAll(p => p.State == PieceState.Released);
    }

    private void EmitPieceEvent(TypingPiece piece, Held head, List<GuardedEvent> output)
    {
        var key = (KeyPayload)head.Payload;
        if (piece.Verdict != Verdict.Ordinary)
        {
            // The whole piece becomes one event, in the place of its first key; what observers
            // tied to its keys (frames) is tied to that event instead.
            if (!piece.StandInEmitted)
            {
                piece.StandInEmitted = true;
                long[] covers = [head.Seq, .. _held.Where(h => h.Piece == piece).Select(h => h.Seq)];
                var type = piece.Verdict == Verdict.Sensitive ? EntityTypes.SensitiveField : FieldUnknownType;
                output.Add(new GuardedEvent(-1, head.MonoNs, head.Wall, new RedactionPayload(RedactionTargets.SensitiveField, type, 1, null, null), covers));
                if (piece.SensitiveField is { } field)
                {
                    EmitField(field, piece.FirstSeq, head, output);
                }
            }
            return;
        }
        if (piece.Rewrite is not { } rewrite)
        {
            output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, key));
        }
        else if (key.IsDown && !piece.TextEmitted && key.Key != "BackSpace" && key.Text is not null)
        {
            piece.TextEmitted = true;
            output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, new KeyPayload(true, RedactedKey, rewrite.Text, Modifiers.None, 0)));
        }
        else
        {
            output.Add(new GuardedEvent(head.Seq, head.MonoNs, head.Wall, Anonymous(key)));
        }
        if (head.Seq == piece.FirstSeq && piece.Field is { } typedInto)
        {
            EmitField(typedInto, piece.FirstSeq, head, output);
        }
    }

    /// <summary>The field a piece went into, as an element of its first key, after that key (so that its number maps).</summary>
    private void EmitField(ElementPayload field, long firstSeq, Held at, List<GuardedEvent> output)
    {
        var (payload, extra) = RedactElement(field with { ForSeq = firstSeq, Trigger = ElementTriggers.Focus }, -1);
        output.Add(new GuardedEvent(-1, at.MonoNs, at.Wall, payload));
        if (extra is not null)
        {
            foreach (var redaction in extra)
            {
                output.Add(new GuardedEvent(-1, at.MonoNs, at.Wall, redaction));
            }
        }
    }

    private void FinishPiece(TypingPiece piece, Held last, List<GuardedEvent> output)
    {
        piece.Release();
        if (piece.Verdict != Verdict.Ordinary || piece.Rewrite is not null)
        {
            foreach (var code in piece.Down)
            {
                _releasedPieceKeys[code] = piece.Verdict != Verdict.Ordinary;
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

    private static void AddExtra(List<EventPayload>? extra, SessionEvent after, List<GuardedEvent> output, Queue<Held>? held)
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
        return [.. counts.Select(pair => (EventPayload)new RedactionPayload(target, pair.Key, pair.Value, fromSeq >= 0 ? fromSeq : null, toSeq))];
    }

    private static KeyPayload Anonymous(KeyPayload key) => new(key.IsDown, RedactedKey, null, Modifiers.None, 0);

    private sealed record Held(long Seq, long MonoNs, DateTimeOffset Wall, EventPayload Payload, TypingPiece? Piece);
}
