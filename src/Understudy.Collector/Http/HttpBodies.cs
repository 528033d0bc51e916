using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Understudy.Upload;

namespace Understudy.Collector.Http;

// Request bodies beyond the wire protocol's (which live in Understudy.Upload.Protocol).

public sealed record CreateAccountRequest(string Role, string Account);

public sealed record CreateAccountResponse(string AccountId, string Role, string Token);

public sealed record EnrolmentTokenRequest(string Account);

public sealed record EnrolmentTokenResponse(string Token, DateTimeOffset ExpiresAt);

public sealed record DeviceView(string DeviceId, DateTimeOffset EnrolledAt, DateTimeOffset? RevokedAt);

public sealed record PublishPolicyRequest(string PolicyYaml, int RetentionDays);

public sealed record ConsentRequest(bool Granted, int NoticeVersion);

public sealed record ConsentView(bool Granted, int NoticeVersion, DateTimeOffset? UpdatedAt, int CurrentNoticeVersion);

public sealed record DonorSessionView(string UploadId, string SessionId, string State, DateTimeOffset RecordedAt, DateTimeOffset EndedAt, long EventCount, long Bytes);

public sealed record DatasetRequest(string Purpose);

public sealed record DatasetView(string DatasetId, string Purpose, string State, DateTimeOffset CreatedAt, string? RebuildReason, IReadOnlyList<string> Sessions);

public sealed record ErasureRequest(string Account);

public sealed record AuditVerifyView(bool Intact, long EntriesChecked, long? BrokenAtSeq, string? Problem);

internal static class HttpBodies
{
    public const int MaxJsonBytes = 64 * 1024 + 4096;

    /// <summary>Reads a JSON body strictly: size-limited, unknown fields and wrong types refused, with the field named.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, int maxBytes = MaxJsonBytes)
        where T : class
    {
        if (context.Request.ContentLength is > 0 and var length && length > maxBytes)
        {
            throw CollectorError.TooLarge($"request body is {length} bytes; at most {maxBytes} are accepted here");
        }
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new CollectorError(415, "unsupported_media_type", "Content-Type must be application/json");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw CollectorError.TooLarge($"request body exceeds {maxBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ProtocolJson.Options)
                ?? throw CollectorError.BadRequest("invalid_json", "request body: expected a JSON object, got null");
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) ? "request body" : ex.Path;
            throw CollectorError.BadRequest("invalid_json", $"{where}: {FirstSentence(ex.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
