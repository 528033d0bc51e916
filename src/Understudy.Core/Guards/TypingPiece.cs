using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;
using Understudy.Core.Redaction;

namespace Understudy.Core.Guards;

/// <summary>
/// Where a piece of typing is in the guard (see the diagram in docs/safeguards.md):
/// <c>Open</c> (keys still come) → <c>Closed</c> (a boundary or a pause ended it; facts on its keys
/// may still come) → <c>Decided</c> (ordinary, sensitive or field-unknown; its events may be handed
/// on) → <c>Released</c> (every event of it handed on). No other transition exists.
/// </summary>
internal enum PieceState
{
    Open,
    Closed,
    Decided,
    Released,
}

/// <summary>What the guard decided about a piece.</summary>
internal enum Verdict
{
    /// <summary>Every key went into an ordinary field: its text goes to the recognizers.</summary>
    Ordinary,

    /// <summary>A key went, or may have gone, into a sensitive field: nothing of it is kept.</summary>
    Sensitive,

    /// <summary>Where some key went could not be established in time: nothing of it is kept.</summary>
    FieldUnknown,
}

/// <summary>One piece of typing held by the guard: consecutive keys between boundaries.</summary>
internal sealed class TypingPiece(long firstSeq, long firstKeyNs, long firstKeyArrivalNs, bool awaitsFacts)
{
    private readonly HashSet<long> _awaited = [];
    private readonly List<long> _allAwaited = [];
    private bool _sensitive;

    public PieceState State { get; private set; } = PieceState.Open;

    public Verdict Verdict { get; private set; }

    public long FirstSeq { get; } = firstSeq;

    public long FirstKeyNs { get; } = firstKeyNs;

    public long FirstKeyArrivalNs { get; } = firstKeyArrivalNs;

    public long LastSeq { get; set; } = firstSeq;

    public long LastKeyNs { get; set; } = firstKeyNs;

    public long LastKeyArrivalNs { get; set; } = firstKeyArrivalNs;

    public long ClosedAtNs { get; private set; }

    public long RecheckAtNs { get; set; } = long.MinValue;

    public int KeyDowns { get; set; }

    /// <summary>The last character typed was not white space: a word may still be under way.</summary>
    public bool MidToken { get; set; }

    /// <summary>Nothing will say where some of its keys went (the accessibility bus is gone).</summary>
    public bool Unknown { get; set; }

    /// <summary>Keys pressed in this piece and not yet released: their releases belong to it.</summary>
    public HashSet<int> Down { get; } = [];

    /// <summary>The ordinary field its first placed key went into.</summary>
    public ElementPayload? Field { get; private set; }

    /// <summary>The sensitive field one of its keys went (or may have gone) into.</summary>
    public ElementPayload? SensitiveField { get; private set; }

    public IReadOnlyList<long> AwaitedKeys => _allAwaited;

    public RedactionResult? Rewrite { get; set; }

    public bool TextEmitted { get; set; }

    public bool StandInEmitted { get; set; }

    public void AwaitFact(long seq)
    {
        Require(PieceState.Open);
        _awaited.Add(seq);
        _allAwaited.Add(seq);
    }

    public void Place(FieldFact fact)
    {
        if (State is not (PieceState.Open or PieceState.Closed) || !_awaited.Remove(fact.Seq))
        {
            return;
        }
        switch (fact.Kind)
        {
            case FieldFactKind.KeyOrdinary:
                Field ??= fact.Field;
                break;
            case FieldFactKind.KeySensitive:
                _sensitive = true;
                SensitiveField ??= fact.Field;
                break;
            default:
                Unknown = true;
                break;
        }
    }

    /// <summary>The verdict the facts so far allow, or null while keys still wait for theirs.</summary>
    public Verdict? Judgement()
    {
        if (_sensitive)
        {
            return Verdict.Sensitive;
        }
        if (Unknown)
        {
            return Verdict.FieldUnknown;
        }
        if (awaitsFacts && _awaited.Count > 0)
        {
            return null;
        }
        return Verdict.Ordinary;
    }

    public void Close(long atNs)
    {
        Require(PieceState.Open);
        State = PieceState.Closed;
        ClosedAtNs = atNs;
    }

    public void Decide(Verdict verdict)
    {
        Require(PieceState.Closed);
        State = PieceState.Decided;
        Verdict = verdict;
    }

    public void Release()
    {
        Require(PieceState.Decided);
        State = PieceState.Released;
    }

    private void Require(PieceState state)
    {
        if (State != state)
        {
            throw new InvalidOperationException($"a piece of typing cannot go from {State} that way (expected {state})");
        }
    }
}
