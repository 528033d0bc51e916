using System.Security.Cryptography;
using System.Text;

namespace Understudy.Collector.Security;

/// <summary>
/// Bearer secrets: 32 random bytes, base64url, with a prefix that says what they are
/// (<c>usa_</c> account, <c>usd_</c> device, <c>use_</c> enrolment). Only their SHA-256 is stored, so a
/// copy of the database grants nothing.
/// </summary>
public static class Secrets
{
    public const string AccountPrefix = "usa_";
    public const string DevicePrefix = "usd_";
    public const string EnrolmentPrefix = "use_";
    public const int MaxLength = 64;

    public static string New(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Shape check before any lookup: right prefix, right length, base64url alphabet.</summary>
    public static bool LooksLike(string? secret, string prefix) =>
        secret is not null && secret.Length == prefix.Length + 43 && secret.StartsWith(prefix, StringComparison.Ordinal) &&
        secret.AsSpan(prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
