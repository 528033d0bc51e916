using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Upload;

// The collector's HTTP API, as both sides see it (docs/collector.md). Field names are snake_case
// on the wire; the collector refuses unknown fields.

public sealed record EnrollRequest(string Token);

public sealed record EnrollResponse(string DeviceId, string Credential, string CollectorPublicKey, string CollectorKeyId, int PolicyVersion);

public sealed record CollectorKeyResponse(string PublicKey, string KeyId);

/// <summary>Opens (or finds again) the upload of one local session. Only counts and times, never content.</summary>
public sealed record CreateUploadRequest(
    string SessionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset EndedAt,
    long EventCount,
    long TotalBytes,
    int ChunkSize,
    string Sha256,
    string SealedKey,
    string CollectorKeyId);

public sealed record UploadStatus(
    string UploadId,
    string SessionId,
    string State,
    int ChunkCount,
    int ChunkSize,
    long TotalBytes,
    IReadOnlyList<int> ReceivedChunks,
    long EventCount);

public sealed record ChunkResponse(string UploadId, int Index, bool Stored);

public sealed record PolicyResponse(int Version, string PolicyYaml, int RetentionDays, DateTimeOffset PublishedAt);

public sealed record ErrorResponse(string Error, string Message);

public static class UploadStates
{
    public const string Uploading = "uploading";
    public const string Complete = "complete";
    public const string Erased = "erased";
}

public static class ProtocolJson
{
    /// <summary>The options of every body on the wire: snake_case, and unknown fields are an error.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public const string ChunkHashHeader = "X-Chunk-Sha256";
}
