using System.Text.RegularExpressions;
using Understudy.Core.Redaction;

namespace Understudy.Tests.Frames.Redaction;

/// <summary>
/// A stand-in for the real text redaction engine, for these tests only: flags e-mail addresses and
/// runs of 8 or more digits (spaces allowed between them) as credit cards, nothing else.
/// </summary>
internal sealed partial class FakeEmailAndDigitsRedactor : ITextRedactor
{
    public int Calls { get; private set; }

    public RedactionResult Redact(string text, TextSource source)
    {
        Calls++;
        var spans = new List<RedactedSpan>();
        foreach (Match m in Email().Matches(text))
        {
            spans.Add(new RedactedSpan(m.Index, m.Index + m.Length, EntityTypes.Email, EntityTypes.Placeholder(EntityTypes.Email)));
        }
        foreach (Match m in Digits().Matches(text))
        {
            if (m.Value.Count(char.IsAsciiDigit) >= 8 && !spans.Any(s => s.Start < m.Index + m.Length && m.Index < s.End))
            {
                spans.Add(new RedactedSpan(m.Index, m.Index + m.Length, EntityTypes.CreditCard, EntityTypes.Placeholder(EntityTypes.CreditCard)));
            }
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return RedactionResult.Apply(text, spans);
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\d[\d ]*\d")]
    private static partial Regex Digits();
}

/// <summary>A fake redactor that takes too long: sleeps, then flags nothing.</summary>
internal sealed class FakeSleepingRedactor(TimeSpan sleep) : ITextRedactor
{
    public RedactionResult Redact(string text, TextSource source)
    {
        Thread.Sleep(sleep);
        return RedactionResult.Unchanged(text);
    }
}

/// <summary>A fake redactor whose recognizers crash.</summary>
internal sealed class FakeThrowingRedactor : ITextRedactor
{
    public RedactionResult Redact(string text, TextSource source) => throw new InvalidOperationException("recognizer fault");
}

/// <summary>A fake redactor that gives up on every text, as the real one does on a timeout: the whole input is one UNSCANNED span.</summary>
internal sealed class FakeFailClosedRedactor : ITextRedactor
{
    public RedactionResult Redact(string text, TextSource source) =>
        new(EntityTypes.Placeholder(EntityTypes.Unscanned), [new RedactedSpan(0, text.Length, EntityTypes.Unscanned, EntityTypes.Placeholder(EntityTypes.Unscanned))], true);
}
