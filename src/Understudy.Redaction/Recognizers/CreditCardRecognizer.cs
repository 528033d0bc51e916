using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Payment card numbers: 13–19 digits, plain or in groups of at least three separated by one space
/// or dash (the same separator throughout), that pass Luhn and fall in an issuer's IIN range with
/// that issuer's length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay). A longer digit
/// run is tried group by group, so a card after a year or an order number is still found.
/// </summary>
internal sealed class CreditCardRecognizer : Recognizer
{
    private const int MaxGroups = 12;

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.CreditCard];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var i = text.AsSpan().IndexOfAny(TextChars.Digits);
        Span<int> groupStart = stackalloc int[MaxGroups];
        Span<int> groupEnd = stackalloc int[MaxGroups];
        Span<char> digits = stackalloc char[19];
        while (i >= 0 && i < text.Length)
        {
            context.CheckDeadline();
            if (i > 0 && (char.IsLetterOrDigit(text[i - 1]) || text[i - 1] == '_'))
            {
                i = Next(text, SkipDigits(text, i));
                continue;
            }
            // Collect groups: digits, then one separator, then digits...
            var groups = 0;
            var position = i;
            var separator = '\0';
            var runEnd = i;
            while (groups < MaxGroups)
            {
                var end = SkipDigits(text, position);
                groupStart[groups] = position;
                groupEnd[groups] = end;
                groups++;
                runEnd = end;
                var next = TextChars.At(text, end);
                if ((next is ' ' or '-') && (separator == '\0' || separator == next) && TextChars.IsDigit(TextChars.At(text, end + 1)))
                {
                    separator = next;
                    position = end + 1;
                    continue;
                }
                break;
            }
            if (!char.IsLetter(TextChars.At(text, runEnd)))
            {
                for (var first = 0; first < groups; first++)
                {
                    var count = 0;
                    for (var last = first; last < groups; last++)
                    {
                        var length = groupEnd[last] - groupStart[last];
                        // Grouped numbers use groups of three or more digits (the last may be shorter: 4-4-4-4-3).
                        if (groups > 1 && length < 3 && last != groups - 1)
                        {
                            break;
                        }
                        if (count + length > 19)
                        {
                            break;
                        }
                        text.AsSpan(groupStart[last], length).CopyTo(digits[count..]);
                        count += length;
                        if (count >= 13 && Valid(digits[..count]))
                        {
                            context.Add(groupStart[first], groupEnd[last], EntityTypes.CreditCard, Tiers.Checksum);
                        }
                    }
                }
            }
            i = Next(text, runEnd);
        }
    }

    internal static bool Valid(ReadOnlySpan<char> digits) => Checksums.CardIssuer(digits) is not null && Checksums.Luhn(digits);

    private static int SkipDigits(string text, int i)
    {
        while (i < text.Length && TextChars.IsDigit(text[i]))
        {
            i++;
        }
        return i;
    }

    private static int Next(string text, int from)
    {
        if (from >= text.Length)
        {
            return -1;
        }
        var next = text.AsSpan(from).IndexOfAny(TextChars.Digits);
        return next < 0 ? -1 : from + next;
    }
}
