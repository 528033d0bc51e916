using Understudy.Dataset.Episodes;
using Understudy.Dataset.Reduction;

namespace Understudy.Dataset.Build;

/// <summary>The export formats <c>dataset build --format</c> knows.</summary>
public static class DatasetFormats
{
    public const string OpenCua = "opencua";
    public const string Jsonl = "jsonl";
    public const string Parquet = "parquet";
    public const string Html = "html";

    public static readonly IReadOnlyList<string> All = [OpenCua, Jsonl, Parquet, Html];
}

/// <summary>The lowest quality an episode may have to be kept.</summary>
public static class MinQuality
{
    /// <summary>Every episode, whatever its flags.</summary>
    public const string Any = "any";

    /// <summary>No flag of <see cref="QualityFlags.Severe"/> (lost input, too short, truncated).</summary>
    public const string Usable = "usable";

    /// <summary>No flag at all.</summary>
    public const string Clean = "clean";

    public static readonly IReadOnlyList<string> All = [Any, Usable, Clean];

    public static bool Admits(string level, IReadOnlyList<string> flags) => level switch
    {
        Clean => flags.Count == 0,
        Usable => !flags.Any(QualityFlags.Severe.Contains),
        _ => true,
    };
}

public sealed record DatasetBuildOptions
{
    public required string OutputDirectory { get; init; }

    public IReadOnlyList<string> Formats { get; init; } = DatasetFormats.All;

    /// <summary>Keep only episodes that used one of these applications (WM_CLASS); empty keeps all.</summary>
    public IReadOnlyList<string> Apps { get; init; } = [];

    /// <summary>Keep only episodes that started at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Keep only episodes that started before this instant.</summary>
    public DateTimeOffset? Until { get; init; }

    public string MinQuality { get; init; } = Build.MinQuality.Any;

    /// <summary>Only these sessions; null means every session in the store.</summary>
    public IReadOnlyList<string>? SessionIds { get; init; }

    /// <summary>Sessions reduced at once.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Replace an existing dataset at <see cref="OutputDirectory"/> (only once the new one is complete).</summary>
    public bool Overwrite { get; init; }

    public ReductionOptions Reduction { get; init; } = new();

    public EpisodeOptions Episodes { get; init; } = new();

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            problems.Add("--out: a directory is required");
        }
        if (Formats.Count == 0)
        {
            problems.Add("--format: at least one format is required");
        }
        foreach (var format in Formats.Where(f => !DatasetFormats.All.Contains(f)))
        {
            problems.Add($"--format: unknown format '{format}' (expected {string.Join(", ", DatasetFormats.All)})");
        }
        if (!Build.MinQuality.All.Contains(MinQuality))
        {
            problems.Add($"--min-quality: unknown level '{MinQuality}' (expected {string.Join(", ", Build.MinQuality.All)})");
        }
        if (Since is { } since && Until is { } until && until <= since)
        {
            problems.Add("--until must be later than --since");
        }
        if (Parallelism is < 1 or > 256)
        {
            problems.Add($"--parallel: expected 1 to 256, got {Parallelism}");
        }
        problems.AddRange(Reduction.Validate());
        problems.AddRange(Episodes.Validate());
        return problems;
    }
}
