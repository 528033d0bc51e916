using Understudy.Core.Model;

namespace Understudy.Core.Guards.Fields;

/// <summary>
/// Field facts for a recording replayed through the guard (imports, benchmarks): each text key went
/// into the editable element last recorded before it (a click's element), sensitive by the same
/// rules as live; with no such element the key counts as ordinary, as the source tool recorded no
/// field for it. Call <see cref="Observe"/> with each event before the guard processes it.
/// </summary>
public sealed class RecordedFieldFacts(SensitiveFieldRules rules) : IFieldFacts
{
    private readonly Queue<FieldFact> _facts = new();
    private ElementPayload? _field;

    public bool Reports => true;

    public void Observe(SessionEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        switch (recorded.Payload)
        {
            case ElementPayload element when SensitiveFieldRules.IsEditable(element):
                _field = element;
                break;
            case FocusPayload:
                _field = null;
                break;
            case KeyPayload key when TypingKeys.TypesText(key):
                var sensitive = _field is { } field && rules.IsSensitive(field);
                _facts.Enqueue(new FieldFact(sensitive ? FieldFactKind.KeySensitive : FieldFactKind.KeyOrdinary, recorded.Seq, _field));
                break;
        }
    }

    public bool TryTake(out FieldFact fact) => _facts.TryDequeue(out fact);
}
