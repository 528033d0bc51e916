using System.Text.Json.Serialization;

namespace Understudy.Storage;

/// <summary>
/// manifest.json: a session's plaintext metadata. It must never hold recorded content (titles,
/// typed text, app names seen during recording): only what the user chose on the command line,
/// counts, times, and the sealed data key. Everything recorded goes to the encrypted log.
/// </summary>
internal sealed class Manifest
{
    internal const int CurrentFormatVersion = 1;
    internal const string RecordingStatus = "recording";
    internal const string CompleteStatus = "complete";

    public int FormatVersion { get; set; }

    public string? Id { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>"recording" until closed, then "complete"; "interrupted" is never stored, it is derived from the writer lock.</summary>
    public string? Status { get; set; }

    public string? Backend { get; set; }

    public ManifestScreen? Screen { get; set; }

    /// <summary>What the recorder could observe; null in manifests written before capabilities existed.</summary>
    public ManifestCapabilities? Capabilities { get; set; }

    public List<string>? AllowApps { get; set; }

    public string? DeviceKeyId { get; set; }

    /// <summary>Base64 of nonce | ciphertext | tag of the session data key; null once shredded.</summary>
    public string? WrappedDataKey { get; set; }

    public long? EventCount { get; set; }

    public SortedDictionary<string, long>? CountsByKind { get; set; }

    public long? DroppedInput { get; set; }

    public string? EndReason { get; set; }
}

internal sealed class ManifestScreen
{
    public int Width { get; set; }

    public int Height { get; set; }
}

internal sealed class ManifestCapabilities
{
    public bool Accessibility { get; set; }

    public bool Frames { get; set; }

    public string? FrameFormat { get; set; }

    public double? FrameScale { get; set; }

    public double ScaleFactor { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(Manifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
