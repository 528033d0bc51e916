using System.Text.RegularExpressions;
using Understudy.Policy;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Collector;

/// <summary>Every field that comes in is checked here, before it reaches the store; each refusal names the field.</summary>
internal static partial class Validate
{
    public const int MaxPolicyBytes = 64 * 1024;
    public const int MaxPurposeLength = 200;

    public static void AccountName(string? name)
    {
        if (name is null || !AccountNamePattern().IsMatch(name))
        {
            throw CollectorError.BadRequest("invalid_account", "account: 1–64 characters of letters, digits, '.', '_', '-', '@'");
        }
    }

    public static void Id(string? id, string prefix, string field)
    {
        if (id is null || id.Length != prefix.Length + 16 || !id.StartsWith(prefix, StringComparison.Ordinal) || !IsLowerHex(id.AsSpan(prefix.Length)))
        {
            throw CollectorError.BadRequest("invalid_id", $"{field}: expected '{prefix}' and 16 lowercase hex digits");
        }
    }

    public static bool IsSha256(string? text) => text is { Length: 64 } && IsLowerHex(text);

    private static bool IsLowerHex(ReadOnlySpan<char> text) => text.IndexOfAnyExcept("0123456789abcdef") < 0;

    public static void Upload(CreateUploadRequest request, CollectorOptions options)
    {
        if (!SessionId.IsValid(request.SessionId))
        {
            throw CollectorError.BadRequest("invalid_field", "session_id: expected YYYYMMDDTHHMMSSZ-xxxxxx");
        }
        if (request.EndedAt < request.CreatedAt)
        {
            throw CollectorError.BadRequest("invalid_field", "ended_at: before created_at");
        }
        if (request.EventCount is < 0 or > 1_000_000_000)
        {
            throw CollectorError.BadRequest("invalid_field", "event_count: must be 0..1000000000");
        }
        if (request.ChunkSize < options.MinChunkBytes || request.ChunkSize > options.MaxChunkBytes)
        {
            throw CollectorError.BadRequest("invalid_field", $"chunk_size: must be {options.MinChunkBytes}..{options.MaxChunkBytes}");
        }
        if (request.TotalBytes < 12)
        {
            throw CollectorError.BadRequest("invalid_field", "total_bytes: at least 12 (a bundle header)");
        }
        if (request.TotalBytes > options.MaxSessionBytes)
        {
            throw CollectorError.TooLarge($"total_bytes: at most {options.MaxSessionBytes}");
        }
        if ((request.TotalBytes + request.ChunkSize - 1) / request.ChunkSize > 1_000_000)
        {
            throw CollectorError.BadRequest("invalid_field", "chunk_size: too small for total_bytes (at most 1000000 chunks)");
        }
        if (!IsSha256(request.Sha256))
        {
            throw CollectorError.BadRequest("invalid_field", "sha256: expected 64 lowercase hex digits");
        }
        if (request.SealedKey is null || request.SealedKey.Length > SealedKeyEnvelope.MaxSize * 2 || !IsBase64(request.SealedKey))
        {
            throw CollectorError.BadRequest("invalid_field", "sealed_key: expected base64 of a sealed key envelope");
        }
        if (request.CollectorKeyId is not { Length: 16 } || !IsLowerHex(request.CollectorKeyId))
        {
            throw CollectorError.BadRequest("invalid_field", "collector_key_id: expected 16 lowercase hex digits");
        }
    }

    private static bool IsBase64(string text)
    {
        Span<byte> scratch = stackalloc byte[SealedKeyEnvelope.MaxSize + 3];
        return Convert.TryFromBase64String(text, scratch, out _);
    }

    public static void Policy(string? policyYaml, int retentionDays)
    {
        if (policyYaml is null || System.Text.Encoding.UTF8.GetByteCount(policyYaml) > MaxPolicyBytes)
        {
            throw CollectorError.BadRequest("invalid_policy", $"policy_yaml: required, at most {MaxPolicyBytes} bytes");
        }
        if (retentionDays is < 1 or > 3650)
        {
            throw CollectorError.BadRequest("invalid_field", "retention_days: must be 1..3650");
        }
        try
        {
            // The recorder's own loader: a policy the collector accepts is one every recorder can load.
            _ = PolicyLoader.Parse(policyYaml, "policy_yaml");
        }
        catch (PolicyException ex)
        {
            throw CollectorError.Invalid("invalid_policy", ex.Message);
        }
    }

    public static void Purpose(string? purpose)
    {
        if (string.IsNullOrWhiteSpace(purpose) || purpose.Length > MaxPurposeLength || purpose.Any(char.IsControl))
        {
            throw CollectorError.BadRequest("invalid_field", $"purpose: required, 1..{MaxPurposeLength} characters, no control characters");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex AccountNamePattern();
}
