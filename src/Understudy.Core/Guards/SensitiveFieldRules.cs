using System.Text.RegularExpressions;
using Understudy.Core.Model;

namespace Understudy.Core.Guards;

/// <summary>
/// Which focused elements are sensitive: input there is never kept, its bounds are filled in
/// every frame and its text is never read. Password roles always are; other fields when their
/// name or label says so (the policy's sensitive labels).
/// </summary>
public sealed class SensitiveFieldRules
{
    /// <summary>AT-SPI's role for password entries (GTK <c>GtkEntry</c> with visibility off, Chromium <c>input type=password</c>).</summary>
    public const string PasswordRole = "password text";

    public static readonly IReadOnlyList<string> DefaultLabels =
    [
        "password", "passcode", "passphrase", "pin", "cvv", "cvc", "ssn", "social security", "secret", "token",
        "api key", "otp", "one-time code", "security code", "card number", "iban",
    ];

    private readonly Regex _labels;

    public SensitiveFieldRules(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var words = labels.Select(l => l.Trim()).Where(l => l.Length > 0).Select(Regex.Escape).ToList();
        // Whole words only: "pin" must not match "spinner" or "shipping".
        _labels = words.Count == 0
            ? new Regex("(?!)", RegexOptions.NonBacktracking)
            : new Regex($@"\b(?:{string.Join('|', words)})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public static SensitiveFieldRules Default { get; } = new(DefaultLabels);

    public bool IsSensitive(ElementPayload element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return element.Role == PasswordRole || IsSensitiveText(element.Name) || IsSensitiveText(element.Label);
    }

    public bool IsSensitiveText(string? text) => !string.IsNullOrEmpty(text) && text.Length <= 4096 && _labels.IsMatch(text);

    /// <summary>Elements people type into; a sensitive label on anything else (a "Show password" check box) changes nothing.</summary>
    public static bool IsEditable(ElementPayload element) =>
        element.Role is PasswordRole or "text" or "entry" or "editbar" or "terminal" or "paragraph" or "document text" or "combo box" or "spin button"
        || element.States.Contains("editable");
}
