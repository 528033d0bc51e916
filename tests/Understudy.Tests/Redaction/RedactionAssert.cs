using Understudy.Core.Redaction;
using Understudy.Redaction;

namespace Understudy.Tests.Redaction;

internal static class RedactionAssert
{
    public static readonly TextRedactionEngine Engine = new();

    /// <summary>The (type, original text) of every span found in <paramref name="text"/>.</summary>
    public static List<(string Type, string Value)> Found(string text, ITextRedactor? redactor = null)
    {
        var result = (redactor ?? Engine).Redact(text, TextSource.Other);
        Assert.False(result.FailedClosed, "failed closed");
        return [.. result.Spans.Select(s => (s.Type, text[s.Start..s.End]))];
    }

    public static void Finds(string text, string type, string value)
    {
        var found = Found(text);
        Assert.True(found.Contains((type, value)), $"expected {type} '{value}' in '{text}', found [{string.Join(", ", found.Select(f => $"{f.Type} '{f.Value}'"))}]");
    }

    public static void FindsNo(string text, string type)
    {
        var found = Found(text);
        Assert.True(!found.Any(f => f.Type == type), $"expected no {type} in '{text}', found [{string.Join(", ", found.Select(f => $"{f.Type} '{f.Value}'"))}]");
    }

    public static void FindsNothing(string text)
    {
        var found = Found(text);
        Assert.True(found.Count == 0, $"expected nothing in '{text}', found [{string.Join(", ", found.Select(f => $"{f.Type} '{f.Value}'"))}]");
    }
}
