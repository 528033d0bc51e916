using System.Diagnostics;
using System.Text.RegularExpressions;
using Understudy.Core.Capture;
using Understudy.Dataset.Export;
using Understudy.Dataset.Reduction;

namespace Understudy.Dataset.Replay;

/// <summary>What a replay did: steps played, steps that could not be (and why), and how the screen behaved.</summary>
public sealed record ReplayReport(
    string EpisodeId,
    int Steps,
    int Replayed,
    IReadOnlyDictionary<string, int> SkippedByReason,
    int RedactedSpansNotTyped,
    int SettleTimeouts,
    bool CoordinatesScaled,
    TimeSpan Duration);

/// <summary>Why a step was not replayed.</summary>
public static class ReplaySkipReasons
{
    /// <summary>The step's text was wholly redacted: there is nothing to type.</summary>
    public const string Redacted = "redacted";

    /// <summary>A semantic step the application reported without any recorded input (e.g. a value set by the program).</summary>
    public const string NoInput = "no_input";

    /// <summary>A key that has no X key name this display knows.</summary>
    public const string UnknownKey = "unknown_key";
}

/// <summary>
/// Plays an episode's actions back as input: clicks, drags, holds, scrolls, typed text, hotkeys and
/// key presses, the pointer following its recorded path. Semantic steps (select, menu, toggle,
/// set_value) are replayed by the input that made them. Redacted text cannot be typed back: its
/// placeholders are left out and counted. Between steps it waits for the screen to settle, and at
/// recorded speed also for the step's recorded time.
/// </summary>
public sealed partial class EpisodeReplayer
{
    private readonly IInputInjector _input;
    private readonly IScreenSettle? _settle;
    private readonly ReplayOptions _options;
    private readonly Action<TimeSpan> _sleep;
    private double _scaleX = 1;
    private double _scaleY = 1;

    public EpisodeReplayer(IInputInjector input, IScreenSettle? settle, ReplayOptions options, Action<TimeSpan>? sleep = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        _input = input;
        _settle = settle;
        _options = options;
        _sleep = sleep ?? Thread.Sleep;
    }

    [GeneratedRegex("<[A-Z][A-Z0-9_]*>")]
    private static partial Regex Placeholder();

    /// <summary>Replays every step in order; <paramref name="stepDone"/> is told after each (index, count).</summary>
    public ReplayReport Replay(EpisodeRecord episode, Action<int, int>? stepDone = null)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var clock = Stopwatch.StartNew();
        var screen = _input.Screen;
        var scaled = episode.Screen is { Width: > 0, Height: > 0 } recorded && (recorded.Width != screen.Width || recorded.Height != screen.Height);
        (_scaleX, _scaleY) = scaled ? ((double)screen.Width / episode.Screen!.Width, (double)screen.Height / episode.Screen.Height) : (1, 1);
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        var replayed = 0;
        var redactedSpans = 0;
        var settleTimeouts = 0;
        var firstOffset = episode.Steps.Count > 0 ? episode.Steps[0].Action.OffsetMs : 0;
        for (var i = 0; i < episode.Steps.Count; i++)
        {
            var action = episode.Steps[i].Action;
            if (_options.SpeedFactor is { } factor)
            {
                var pathMs = PathDurationMs(action);
                WaitUntil(clock, TimeSpan.FromMilliseconds(Math.Max(0, action.OffsetMs - firstOffset - pathMs) / factor));
            }
            var outcome = Play(action, ref redactedSpans);
            if (outcome is null)
            {
                replayed++;
                _input.Sync();
                if (_settle is not null && !_settle.WaitUntilSettled(_options.SettleQuiet, _options.SettleTimeout))
                {
                    settleTimeouts++;
                }
            }
            else
            {
                skipped[outcome] = skipped.GetValueOrDefault(outcome) + 1;
            }
            stepDone?.Invoke(i, episode.Steps.Count);
        }
        return new ReplayReport(episode.EpisodeId, episode.Steps.Count, replayed, skipped, redactedSpans, settleTimeouts, scaled, clock.Elapsed);
    }

    private void WaitUntil(Stopwatch clock, TimeSpan due)
    {
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            _sleep(wait);
        }
    }

    /// <summary>Plays one action; null when done, else why it could not be.</summary>
    private string? Play(ActionRecord action, ref int redactedSpans)
    {
        switch (action.Kind)
        {
            case "click": return Click(action);
            case "drag": return Drag(action);
            case "hold": return Hold(action);
            case "scroll": return Scroll(action);
            case "type": return Type(action.Text ?? "", ref redactedSpans);
            case "hotkey": return Keys(action.Keys ?? [], 1, chord: true);
            case "press": return Keys(action.Keys ?? [], action.Repeat ?? 1, chord: false);
            default:
                // A semantic step: replay the input it was made from.
                if (action.Text is not null)
                {
                    return Type(action.Text, ref redactedSpans);
                }
                if (action.Keys is { Count: > 0 } keys)
                {
                    return Keys(keys, action.Repeat ?? 1, chord: keys.Count > 1);
                }
                if (action.Position is not null && action.Clicks is > 0)
                {
                    return Click(action);
                }
                return ReplaySkipReasons.NoInput;
        }
    }

    private (int X, int Y) Map(int x, int y) => ((int)Math.Round(x * _scaleX), (int)Math.Round(y * _scaleY));

    private void MoveTo(PointRecord point)
    {
        var (x, y) = Map(point.X, point.Y);
        _input.MoveTo(x, y);
    }

    private static long PathDurationMs(ActionRecord action) =>
        action.PointerPath is { Count: > 1 } path ? Math.Max(0, path[^1][0] - path[0][0]) : 0;

    /// <summary>Moves through path samples with their recorded spacing (or a short fixed step at normalised speed).</summary>
    private void FollowPath(IEnumerable<int[]> samples)
    {
        int? previousOffset = null;
        foreach (var sample in samples)
        {
            if (sample.Length < 3)
            {
                continue;
            }
            if (previousOffset is { } previous)
            {
                var step = _options.SpeedFactor is { } factor
                    ? TimeSpan.FromMilliseconds(Math.Clamp(sample[0] - previous, 0, 250) / factor)
                    : _options.PathSampleStep;
                if (step > TimeSpan.Zero)
                {
                    _sleep(step);
                }
            }
            previousOffset = sample[0];
            var (x, y) = Map(sample[1], sample[2]);
            _input.MoveTo(x, y);
        }
    }

    private static int ButtonNumber(string? button) => button switch
    {
        "middle" => 2,
        "right" => 3,
        "back" => 8,
        "forward" => 9,
        _ => 1,
    };

    private string? WithModifiers(ActionRecord action, Func<string?> act)
    {
        var modifiers = new List<string>();
        foreach (var name in action.HeldModifiers ?? [])
        {
            if (KeyNames.ToX11(name) is not { } key)
            {
                continue;
            }
            try
            {
                _input.Key(key, true);
                modifiers.Add(key);
            }
            catch (ArgumentException)
            {
                ReleaseAll(modifiers);
                return ReplaySkipReasons.UnknownKey;
            }
        }
        var outcome = act();
        ReleaseAll(modifiers);
        return outcome;
    }

    private void ReleaseAll(List<string> keys)
    {
        for (var i = keys.Count - 1; i >= 0; i--)
        {
            _input.Key(keys[i], false);
        }
    }

    /// <summary>A pointer step in place: the path to it, held modifiers down, the pointer on the spot, then <paramref name="act"/>.</summary>
    private string? InPlace(ActionRecord action, Action<int> act)
    {
        if (action.Position is not { } position)
        {
            return ReplaySkipReasons.NoInput;
        }
        FollowPath(action.PointerPath ?? []);
        return WithModifiers(action, () =>
        {
            MoveTo(position);
            act(ButtonNumber(action.Button));
            return null;
        });
    }

    private string? Click(ActionRecord action) => InPlace(action, button =>
    {
        for (var i = 0; i < Math.Clamp(action.Clicks ?? 1, 1, 3); i++)
        {
            _input.Button(button, true);
            _input.Button(button, false);
            // Well inside any multi-click interval, but apart enough to be two clicks.
            _input.Sync();
            _sleep(TimeSpan.FromMilliseconds(30));
        }
    });

    private string? Drag(ActionRecord action)
    {
        if (action.Position is not { } start || action.EndPosition is not { } end)
        {
            return ReplaySkipReasons.NoInput;
        }
        // The path runs to the release; the part after the last sample at the press point is the drag itself.
        var path = action.PointerPath ?? [];
        var pressAt = -1;
        for (var i = 0; i < path.Count; i++)
        {
            if (path[i].Length >= 3 && path[i][1] == start.X && path[i][2] == start.Y)
            {
                pressAt = i;
            }
        }
        return WithModifiers(action, () =>
        {
            FollowPath(path.Take(Math.Max(0, pressAt)));
            MoveTo(start);
            var button = ButtonNumber(action.Button);
            _input.Button(button, true);
            _input.Sync();
            _sleep(TimeSpan.FromMilliseconds(30));
            FollowPath(path.Skip(pressAt + 1));
            MoveTo(end);
            _input.Sync();
            _sleep(TimeSpan.FromMilliseconds(30));
            _input.Button(button, false);
            return null;
        });
    }

    private string? Hold(ActionRecord action) => InPlace(action, button =>
    {
        _input.Button(button, true);
        _input.Sync();
        _sleep(TimeSpan.FromMilliseconds(Math.Clamp(action.DurationMs, 0, 60_000)));
        _input.Button(button, false);
    });

    private string? Scroll(ActionRecord action) => InPlace(action, _ =>
    {
        Notches(action.ScrollDy ?? 0, 4, 5);
        Notches(action.ScrollDx ?? 0, 6, 7);
    });

    private void Notches(int count, int negativeButton, int positiveButton)
    {
        var button = count < 0 ? negativeButton : positiveButton;
        for (var i = 0; i < Math.Min(Math.Abs(count), 1000); i++)
        {
            _input.Button(button, true);
            _input.Button(button, false);
            _input.Sync();
            _sleep(TimeSpan.FromMilliseconds(15));
        }
    }

    private string? Type(string text, ref int redactedSpans)
    {
        var placeholders = Placeholder().Matches(text);
        redactedSpans += placeholders.Count;
        var plain = Placeholder().Replace(text, "");
        if (plain.Length == 0)
        {
            return ReplaySkipReasons.Redacted;
        }
        foreach (var rune in plain.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\n':
                    Tap("Return");
                    break;
                case '\t':
                    Tap("Tab");
                    break;
                case < 0x20 or 0x7f:
                    break;
                default:
                    try
                    {
                        _input.TypeCharacter(rune.Value);
                    }
                    catch (ArgumentException)
                    {
                        return ReplaySkipReasons.UnknownKey;
                    }
                    break;
            }
            if (_options.KeyStep > TimeSpan.Zero)
            {
                _input.Sync();
                _sleep(_options.KeyStep);
            }
        }
        return null;
    }

    private void Tap(string key)
    {
        _input.Key(key, true);
        _input.Key(key, false);
    }

    private string? Keys(IReadOnlyList<string> names, int repeat, bool chord)
    {
        var keys = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (KeyNames.ToX11(name) is not { } key)
            {
                return ReplaySkipReasons.UnknownKey;
            }
            keys.Add(key);
        }
        if (keys.Count == 0)
        {
            return ReplaySkipReasons.NoInput;
        }
        try
        {
            for (var r = 0; r < Math.Clamp(repeat, 1, 1000); r++)
            {
                if (chord)
                {
                    var down = new List<string>(keys.Count);
                    try
                    {
                        foreach (var key in keys)
                        {
                            _input.Key(key, true);
                            down.Add(key);
                        }
                    }
                    finally
                    {
                        ReleaseAll(down);
                    }
                }
                else
                {
                    foreach (var key in keys)
                    {
                        Tap(key);
                    }
                }
                _input.Sync();
                _sleep(_options.KeyStep);
            }
        }
        catch (ArgumentException)
        {
            return ReplaySkipReasons.UnknownKey;
        }
        return null;
    }
}
