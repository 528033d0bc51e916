using Understudy.Core.Model;

namespace Understudy.Core.Guards.Fields;

/// <summary>What the typing attributor established about one key, or about the focus.</summary>
public enum FieldFactKind
{
    /// <summary>The application reported the key's text inserted into this ordinary field.</summary>
    KeyOrdinary,

    /// <summary>The key went, or may have gone, into this sensitive field.</summary>
    KeySensitive,

    /// <summary>Where the key went could not be established within the bound: it counts as sensitive.</summary>
    KeyUnknown,

    /// <summary>A sensitive field took the focus: frames hide it from now on.</summary>
    SensitiveFieldFocused,
}

/// <summary>
/// One fact about where typing went. <see cref="Seq"/> is the key's (provisional) number for the
/// key facts; <see cref="Field"/> describes the field (never its text).
/// </summary>
public readonly record struct FieldFact(FieldFactKind Kind, long Seq, ElementPayload? Field);

/// <summary>
/// Where the privacy guard learns which field each key went into. Implemented by the accessibility
/// source (facts arrive from its thread); <see cref="None"/> for recordings whose fields can never be
/// known (imports), where typing is judged by its text alone.
/// </summary>
public interface IFieldFacts
{
    /// <summary>False when no field will ever be reported: typing is then not held for facts.</summary>
    bool Reports { get; }

    /// <summary>Takes the next fact, if one is waiting. Called on the pipeline thread.</summary>
    bool TryTake(out FieldFact fact);
}

/// <summary>
/// Field facts that never come. <see cref="Imported"/>: recordings whose source tool judged its own
/// fields, where typing is judged by its text alone. <see cref="Unavailable"/>: live recording without
/// accessibility, where every piece of typing waits in vain and is dropped as field-unknown.
/// </summary>
public sealed class NoFieldFacts : IFieldFacts
{
    public static NoFieldFacts Imported { get; } = new(reports: false);

    public static NoFieldFacts Unavailable { get; } = new(reports: true);

    private NoFieldFacts(bool reports)
    {
        Reports = reports;
    }

    public bool Reports { get; }

    public bool TryTake(out FieldFact fact)
    {
        fact = default;
        return false;
    }
}
