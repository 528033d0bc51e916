using System.Diagnostics;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// One finding before overlaps are resolved. <see cref="Tier"/> orders the overlap rule:
/// a higher tier wins, then the longer span, then the earlier one.
/// </summary>
internal readonly record struct Candidate(int Start, int End, string Type, int Tier)
{
    public int Length => End - Start;
}

/// <summary>Overlap tiers (see docs/redaction.md).</summary>
internal static class Tiers
{
    /// <summary>Structural or known-prefix secrets: private key blocks, JWTs, API keys, URL credentials.</summary>
    public const int KnownSecret = 4;

    /// <summary>Checksum-validated numbers: credit cards (Luhn + IIN), IBAN (mod 97), SSN (area/group/serial rules).</summary>
    public const int Checksum = 3;

    /// <summary>Format-validated values: email, IP address, phone (libphonenumber), date of birth.</summary>
    public const int Format = 2;

    /// <summary>Generic findings: entropy secrets and person names.</summary>
    public const int Generic = 1;
}

/// <summary>The text being scanned and its deadline. Recognizers call <see cref="CheckDeadline"/> in their loops.</summary>
internal sealed class ScanContext(string text, RedactionOptions options, long deadlineTimestamp)
{
    private int _checks;

    public string Text { get; } = text;

    public RedactionOptions Options { get; } = options;

    public List<Candidate> Found { get; } = [];

    public void Add(int start, int end, string type, int tier)
    {
        if (end > start)
        {
            Found.Add(new Candidate(start, end, type, tier));
        }
    }

    /// <summary>Throws <see cref="ScanTimeoutException"/> once the budget is spent (checked every 64th call).</summary>
    public void CheckDeadline()
    {
        if ((++_checks & 63) == 0 && Stopwatch.GetTimestamp() > deadlineTimestamp)
        {
            throw new ScanTimeoutException();
        }
    }

    public void CheckDeadlineNow()
    {
        if (Stopwatch.GetTimestamp() > deadlineTimestamp)
        {
            throw new ScanTimeoutException();
        }
    }
}

internal sealed class ScanTimeoutException : Exception
{
    public ScanTimeoutException()
        : base("the scan ran out of time")
    {
    }
}

/// <summary>A recognizer: finds candidates of one or more entity types in the whole text.</summary>
internal abstract class Recognizer
{
    /// <summary>The entity types it reports; it is skipped when all are disabled.</summary>
    public abstract IReadOnlyList<string> Types { get; }

    public abstract void Find(ScanContext context);
}
