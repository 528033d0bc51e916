using Understudy.Core.Model;

namespace Understudy.Core.Guards.Fields;

public sealed record AttributionOptions
{
    /// <summary>A key the application has not shown it processed within this long is field-unknown (fail closed).</summary>
    public TimeSpan MaxBind { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How far a key's capture stamp may be later than the X server's own time for it: the mapping
    /// takes the smallest delivery delay seen (a millisecond or two) plus the server's 1 ms
    /// resolution. Wider costs data: keys typed this soon after a password's last bullet arrived
    /// are dropped with it.
    /// </summary>
    public TimeSpan StampTolerance { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How many later keys an insert that does not match the oldest waiting key may be matched against.</summary>
    public int LookAhead { get; init; } = 8;

    /// <summary>Inserts kept while no key claims them (the key may still be in the recorder's ordering window).</summary>
    public int MaxBufferedInserts { get; init; } = 4096;
}

/// <summary>
/// Binds each typed key to the field the application put its text into, from the application's own
/// reports, never from "what is focused now". It keeps, in arrival order, the focus changes every
/// application reported (the focus timeline) and the text insertions they reported (their text is
/// compared here and never kept past the match), and matches keys to insertions in order:
/// <list type="bullet">
/// <item>An application reports a key's insertion only after the X server handed it the key, so an
/// insertion can only be for a key captured before it arrived; one application reports its
/// insertions and focus changes in the order it made them.</item>
/// <item>An insertion into a sensitive field (GTK and Chromium report one per key, with a bullet for
/// the text) makes the oldest waiting key sensitive.</item>
/// <item>An insertion of the key's own text into an ordinary field makes it ordinary, unless a
/// sensitive field may have held the focus when the key was processed (the field focused when it
/// was captured, or one focused before the insertion arrived) and that application has not shown
/// that it reports typing into its sensitive fields.</item>
/// <item>A key no insertion accounts for within <see cref="AttributionOptions.MaxBind"/>, or when
/// the accessibility bus is lost, is field-unknown.</item>
/// </list>
/// Single-threaded: the accessibility source calls it from its own thread.
/// </summary>
public sealed class TypingAttributor
{
    private readonly SensitiveFieldRules _rules;
    private readonly AttributionOptions _options;
    private readonly long _maxBindNs;
    private readonly long _toleranceNs;

    private readonly List<PendingKey> _keys = [];
    private readonly List<Insertion> _inserts = [];

    // The focus timeline: arrival order. Entries older than every waiting key and the bound are dropped,
    // keeping the last one (the field focused now).
    private readonly List<FocusEntry> _timeline = [];

    // Applications seen reporting insertions into their sensitive fields: a key typed into one of
    // those would have shown up as such an insertion before any later one.
    private readonly HashSet<int> _reportsHiddenTyping = [];

    public TypingAttributor(SensitiveFieldRules rules, AttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        _rules = rules;
        _options = options;
        _maxBindNs = (long)options.MaxBind.TotalNanoseconds;
        _toleranceNs = (long)options.StampTolerance.TotalNanoseconds;
    }

    /// <summary>Keys waiting for the application to show where they went.</summary>
    public int WaitingKeys => _keys.Count(key => !key.GivenUp);

    /// <summary>Matched keys, by outcome (for diagnostics and the benchmarks).</summary>
    public long KeysOrdinary { get; private set; }

    public long KeysSensitive { get; private set; }

    public long KeysUnknown { get; private set; }

    /// <summary>A key that types <paramref name="text"/> was captured at <paramref name="monoNs"/> (the X server's time for it).</summary>
    public void Key(long seq, long monoNs, string text, List<FieldFact> output)
    {
        ArgumentNullException.ThrowIfNull(text);
        _keys.Add(new PendingKey(seq, monoNs, text));
        Match(output);
    }

    /// <summary>An application reported that <paramref name="field"/> took the focus; the report arrived at <paramref name="arrivalNs"/>.</summary>
    public void Focused(long arrivalNs, ElementPayload field, List<FieldFact> output)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(output);
        var sensitive = IsSensitive(field);
        _timeline.Add(new FocusEntry(arrivalNs, field, sensitive));
        if (sensitive)
        {
            output.Add(new FieldFact(FieldFactKind.SensitiveFieldFocused, -1, field));
        }
        Match(output);
    }

    /// <summary>
    /// A focus report arrived that could not be read (its application stopped answering): the field
    /// may have been sensitive, and nothing shows whether it reports typing.
    /// </summary>
    public void FocusUnreadable(long arrivalNs, List<FieldFact> output)
    {
        _timeline.Add(new FocusEntry(arrivalNs, UnreadableField, Sensitive: true));
        Match(output);
    }

    private static readonly ElementPayload UnreadableField = new(-1, ElementTriggers.Focus, "unknown", null, null, [], null, null, null, []);

    /// <summary>
    /// An application reported <paramref name="text"/> inserted into <paramref name="field"/> (for a
    /// sensitive field, whatever it reports instead of the text).
    /// </summary>
    public void Inserted(long arrivalNs, ElementPayload field, string? text, List<FieldFact> output, int offset = -1)
    {
        ArgumentNullException.ThrowIfNull(field);
        var at = new FieldKey(field.Pid, field.Role, field.Bounds, field.Label, field.Name);
        var length = Math.Max(1, text?.Length ?? 1);
        if (offset >= 0)
        {
            // The same insertion at the same place twice, with no deletion between: a report repeated
            // (a busy application, a replayed signal), not a second key. Counted twice it would shift
            // every key after it onto the next one's insertion.
            if (_lastInsertion.TryGetValue(at, out var last) && last.Offset == offset && last.Length == length && last.Text == text)
            {
                return;
            }
            if (_lastInsertion.Count >= 256)
            {
                _lastInsertion.Clear();
            }
            _lastInsertion[at] = (offset, length, text);
        }
        if (_inserts.Count >= _options.MaxBufferedInserts)
        {
            // Nobody claims them: the oldest cannot be for any key still to come in time.
            _inserts.RemoveAt(0);
        }
        var sensitive = IsSensitive(field);
        if (sensitive && field.Pid is { } pid)
        {
            _reportsHiddenTyping.Add(pid);
        }
        // Of an insertion into a sensitive field only its length is kept: how many keys it stands for
        // (Chromium reports two keys typed close together as one insertion of two bullets).
        _inserts.Add(new Insertion(arrivalNs, field, sensitive ? null : text, sensitive, length));
        if (sensitive)
        {
            _sensitiveInsertions.Add((arrivalNs, field));
        }
        Match(output);
    }

    /// <summary>
    /// A text insertion arrived that could not be read (its application stopped answering): it may
    /// have been a bullet, so every key captured before it that an insertion after it places is
    /// treated as sensitive, and the oldest waiting key is what it most likely stood for.
    /// </summary>
    public void InsertionUnreadable(long arrivalNs, List<FieldFact> output)
    {
        _inserts.Add(new Insertion(arrivalNs, UnreadableField, null, Sensitive: true, Length: 1));
        _sensitiveInsertions.Add((arrivalNs, UnreadableField));
        Match(output);
    }

    /// <summary>An application reported text deleted from <paramref name="field"/>: the same insertion there again is a new one.</summary>
    public void Deleted(ElementPayload field)
    {
        ArgumentNullException.ThrowIfNull(field);
        _lastInsertion.Remove(new FieldKey(field.Pid, field.Role, field.Bounds, field.Label, field.Name));
    }

    private readonly record struct FieldKey(int? Pid, string Role, Rect? Bounds, string? Label, string? Name);

    // The last insertion each field reported (offset, length, text), to tell a repeated report from a new key.
    private readonly Dictionary<FieldKey, (int Offset, int Length, string? Text)> _lastInsertion = [];

    // When insertions into sensitive fields arrived: a key captured before one of them and placed by an
    // insertion arriving after it may be the key that bullet stood for, whichever key it was matched to.
    private readonly List<(long ArrivalNs, ElementPayload Field)> _sensitiveInsertions = [];

    /// <summary>
    /// The application <paramref name="pid"/> is written with a toolkit known to report every key
    /// typed into a sensitive field as an insertion there: a key it puts into one shows up as such.
    /// </summary>
    public void ReportsHiddenTyping(int pid) => _reportsHiddenTyping.Add(pid);

    /// <summary>The accessibility layer is gone (or stopping): nothing waiting can be placed any more.</summary>
    public void Lost(List<FieldFact> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var key in _keys)
        {
            Emit(FieldFactKind.KeyUnknown, key, null, output);
        }
        _keys.Clear();
        _inserts.Clear();
        _sensitiveInsertions.Clear();
    }

    /// <summary>Gives up on keys waiting longer than the bound and forgets what can no longer matter.</summary>
    public void Poll(long nowNs, List<FieldFact> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Match(output);
        // A key given up on stays in line as a stand-in, without a fact of its own: should its
        // insertion come after all (an application that hung), it claims that one, not a later key's.
        for (var i = 0; i < _keys.Count && nowNs - _keys[i].MonoNs > _maxBindNs; i++)
        {
            if (!_keys[i].GivenUp)
            {
                Emit(FieldFactKind.KeyUnknown, _keys[i], null, output);
                _keys[i] = _keys[i] with { GivenUp = true };
            }
        }
        var forgotten = 0;
        while (forgotten < _keys.Count && _keys[forgotten].GivenUp && nowNs - _keys[forgotten].MonoNs > 3 * _maxBindNs)
        {
            forgotten++;
        }
        _keys.RemoveRange(0, forgotten);
        var stale = 0;
        while (stale < _inserts.Count && nowNs - _inserts[stale].ArrivalNs > _maxBindNs)
        {
            stale++;
        }
        _inserts.RemoveRange(0, stale);
        Match(output);
        TrimTimeline(nowNs);
    }

    /// <summary>When <see cref="Poll"/> next has something to give up on, or null.</summary>
    public long? NextDueNs => _keys.FirstOrDefault(key => !key.GivenUp) is { } first ? first.MonoNs + _maxBindNs + 1 : null;

    private bool IsSensitive(ElementPayload field) => _rules.IsSensitive(field) && SensitiveFieldRules.IsEditable(field);

    /// <summary>
    /// Every event the recorder captured up to <paramref name="monoNs"/> has been handed over (keys
    /// come in capture order): an insertion that arrived before then can be claimed by no key still to come.
    /// </summary>
    public void Delivered(long monoNs, List<FieldFact> output)
    {
        if (monoNs > _deliveredThroughNs)
        {
            _deliveredThroughNs = monoNs;
            Match(output);
        }
    }

    private long _deliveredThroughNs = long.MinValue;

    /// <summary>Whether every key that could have caused an insertion arriving at <paramref name="arrivalNs"/> is known.</summary>
    private bool AllKeysKnownFor(long arrivalNs) =>
        (_deliveredThroughNs != long.MinValue && _deliveredThroughNs - _toleranceNs > arrivalNs)
        || (_keys.Count > 0 && _keys[^1].MonoNs - _toleranceNs > arrivalNs);

    private void Match(List<FieldFact> output)
    {
        while (_keys.Count > 0)
        {
            var head = _keys[0];
            // Insertions that arrived before the oldest waiting key was captured cannot be for it or any later key.
            var earliest = head.MonoNs - _toleranceNs;
            var drop = 0;
            while (drop < _inserts.Count && _inserts[drop].ArrivalNs < earliest)
            {
                drop++;
            }
            _inserts.RemoveRange(0, drop);
            if (_inserts.Count == 0)
            {
                return;
            }
            var insert = _inserts[0];
            // While keys that may have caused this insertion can still come, nothing is concluded from a mismatch.
            var final = AllKeysKnownFor(insert.ArrivalNs);
            if (insert.Sensitive)
            {
                var covered = 0;
                while (covered < insert.Length && covered < _keys.Count && _keys[covered].MonoNs - _toleranceNs <= insert.ArrivalNs)
                {
                    Emit(FieldFactKind.KeySensitive, _keys[covered], insert.Field, output);
                    covered++;
                }
                _keys.RemoveRange(0, covered);
                _lastPlaced = null;
                if (covered < insert.Length && !final)
                {
                    // More of its bullets may be for keys not handed over yet.
                    _inserts[0] = insert with { Length = insert.Length - covered };
                    return;
                }
                _inserts.RemoveAt(0);
                continue;
            }
            var atHead = RunAt(0, insert);
            if (atHead == Run.Full)
            {
                Place(0, insert, output);
                _inserts.RemoveAt(0);
                continue;
            }
            if (atHead == Run.Partial && !final)
            {
                return;
            }
            // Not the oldest key's text: either that key made no insertion (a key a widget ate) or the
            // application inserted text of its own (completion, paste). A later key it matches tells.
            var placed = false;
            var limit = Math.Min(_keys.Count, 1 + _options.LookAhead);
            for (var i = 1; i < limit && !placed; i++)
            {
                var later = RunAt(i, insert);
                if (later == Run.Partial && !final)
                {
                    return;
                }
                if (later == Run.Full)
                {
                    // The keys before it made no insertion of their own (a character the toolkit
                    // composed differently, a key the widget ate). Between two insertions into the
                    // same field with no focus report in between, they can only have gone there.
                    var between = _lastPlaced is { } last && SameField(last.Field, insert.Field) && !FocusReportedBetween(last.ArrivalNs, insert.ArrivalNs);
                    for (var skipped = 0; skipped < i; skipped++)
                    {
                        if (between && Judge(_keys[skipped], insert).Kind == FieldFactKind.KeyOrdinary)
                        {
                            Emit(FieldFactKind.KeyOrdinary, _keys[skipped], insert.Field, output);
                        }
                        else
                        {
                            Emit(FieldFactKind.KeyUnknown, _keys[skipped], null, output);
                        }
                    }
                    _keys.RemoveRange(0, i);
                    Place(0, insert, output);
                    placed = true;
                }
            }
            if (!placed && !final)
            {
                // It may be for a key not handed over yet.
                return;
            }
            // Placed its keys, or was text of the application's own (or for a key no longer waiting).
            _inserts.RemoveAt(0);
        }
    }

    private enum Run
    {
        None,
        Partial,
        Full,
    }

    /// <summary>Whether <paramref name="insert"/> is the text of the keys from <paramref name="index"/> on (partly: the keys known so far are its beginning).</summary>
    private Run RunAt(int index, Insertion insert)
    {
        var text = insert.Text;
        if (string.IsNullOrEmpty(text))
        {
            return Run.None;
        }
        var at = 0;
        for (var i = index; i < _keys.Count && at < text.Length; i++)
        {
            var key = _keys[i].Text;
            if (key.Length == 0 || at + key.Length > text.Length || string.CompareOrdinal(text, at, key, 0, key.Length) != 0)
            {
                return Run.None;
            }
            if (_keys[i].MonoNs - _toleranceNs > insert.ArrivalNs)
            {
                return Run.None;
            }
            at += key.Length;
        }
        return at == text.Length ? Run.Full : Run.Partial;
    }

    /// <summary>Places the keys from <paramref name="index"/> on that <paramref name="insert"/> (a full run) accounts for.</summary>
    private void Place(int index, Insertion insert, List<FieldFact> output)
    {
        var text = insert.Text!;
        var at = 0;
        var count = 0;
        while (at < text.Length)
        {
            at += _keys[index + count].Text.Length;
            count++;
        }
        for (var i = 0; i < count; i++)
        {
            var key = _keys[index + i];
            var (kind, field) = Judge(key, insert);
            Emit(kind, key, field, output);
        }
        _keys.RemoveRange(index, count);
        _lastPlaced = insert;
    }

    // The last ordinary insertion that placed keys.
    private Insertion? _lastPlaced;

    private bool FieldReportedFocused(PendingKey key, Insertion insert)
    {
        var (current, window) = FocusAround(key, insert);
        return current is null || SameField(current.Field, insert.Field) || window.Exists(entry => SameField(entry.Field, insert.Field));
    }

    /// <summary>
    /// The focus timeline around a key and the insertion that matched it: the field focused when the
    /// key was captured (the last report before), and the reports that arrived between the two.
    /// </summary>
    private (FocusEntry? Current, List<FocusEntry> Window) FocusAround(PendingKey key, Insertion insert)
    {
        var from = key.MonoNs - _toleranceNs;
        FocusEntry? current = null;
        var window = new List<FocusEntry>();
        foreach (var entry in _timeline)
        {
            if (entry.ArrivalNs < from)
            {
                current = entry;
            }
            else if (entry.ArrivalNs <= insert.ArrivalNs)
            {
                window.Add(entry);
            }
        }
        return (current, window);
    }

    private bool FocusReportedBetween(long fromNs, long toNs) => _timeline.Any(entry => entry.ArrivalNs >= fromNs && entry.ArrivalNs <= toNs);

    private static bool SameField(ElementPayload a, ElementPayload b) =>
        a.Role == b.Role && a.Bounds == b.Bounds && a.Name == b.Name && a.Label == b.Label && a.Pid == b.Pid;

    /// <summary>
    /// What a key the text of <paramref name="insert"/> matched is. Ordinary only if nothing says it
    /// may have gone elsewhere: no bullet arrived between its capture and that insertion (the bullet
    /// may have been this key's, matched to another), no sensitive field that keeps quiet about typing
    /// may have had the focus, and, in an application not known to report typing into its sensitive
    /// fields, the focus did not move between its capture and the insertion to the very field that
    /// reported it at all (the key may have gone into a field focused in between whose report was lost).
    /// </summary>
    private (FieldFactKind Kind, ElementPayload? Field) Judge(PendingKey key, Insertion insert)
    {
        var from = key.MonoNs - _toleranceNs;
        foreach (var (arrivalNs, field) in _sensitiveInsertions)
        {
            if (arrivalNs >= from && arrivalNs <= insert.ArrivalNs)
            {
                return (FieldFactKind.KeySensitive, field);
            }
        }
        if (SensitiveCandidate(key, insert) is { } doubt)
        {
            return (FieldFactKind.KeySensitive, doubt);
        }
        // An insertion into a field the timeline never shows focused, when it shows another: a focus
        // report was lost, and the key may have gone into the field it named.
        if (!FieldReportedFocused(key, insert))
        {
            return (FieldFactKind.KeyUnknown, null);
        }
        // Even a report that the field itself took the focus again says the focus was elsewhere in between.
        if (!ReportsHiddenTyping(insert.Field) && FocusReportedBetween(from, insert.ArrivalNs))
        {
            return (FieldFactKind.KeyUnknown, null);
        }
        return (FieldFactKind.KeyOrdinary, insert.Field);
    }

    /// <summary>
    /// A sensitive field that may have had the focus when <paramref name="key"/> was processed and
    /// would not have shown it: the field focused when the key was captured, or one focused after
    /// that and before the insertion arrived. Null when there is none.
    /// </summary>
    private ElementPayload? SensitiveCandidate(PendingKey key, Insertion insert)
    {
        var (current, window) = FocusAround(key, insert);
        // A field whose typing shows as bullets needs no suspicion: a key that went there showed as a
        // bullet before this insertion, and the bullet rule in Judge has it. A field that keeps quiet
        // is suspected whenever it may have had the focus.
        foreach (var entry in window)
        {
            if (entry.Sensitive && !ReportsHiddenTyping(entry.Field))
            {
                return entry.Field;
            }
        }
        return current is { Sensitive: true } focused && !ReportsHiddenTyping(focused.Field) && !SameField(focused.Field, insert.Field) ? focused.Field : null;
    }

    private bool ReportsHiddenTyping(ElementPayload field) => field.Pid is { } pid && _reportsHiddenTyping.Contains(pid);

    private void TrimTimeline(long nowNs)
    {
        // Keep every entry a waiting key may still need: from the last one before the oldest key on.
        var horizon = _keys.Count > 0 ? _keys[0].MonoNs - _toleranceNs : nowNs - _maxBindNs;
        var keepFrom = 0;
        for (var i = 0; i < _timeline.Count; i++)
        {
            if (_timeline[i].ArrivalNs < horizon)
            {
                keepFrom = i;
            }
        }
        _timeline.RemoveRange(0, keepFrom);
        _sensitiveInsertions.RemoveAll(bullet => bullet.ArrivalNs < horizon);
    }

    private void Emit(FieldFactKind kind, PendingKey key, ElementPayload? field, List<FieldFact> output)
    {
        if (key.GivenUp)
        {
            // Its fact (unknown) was given when it was given up on.
            return;
        }
        switch (kind)
        {
            case FieldFactKind.KeyOrdinary:
                KeysOrdinary++;
                break;
            case FieldFactKind.KeySensitive:
                KeysSensitive++;
                break;
            default:
                KeysUnknown++;
                break;
        }
        output.Add(new FieldFact(kind, key.Seq, field));
    }

    private sealed record PendingKey(long Seq, long MonoNs, string Text, bool GivenUp = false);

    private sealed record Insertion(long ArrivalNs, ElementPayload Field, string? Text, bool Sensitive, int Length);

    private sealed record FocusEntry(long ArrivalNs, ElementPayload Field, bool Sensitive);
}
