using System.Security.Cryptography;
using System.Text;

namespace Understudy.Policy.Consent;

/// <summary>
/// The notice a donor reads and accepts before anything is recorded. Its text ships inside this
/// assembly; <see cref="Version"/> goes up whenever the text changes in substance, and an
/// acceptance counts only for the version (and exact text) that was accepted.
/// </summary>
public static class ConsentNotice
{
    /// <summary>The version of the notice this build shows.</summary>
    public const int Version = 1;

    private const string ResourceName = "Understudy.Policy.Consent.notice.md";

    private static readonly Lazy<string> LazyText = new(Load);

    /// <summary>The notice, Markdown.</summary>
    public static string Text => LazyText.Value;

    /// <summary>SHA-256 of the UTF-8 notice text, lower-case hex.</summary>
    public static string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));

    private static string Load()
    {
        using var stream = typeof(ConsentNotice).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the consent notice resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
