using System.Text.RegularExpressions;
using Understudy.Core.Redaction;

namespace Understudy.Benchmarks.FrameRedaction;

/// <summary>
/// A stand-in for the real text redaction engine (built separately): e-mail addresses and runs of
/// 8+ digits. Cheap on purpose, so that the benchmark measures the pixel side and OCR, not the recognizers.
/// </summary>
internal sealed partial class BenchTextRedactor : ITextRedactor
{
    public RedactionResult Redact(string text, TextSource source)
    {
        List<RedactedSpan>? spans = null;
        foreach (Match m in Email().Matches(text))
        {
            (spans ??= []).Add(new RedactedSpan(m.Index, m.Index + m.Length, EntityTypes.Email, EntityTypes.Placeholder(EntityTypes.Email)));
        }
        foreach (Match m in Digits().Matches(text))
        {
            if (m.Value.Count(char.IsAsciiDigit) >= 8 && !(spans?.Any(s => s.Start < m.Index + m.Length && m.Index < s.End) ?? false))
            {
                (spans ??= []).Add(new RedactedSpan(m.Index, m.Index + m.Length, EntityTypes.CreditCard, EntityTypes.Placeholder(EntityTypes.CreditCard)));
            }
        }
        if (spans is null)
        {
            return RedactionResult.Unchanged(text);
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var output = new System.Text.StringBuilder(text.Length);
        var at = 0;
        foreach (var span in spans)
        {
            output.Append(text, at, span.Start - at).Append(span.Replacement);
            at = span.End;
        }
        return new RedactionResult(output.Append(text, at, text.Length - at).ToString(), spans, false);
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\d[\d ]*\d")]
    private static partial Regex Digits();
}
