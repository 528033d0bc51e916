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

/// <summary>Field facts that never come: for imported recordings, whose source tool judged its own fields.</summary>
public sealed class NoFieldFacts : IFieldFacts
{
    public static NoFieldFacts Instance { get; } = new();

    private NoFieldFacts()
    {
    }

    public bool Reports => false;

    public bool TryTake(out FieldFact fact)
    {
        fact = default;
        return false;
    }
}

/// <summary>
/// Field facts from a source that cannot report any (accessibility disabled or unavailable while
/// recording live): every piece of typing waits in vain and is dropped as field-unknown.
/// </summary>
public sealed class SilentFieldFacts : IFieldFacts
{
    public static SilentFieldFacts Instance { get; } = new();

    private SilentFieldFacts()
    {
    }

    public bool Reports => true;

    public bool TryTake(out FieldFact fact)
    {
        fact = default;
        return false;
    }
}
