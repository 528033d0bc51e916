using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;

namespace Understudy.Tests.Guards;

/// <summary>
/// Field facts a test hands to the guard by hand, in the order it wants them taken: the stand-in
/// for the accessibility source and its <see cref="TypingAttributor"/>.
/// </summary>
internal sealed class QueuedFieldFacts : IFieldFacts
{
    private readonly Queue<FieldFact> _facts = new();

    public bool Reports => true;

    /// <summary>Facts given and not yet taken by the guard.</summary>
    public int Waiting => _facts.Count;

    public bool TryTake(out FieldFact fact) => _facts.TryDequeue(out fact);

    public void Add(FieldFact fact) => _facts.Enqueue(fact);

    public void Ordinary(IEnumerable<long> keys, ElementPayload field) => AddAll(FieldFactKind.KeyOrdinary, keys, field);

    public void Sensitive(IEnumerable<long> keys, ElementPayload field) => AddAll(FieldFactKind.KeySensitive, keys, field);

    public void Unknown(IEnumerable<long> keys) => AddAll(FieldFactKind.KeyUnknown, keys, null);

    public void SensitiveFieldFocused(ElementPayload field) => Add(new FieldFact(FieldFactKind.SensitiveFieldFocused, -1, field));

    private void AddAll(FieldFactKind kind, IEnumerable<long> keys, ElementPayload? field)
    {
        foreach (var seq in keys)
        {
            Add(new FieldFact(kind, seq, field));
        }
    }
}
