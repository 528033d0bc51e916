using System.Globalization;

namespace Understudy.Dataset.Replay;

/// <summary>How fast to replay: as recorded (times a factor), or step after step as soon as the screen settles.</summary>
public sealed record ReplayOptions
{
    /// <summary>Null: normalised speed (no recorded waits, only settling); else recorded timing divided by this factor.</summary>
    public double? SpeedFactor { get; init; }

    /// <summary>After each step, the screen must be unchanged this long to count as settled.</summary>
    public TimeSpan SettleQuiet { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A screen still changing after this long is taken as it is (and counted).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>At normalised speed, the time between two pointer path samples.</summary>
    public TimeSpan PathSampleStep { get; init; } = TimeSpan.FromMilliseconds(4);

    /// <summary>Between the keys of typed text at normalised speed.</summary>
    public TimeSpan KeyStep { get; init; } = TimeSpan.FromMilliseconds(8);

    /// <summary>Parses <c>--speed</c>: <c>normal</c>, <c>recorded</c> (1×) or a factor such as <c>2</c> or <c>0.5</c>.</summary>
    public static double? ParseSpeed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text switch
        {
            "normal" => null,
            "recorded" => 1.0,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor is >= 0.1 and <= 100 => factor,
            _ => throw new ArgumentException($"--speed: expected normal, recorded or a factor from 0.1 to 100, got '{text}'"),
        };
    }
}
