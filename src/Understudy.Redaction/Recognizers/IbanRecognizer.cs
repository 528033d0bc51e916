using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// IBANs: a country code from the registry table, two check digits, then letters and digits,
/// compact or in groups separated by single spaces, exactly as long as that country's IBAN, and
/// passing ISO 7064 mod 97-10. Lower case is accepted as typed.
/// </summary>
internal sealed class IbanRecognizer : Recognizer
{
    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Iban];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var span = text.AsSpan();
        // Anchor on the two check digits after two letters.
        var i = span.IndexOfAny(TextChars.Digits);
        Span<char> compact = stackalloc char[34];
        while (i >= 0)
        {
            context.CheckDeadline();
            var start = i - 2;
            if (start >= 0 && char.IsAsciiLetter(text[start]) && char.IsAsciiLetter(text[start + 1]) && TextChars.IsDigit(TextChars.At(text, i + 1))
                && (start == 0 || !char.IsLetterOrDigit(text[start - 1])))
            {
                TryAt(context, text, start, compact);
            }
            var next = i + 1 < text.Length ? span[(i + 1)..].IndexOfAny(TextChars.Digits) : -1;
            i = next < 0 ? -1 : i + 1 + next;
        }
    }

    private static void TryAt(ScanContext context, string text, int start, Span<char> compact)
    {
        var country = string.Create(2, text, (chars, t) =>
        {
            chars[0] = char.ToUpperInvariant(t[start]);
            chars[1] = char.ToUpperInvariant(t[start + 1]);
        });
        if (!Checksums.IbanLengths.TryGetValue(country, out var expected))
        {
            return;
        }
        var count = 0;
        var position = start;
        var end = start;
        while (position < text.Length && count < expected)
        {
            var c = text[position];
            if (char.IsAsciiLetterOrDigit(c))
            {
                compact[count++] = char.ToUpperInvariant(c);
                position++;
                end = position;
            }
            else if (c == ' ' && count >= 4 && position + 1 < text.Length && char.IsAsciiLetterOrDigit(text[position + 1]))
            {
                position++;
            }
            else
            {
                break;
            }
        }
        if (count != expected || char.IsLetterOrDigit(TextChars.At(text, end)))
        {
            return;
        }
        if (Checksums.IbanValid(compact[..count]))
        {
            context.Add(start, end, EntityTypes.Iban, Tiers.Checksum);
        }
    }
}
