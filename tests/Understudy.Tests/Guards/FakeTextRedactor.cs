using System.Text.RegularExpressions;
using Understudy.Core.Redaction;

namespace Understudy.Tests.Guards;

/// <summary>
/// A stand-in for the real engine in guard tests: flags emails and the word "secret-token-…" only,
/// so that the guard's own logic (buffering, rewriting, fail-closed) is what is tested.
/// </summary>
internal sealed partial class FakeTextRedactor : ITextRedactor
{
    public int Calls { get; private set; }

    public bool Throw { get; set; }

    public List<(string Text, TextSource Source)> Seen { get; } = [];

    public RedactionResult Redact(string text, TextSource source)
    {
        Calls++;
        Seen.Add((text, source));
        if (Throw)
        {
            throw new InvalidOperationException("recognizer fault");
        }
        var spans = new List<RedactedSpan>();
        foreach (Match match in Pattern().Matches(text))
        {
            var type = match.Value.Contains('@') ? EntityTypes.Email : EntityTypes.ApiKey;
            spans.Add(new RedactedSpan(match.Index, match.Index + match.Length, type, EntityTypes.Placeholder(type)));
        }
        return RedactionResult.Apply(text, spans);
    }

    [GeneratedRegex(@"[a-z.]+@[a-z]+\.[a-z]{2,}|secret-token-[a-z0-9]+")]
    private static partial Regex Pattern();
}
