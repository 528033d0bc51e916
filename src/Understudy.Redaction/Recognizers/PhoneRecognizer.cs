using System.Text.RegularExpressions;
using PhoneNumbers;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Phone numbers, validated by libphonenumber (<see cref="PhoneNumberUtil.FindNumbers(string, string, PhoneNumberUtil.Leniency, long)"/>
/// with leniency VALID): numbers in the default region's national forms and any +CC
/// international form. libphonenumber only sees short clusters of digits and phone punctuation
/// holding 7–17 digits, so ordinary text costs nothing. Rejected even when valid: matches that
/// read as a date (2024-01-15, 15.01.2024), a time stamp, or a dotted quad.
/// </summary>
internal sealed partial class PhoneRecognizer : Recognizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Phone];

    [GeneratedRegex(@"(\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2})|(\d{1,2}[-./]\d{1,2}[-./]\d{2,4})", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex DateLike();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();

    private static bool IsClusterChar(char c) => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')' or '.' or '/' or '\u00a0';

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var span = text.AsSpan();
        var i = span.IndexOfAny(TextChars.Digits);
        while (i >= 0)
        {
            context.CheckDeadline();
            var start = i;
            while (start > 0 && text[start - 1] is '+' or '(' && i - start < 2)
            {
                start--;
            }
            var end = i;
            var digits = 0;
            while (end < text.Length && IsClusterChar(text[end]) && end - start < 40)
            {
                if (char.IsAsciiDigit(text[end]))
                {
                    digits++;
                }
                end++;
            }
            var clusterEnd = end;
            while (end > start && !char.IsAsciiDigit(text[end - 1]))
            {
                end--;
            }
            if (digits is >= 7 and <= 17)
            {
                Check(context, text, start, end);
            }
            var next = clusterEnd < text.Length ? span[clusterEnd..].IndexOfAny(TextChars.Digits) : -1;
            i = next < 0 ? -1 : clusterEnd + next;
        }
    }

    private static void Check(ScanContext context, string text, int start, int end)
    {
        var cluster = text.Substring(start, end - start);
        foreach (var match in Util.FindNumbers(cluster, context.Options.DefaultRegion, PhoneNumberUtil.Leniency.VALID, 16))
        {
            var matchStart = start + match.Start;
            var matchEnd = matchStart + match.Length;
            var raw = match.RawString;
            if (DateLike().IsMatch(raw) || DottedQuad().IsMatch(raw))
            {
                continue;
            }
            var before = TextChars.At(text, matchStart - 1);
            var after = TextChars.At(text, matchEnd);
            if (char.IsLetterOrDigit(before) || (before == ':' && !raw.StartsWith('+')) || before is '_' or '.' || char.IsLetterOrDigit(after) || after is ':' or '_'
                || (after is '.' && char.IsAsciiDigit(TextChars.At(text, matchEnd + 1))))
            {
                continue;
            }
            context.Add(matchStart, matchEnd, EntityTypes.Phone, Tiers.Format);
        }
    }
}
