using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Understudy.Storage;

/// <summary>
/// Session ids look like <c>20261123T063000Z-7f3a9c</c>: the UTC start second, then 24 random
/// bits. They sort by start time and double as directory names, so every id that comes from
/// outside is checked against the exact pattern before any path is built from it.
/// </summary>
public static partial class SessionId
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    internal static void Validate(string? id)
    {
        if (!IsValid(id))
        {
            throw new StorageException($"invalid session id '{Describe(id)}': expected the form 20261123T063000Z-7f3a9c");
        }
    }

    internal static string New(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[3];
        RandomNumberGenerator.Fill(random);
        return now.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(random);
    }

    /// <summary>The start second encoded in a valid id (used when the manifest cannot be read).</summary>
    internal static DateTimeOffset StartOf(string id) =>
        DateTimeOffset.TryParseExact(id.AsSpan(0, 16), TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start)
            ? start
            : DateTimeOffset.UnixEpoch;

    // Shown in an error, so keep it printable and short whatever was passed in.
    private static string Describe(string? id)
    {
        if (id is null)
        {
            return "(null)";
        }
        var shown = id.Length > 40 ? id[..40] + "…" : id;
        return string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
    }

    // \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
