namespace Understudy.Dataset.Episodes;

/// <summary>How sessions are cut into episodes and what counts as too short (docs/dataset.md).</summary>
public sealed record EpisodeOptions
{
    /// <summary>Without a task marker, a pause between actions longer than this starts a new episode.</summary>
    public TimeSpan IdleGap { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Without a task marker, switching to another application starts a new episode.</summary>
    public bool SplitAtAppSwitch { get; init; } = true;

    /// <summary>An episode with fewer steps is flagged too short.</summary>
    public int MinSteps { get; init; } = 2;

    /// <summary>An episode shorter than this is flagged too short.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after an action its observations (element lookups, frames settling, ui events) may
    /// still arrive in the log. The recorder's own limits: 2 s for a lookup, 1.5 s for a frame to settle.
    /// </summary>
    public TimeSpan ObservationWindow { get; init; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (IdleGap <= TimeSpan.Zero || IdleGap > TimeSpan.FromDays(1))
        {
            problems.Add($"idle_gap: expected more than 0 and at most 1 day, got {IdleGap.TotalSeconds} s");
        }
        if (MinSteps is < 0 or > 100_000)
        {
            problems.Add($"min_steps: expected 0 to 100000, got {MinSteps}");
        }
        if (MinDuration < TimeSpan.Zero || MinDuration > TimeSpan.FromHours(1))
        {
            problems.Add($"min_duration: expected 0 to 1 hour, got {MinDuration.TotalSeconds} s");
        }
        if (ObservationWindow <= TimeSpan.Zero || ObservationWindow > TimeSpan.FromMinutes(5))
        {
            problems.Add($"observation_window: expected more than 0 and at most 5 minutes, got {ObservationWindow.TotalSeconds} s");
        }
        return problems;
    }
}
