using Understudy.Core.Capture;

namespace Understudy.Cli.Recording;

/// <summary>What a recording observes besides input: elements and ui events, and keyframes.</summary>
internal sealed record ObservationSettings(bool Accessibility, bool Frames, FrameOptions FrameOptions, AccessibilityOptions AccessibilityOptions)
{
    public static ObservationSettings Default { get; } = new(true, true, new FrameOptions(), new AccessibilityOptions());

    public static ObservationSettings InputOnly { get; } = Default with { Accessibility = false, Frames = false };

    /// <summary>Validates the command-line values; throws <see cref="Infrastructure.UsageException"/> naming the option.</summary>
    public static ObservationSettings FromOptions(bool noAccessibility, bool noFrames, string? format, int? quality, double? scale)
    {
        var options = new FrameOptions();
        if (format is not null)
        {
            options = options with
            {
                Format = format.ToLowerInvariant() switch
                {
                    "jpeg" or "jpg" => FrameFormat.Jpeg,
                    "png" => FrameFormat.Png,
                    "webp" => FrameFormat.Webp,
                    _ => throw new Infrastructure.UsageException($"--frame-format: expected jpeg, png or webp, got '{format}'"),
                },
            };
        }
        if (quality is { } q)
        {
            options = q is >= 1 and <= 100
                ? options with { Quality = q }
                : throw new Infrastructure.UsageException($"--frame-quality: expected 1 to 100, got {q}");
        }
        if (scale is { } s)
        {
            options = s > 0 && s <= 1 && !double.IsNaN(s)
                ? options with { Scale = s }
                : throw new Infrastructure.UsageException($"--frame-scale: expected a factor above 0 and at most 1, got {s}");
        }
        return new ObservationSettings(!noAccessibility, !noFrames, options, new AccessibilityOptions());
    }
}
