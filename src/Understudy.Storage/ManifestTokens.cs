using System.Text.RegularExpressions;

namespace Understudy.Storage;

/// <summary>
/// Free-form strings that end up in the plaintext manifest (backend, end reason) are held to a
/// short code so that content can never be smuggled into it by mistake. ':' separates a kind
/// from its variant (backend <c>import:agentnet</c>).
/// </summary>
internal static partial class ManifestTokens
{
    internal static void Validate(string? value, string parameterName)
    {
        if (value is null || !Pattern().IsMatch(value))
        {
            throw new ArgumentException(
                $"{parameterName} must be a short code of letters, digits, '_', '-', '.' or ':' (at most 64 characters)", parameterName);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
