using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Credentials in URLs: <c>scheme://user:password@host</c>. The span is the userinfo
/// (<c>user:password</c>); the scheme and host stay. A userinfo without a password (<c>ssh://git@host</c>) is left alone.
/// </summary>
internal sealed class UrlCredentialsRecognizer : Recognizer
{
    public override IReadOnlyList<string> Types { get; } = [EntityTypes.UrlCredentials];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var marker = text.IndexOf("://", StringComparison.Ordinal);
        while (marker >= 0)
        {
            context.CheckDeadline();
            var next = TryAt(context, text, marker);
            marker = next < text.Length ? text.IndexOf("://", next, StringComparison.Ordinal) : -1;
        }
    }

    private static int TryAt(ScanContext context, string text, int marker)
    {
        var schemeStart = marker;
        while (schemeStart > 0 && (char.IsAsciiLetterOrDigit(text[schemeStart - 1]) || text[schemeStart - 1] is '+' or '.' or '-') && marker - schemeStart < 32)
        {
            schemeStart--;
        }
        var start = marker + 3;
        if (schemeStart == marker || !char.IsAsciiLetter(text[schemeStart]))
        {
            return start;
        }
        // The authority ends at the path, query, fragment or whitespace; the userinfo ends at its last '@'.
        var end = start;
        var at = -1;
        while (end < text.Length && end - start < 2048)
        {
            var c = text[end];
            if (c is '/' or '?' or '#' or '"' or '<' or '>' || char.IsWhiteSpace(c))
            {
                break;
            }
            if (c == '@')
            {
                at = end;
            }
            end++;
        }
        if (at > start)
        {
            var colon = text.IndexOf(':', start, at - start);
            if (colon >= start && colon < at - 1)
            {
                context.Add(start, at, EntityTypes.UrlCredentials, Tiers.KnownSecret);
            }
        }
        return Math.Max(end, start);
    }
}
