namespace Understudy.Dataset.Build;

/// <summary>What a built dataset holds, for the card, the manifest and <c>--json</c>. Counts only, never content.</summary>
public sealed class DatasetStatistics
{
    public int Sessions { get; set; }

    public int Episodes { get; set; }

    public long Steps { get; set; }

    public long RawEvents { get; set; }

    public long DurationMs { get; set; }

    public int EpisodesWithTask { get; set; }

    public long Images { get; set; }

    public long ImageBytes { get; set; }

    public DateTimeOffset? FirstStartedAt { get; set; }

    public DateTimeOffset? LastEndedAt { get; set; }

    public SortedDictionary<string, long> ActionsByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Episodes per application.</summary>
    public SortedDictionary<string, int> Apps { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> RedactionsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Episodes carrying each quality flag.</summary>
    public SortedDictionary<string, int> QualityFlags { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> DropsByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>Episodes the filters left out, by filter (app, date, quality).</summary>
    public SortedDictionary<string, int> EpisodesFilteredOut { get; } = new(StringComparer.Ordinal);

    public double Hours => DurationMs / 3_600_000.0;

    public void Add(Export.EpisodeRecord episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        Episodes++;
        Steps += episode.Steps.Count;
        RawEvents += episode.RawEvents;
        DurationMs += episode.DurationMs;
        if (episode.Task is not null)
        {
            EpisodesWithTask++;
        }
        if (FirstStartedAt is null || episode.StartedAt < FirstStartedAt)
        {
            FirstStartedAt = episode.StartedAt;
        }
        if (LastEndedAt is null || episode.EndedAt > LastEndedAt)
        {
            LastEndedAt = episode.EndedAt;
        }
        foreach (var (kind, count) in episode.ActionsByKind)
        {
            ActionsByKind[kind] = ActionsByKind.GetValueOrDefault(kind) + count;
        }
        foreach (var app in episode.Apps)
        {
            Apps[app] = Apps.GetValueOrDefault(app) + 1;
        }
        foreach (var (type, count) in episode.RedactionsByType)
        {
            RedactionsByType[type] = RedactionsByType.GetValueOrDefault(type) + count;
        }
        foreach (var flag in episode.Quality)
        {
            QualityFlags[flag] = QualityFlags.GetValueOrDefault(flag) + 1;
        }
        foreach (var (reason, count) in episode.DropsByReason)
        {
            DropsByReason[reason] = DropsByReason.GetValueOrDefault(reason) + count;
        }
    }

    public void FilteredOut(string filter) => EpisodesFilteredOut[filter] = EpisodesFilteredOut.GetValueOrDefault(filter) + 1;
}
