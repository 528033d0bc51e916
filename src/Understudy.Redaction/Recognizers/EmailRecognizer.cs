using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Email addresses, found from each '@': a local part of RFC 5322 atom characters (1–64, no
/// leading, trailing or double dot) and a domain of at least two DNS labels (1–63 characters, no
/// leading or trailing hyphen) ending in an alphabetic top-level label of two or more letters.
/// </summary>
internal sealed class EmailRecognizer : Recognizer
{
    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Email];

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'' or '!' or '#' or '$' or '&' or '*' or '=' or '?' or '^' or '`' or '{' or '|' or '}' or '~'
        || (c > 127 && char.IsLetterOrDigit(c));

    private static bool IsDomainChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' || (c > 127 && char.IsLetterOrDigit(c));

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var at = text.IndexOf('@');
        while (at >= 0)
        {
            context.CheckDeadline();
            TryAt(context, text, at);
            at = text.IndexOf('@', at + 1);
        }
    }

    private static void TryAt(ScanContext context, string text, int at)
    {
        var start = at;
        while (start > 0 && at - start < 64 && IsLocalChar(text[start - 1]))
        {
            start--;
        }
        // Quotes and other punctuation that may open a local part but belong to the sentence.
        while (start < at && text[start] is '.' or '\'' or '`' or '{' or '|' or '=' or '?' or '!' or '*' or '-')
        {
            start++;
        }
        if (start == at || (start > 0 && IsLocalChar(text[start - 1])))
        {
            return;
        }
        var local = text.AsSpan(start, at - start);
        if (local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return;
        }
        var end = at + 1;
        while (end < text.Length && end - at <= 255 && IsDomainChar(text[end]))
        {
            end++;
        }
        // A sentence's full stop or a dash after the address is not part of it.
        while (end > at + 1 && text[end - 1] is '.' or '-')
        {
            end--;
        }
        if (!ValidDomain(text.AsSpan(at + 1, end - at - 1)))
        {
            return;
        }
        context.Add(start, end, EntityTypes.Email, Tiers.Format);
    }

    internal static bool ValidDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length < 4)
        {
            return false;
        }
        var labels = 0;
        var last = ReadOnlySpan<char>.Empty;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            labels++;
            last = label;
        }
        if (labels < 2 || last.Length < 2)
        {
            return false;
        }
        foreach (var c in last)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }
        return true;
    }
}
