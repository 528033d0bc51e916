using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Dataset.Build;

/// <summary><c>dataset.json</c>: what the dataset is, how it was made and what it holds (counts only).</summary>
public sealed record DatasetManifest
{
    public const string RelativePath = "dataset.json";

    public required string DatasetId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string BuilderVersion { get; init; }

    public required IReadOnlyList<string> Formats { get; init; }

    public required string FilterSummary { get; init; }

    public required string ReductionSummary { get; init; }

    public required string EpisodeSummary { get; init; }

    public required DatasetStatistics Statistics { get; init; }

    public required IReadOnlyList<string> Files { get; init; }
}

/// <summary>
/// <c>lineage.json</c>: every session the dataset was built from, with the episodes it gave, so
/// an erasure request can find each dataset that holds a person's data.
/// </summary>
public sealed record DatasetLineage(string DatasetId, DateTimeOffset CreatedAt, IReadOnlyList<LineageEntry> Sessions)
{
    public const string RelativePath = "lineage.json";
}

public sealed record LineageEntry(string SessionId, string? DeviceKeyId, IReadOnlyList<string> Episodes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DatasetManifest))]
[JsonSerializable(typeof(DatasetLineage))]
internal sealed partial class DatasetManifestJson : JsonSerializerContext
{
    public static string Format(DatasetManifest manifest) => JsonSerializer.Serialize(manifest, Default.DatasetManifest);

    public static string Format(DatasetLineage lineage) => JsonSerializer.Serialize(lineage, Default.DatasetLineage);

    public static DatasetLineage? ParseLineage(string json) => JsonSerializer.Deserialize(json, Default.DatasetLineage);
}
