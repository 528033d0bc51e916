using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Dataset.Export;
using Understudy.Dataset.Replay;
using Understudy.Platform.X11;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy replay DATASET</c>: plays one episode of a built dataset back as input on a
/// display (XTest), step after step as the screen settles, or at the recorded pace.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("dataset") { Description = "A dataset directory built with --format jsonl, or its episodes.jsonl" };
        var episode = new Option<string?>("--episode") { Description = "The episode to replay (required when the dataset holds more than one)", HelpName = "ID" };
        var speed = new Option<string>("--speed") { Description = "normal (each step once the screen settles), recorded, or a factor of the recorded pace such as 2", DefaultValueFactory = _ => "normal", HelpName = "SPEED" };
        var display = new Option<string?>("--display") { Description = "X display to replay on (default: $DISPLAY)", HelpName = "NAME" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the input that would be sent, one operation per line, and send nothing" };
        var json = CommonOptions.Json();
        var command = new Command("replay", "Replay an episode of a dataset as real input on a display (XTest), waiting for the screen to settle between steps")
        {
            path, episode, speed, display, dryRun, json,
        };
        command.SetAction(parse =>
        {
            double? factor;
            try
            {
                factor = ReplayOptions.ParseSpeed(parse.GetValue(speed)!);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
            EpisodeRecord chosen;
            try
            {
                var file = EpisodeFile.Resolve(parse.GetValue(path)!);
                var episodes = EpisodeFile.Read(file, parse.GetValue(episode));
                if (episodes.Count > 1)
                {
                    throw new UsageException($"{file} holds {episodes.Count} episodes; choose one with --episode ID ({string.Join(", ", episodes.Take(5).Select(e => e.EpisodeId))}{(episodes.Count > 5 ? ", …" : "")})");
                }
                chosen = episodes[0];
            }
            catch (ReplayInputException ex)
            {
                throw new UsageException(ex.Message);
            }
            var options = new ReplayOptions { SpeedFactor = factor };
            return parse.GetValue(dryRun)
                ? DryRun(chosen, options, parse.GetValue(json))
                : Replay(chosen, options, parse.GetValue(display), parse.GetValue(json));
        });
        return command;
    }

    private static int DryRun(EpisodeRecord episode, ReplayOptions options, bool json)
    {
        var screen = episode.Screen is { } recorded ? new ScreenSize(recorded.Width, recorded.Height) : new ScreenSize(1920, 1080);
        using var log = new InputOperationLog(screen);
        var report = new EpisodeReplayer(log, settle: null, options, sleep: _ => { }).Replay(episode);
        if (json)
        {
            WriteJson(report, log.Operations);
        }
        else
        {
            foreach (var operation in log.Operations)
            {
                Console.Out.WriteLine(operation);
            }
            Console.Error.WriteLine(Summary(report));
        }
        return ExitCodes.Ok;
    }

    private static int Replay(EpisodeRecord episode, ReplayOptions options, string? displayName, bool json)
    {
        using var backend = X11DesktopBackend.Open(displayName);
        using var input = backend.CreateInputInjector();
        using var settle = new GrabbingScreenSettle(backend.CreateScreenGrabber());
        var replayer = new EpisodeReplayer(input, settle, options);
        ReplayReport report;
        if (!json && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            report = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask($"replaying {Markup.Escape(episode.EpisodeId)}", maxValue: Math.Max(1, episode.Steps.Count));
                    return replayer.Replay(episode, (index, _) => task.Value = index + 1);
                });
        }
        else
        {
            report = replayer.Replay(episode);
        }
        if (json)
        {
            WriteJson(report, operations: null);
        }
        else
        {
            Console.Out.WriteLine(Summary(report));
        }
        return ExitCodes.Ok;
    }

    private static string Summary(ReplayReport report)
    {
        var skipped = report.SkippedByReason.Count == 0
            ? "none skipped"
            : "skipped: " + string.Join(", ", report.SkippedByReason.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}"));
        var scaled = report.CoordinatesScaled ? "; coordinates scaled to this screen" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"episode {report.EpisodeId}: replayed {report.Replayed} of {report.Steps} steps in {report.Duration.TotalSeconds:F1} s ({skipped}); {report.RedactedSpansNotTyped} redacted span(s) not typed; the screen did not settle after {report.SettleTimeouts} step(s){scaled}");
    }

    private static void WriteJson(ReplayReport report, IReadOnlyList<string>? operations) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("episode_id", report.EpisodeId);
        writer.WriteNumber("steps", report.Steps);
        writer.WriteNumber("replayed", report.Replayed);
        writer.WriteStartObject("skipped_by_reason");
        foreach (var (reason, count) in report.SkippedByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(reason, count);
        }
        writer.WriteEndObject();
        writer.WriteNumber("redacted_spans_not_typed", report.RedactedSpansNotTyped);
        writer.WriteNumber("settle_timeouts", report.SettleTimeouts);
        writer.WriteBoolean("coordinates_scaled", report.CoordinatesScaled);
        writer.WriteNumber("duration_ms", (long)report.Duration.TotalMilliseconds);
        if (operations is not null)
        {
            writer.WriteStartArray("operations");
            foreach (var operation in operations)
            {
                writer.WriteStringValue(operation);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    });
}
