namespace Understudy.Core.Redaction;

/// <summary>Where a piece of text came from; recognizers may weigh context by it (typed text has no sentence around it, titles are short).</summary>
public enum TextSource
{
    Typed,
    WindowTitle,
    ElementName,
    UiValue,
    Clipboard,
    Screen,
    Other,
}

/// <summary>
/// The entity types recognizers report, named as Presidio names them where Presidio has the type.
/// Placeholders are these names in angle brackets: <c>&lt;EMAIL_ADDRESS&gt;</c>.
/// </summary>
public static class EntityTypes
{
    public const string Email = "EMAIL_ADDRESS";
    public const string Phone = "PHONE_NUMBER";
    public const string CreditCard = "CREDIT_CARD";
    public const string Iban = "IBAN_CODE";
    public const string UsSsn = "US_SSN";
    public const string IpAddress = "IP_ADDRESS";
    public const string UrlCredentials = "URL_CREDENTIALS";
    public const string DateOfBirth = "DATE_OF_BIRTH";
    public const string Person = "PERSON";
    public const string PrivateKey = "PRIVATE_KEY";
    public const string Jwt = "JWT";
    public const string ApiKey = "API_KEY";

    /// <summary>A generic high-entropy string next to a key/secret/token/password word.</summary>
    public const string Secret = "SECRET";

    /// <summary>Input in a password or other sensitive field: never scanned, never kept.</summary>
    public const string SensitiveField = "SENSITIVE_FIELD";

    /// <summary>Text the engine could not finish scanning (timeout, size limit, recognizer fault): dropped whole, fail closed.</summary>
    public const string Unscanned = "UNSCANNED";

    public static string Placeholder(string type) => $"<{type}>";
}

/// <summary>
/// One redacted stretch of the input: <see cref="Start"/>..<see cref="End"/> (exclusive) index the
/// input text, <see cref="Replacement"/> is what stands in the output instead (a placeholder such
/// as <c>&lt;EMAIL_ADDRESS&gt;</c> or a consistent surrogate value).
/// </summary>
public readonly record struct RedactedSpan(int Start, int End, string Type, string Replacement);

/// <summary>
/// The outcome of redacting one text: <see cref="Text"/> is safe to store. <see cref="Spans"/> are
/// ordered, do not overlap, and index the input. When <see cref="FailedClosed"/> is set the engine
/// could not scan the input (timeout, size, fault) and the whole input is one
/// <see cref="EntityTypes.Unscanned"/> span.
/// </summary>
public sealed record RedactionResult(string Text, IReadOnlyList<RedactedSpan> Spans, bool FailedClosed)
{
    public bool Changed => Spans.Count > 0;

    public static RedactionResult Unchanged(string text) => new(text, [], false);

    /// <summary>The result of replacing <paramref name="spans"/> (ordered, not overlapping, indexing <paramref name="text"/>) by their replacements.</summary>
    public static RedactionResult Apply(string text, IReadOnlyList<RedactedSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return Unchanged(text);
        }
        var output = new System.Text.StringBuilder(text.Length);
        var at = 0;
        foreach (var span in spans)
        {
            output.Append(text, at, span.Start - at).Append(span.Replacement);
            at = span.End;
        }
        output.Append(text, at, text.Length - at);
        return new RedactionResult(output.ToString(), spans, false);
    }
}

/// <summary>
/// Finds personal data and secrets in text and replaces them. Implementations are thread-safe,
/// bound the time they take (fail closed when they cannot finish) and never log the text.
/// </summary>
public interface ITextRedactor
{
    RedactionResult Redact(string text, TextSource source);
}
