using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Understudy.Cli.Infrastructure;
using Understudy.Dataset.Build;
using Understudy.Dataset.Episodes;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy dataset build</c>: redacted sessions → agent training data (see docs/dataset.md).</summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Turn recorded sessions into agent training data");
        command.Subcommands.Add(CreateBuild());
        return command;
    }

    private static Command CreateBuild()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var output = new Option<string>("--out") { Description = "Directory to create the dataset in (must not exist or be empty)", HelpName = "DIR", Required = true };
        var formats = new Option<string[]>("--format")
        {
            Description = $"Formats to export, comma-separated or repeated: {string.Join(", ", DatasetFormats.All)} (default: all)",
            HelpName = "LIST",
            AllowMultipleArgumentsPerToken = true,
        };
        var apps = new Option<string[]>("--app") { Description = "Keep only episodes in this application (WM_CLASS); repeatable", HelpName = "CLASS" };
        var sessions = new Option<string[]>("--session") { Description = "Build only from this session; repeatable (default: every session)", HelpName = "ID" };
        var since = new Option<string?>("--since") { Description = "Keep only episodes that started on or after this date or time (ISO 8601, UTC if no offset)", HelpName = "DATE" };
        var until = new Option<string?>("--until") { Description = "Keep only episodes that started before this date or time", HelpName = "DATE" };
        var minQuality = new Option<string>("--min-quality")
        {
            Description = "any: every episode; usable: none lost input, truncated or too short; clean: no quality flag at all",
            DefaultValueFactory = _ => MinQuality.Any,
        };
        minQuality.AcceptOnlyFromAmong([.. MinQuality.All]);
        var idleGap = new Option<double?>("--idle-gap") { Description = "Without task markers, start a new episode after this many seconds without input (default 120)", HelpName = "S" };
        var noAppSplit = new Option<bool>("--no-app-split") { Description = "Without task markers, do not start a new episode at an application switch" };
        var parallel = new Option<int?>("--parallel") { Description = "Sessions reduced at once (default: one per core)", HelpName = "N" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing dataset at --out, once the new one is complete" };

        var command = new Command("build", "Reduce sessions to actions, cut episodes, and export them: opencua (PyAutoGUI JSONL), jsonl (native), parquet, html viewer; with a dataset card and lineage")
        {
            data, output, formats, apps, sessions, since, until, minQuality, idleGap, noAppSplit, parallel, overwrite, json,
        };
        command.SetAction(parse =>
        {
            var episodes = new EpisodeOptions();
            if (parse.GetValue(idleGap) is { } gap)
            {
                if (!double.IsFinite(gap) || gap <= 0 || gap > 86_400)
                {
                    throw new UsageException($"--idle-gap: expected more than 0 and at most 86400 seconds, got {gap.ToString(CultureInfo.InvariantCulture)}");
                }
                episodes = episodes with { IdleGap = TimeSpan.FromSeconds(gap) };
            }
            if (parse.GetValue(noAppSplit))
            {
                episodes = episodes with { SplitAtAppSwitch = false };
            }
            var chosenFormats = (parse.GetValue(formats) ?? [])
                .SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(f => f.ToLowerInvariant())
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var options = new DatasetBuildOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                Formats = chosenFormats.Count > 0 ? chosenFormats : DatasetFormats.All,
                Apps = parse.GetValue(apps) ?? [],
                SessionIds = parse.GetValue(sessions) is { Length: > 0 } ids ? ids : null,
                Since = ParseInstant(parse.GetValue(since), "--since"),
                Until = ParseInstant(parse.GetValue(until), "--until"),
                MinQuality = parse.GetValue(minQuality)!,
                Parallelism = parse.GetValue(parallel) ?? Environment.ProcessorCount,
                Overwrite = parse.GetValue(overwrite),
                Episodes = episodes,
            };
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            return Run(store, options, parse.GetValue(json));
        });
        return command;
    }

    private static int Run(Storage.SessionStore store, DatasetBuildOptions options, bool json)
    {
        DatasetBuildResult result;
        try
        {
            var interactive = !json && !Console.IsErrorRedirected;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (interactive)
            {
                result = console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(context => new DatasetBuilder(store, options, new SpectreProgress(context)).Build());
            }
            else
            {
                result = new DatasetBuilder(store, options, new LineProgress()).Build();
            }
        }
        catch (DatasetBuildException ex)
        {
            throw new UsageException(ex.Message);
        }
        var statistics = result.Manifest.Statistics;
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("dataset_id", result.Manifest.DatasetId);
                writer.WriteString("out", result.OutputDirectory);
                writer.WriteNumber("sessions", statistics.Sessions);
                writer.WriteNumber("sessions_skipped", result.SessionsSkipped);
                writer.WriteNumber("episodes", statistics.Episodes);
                writer.WriteNumber("steps", statistics.Steps);
                writer.WriteNumber("raw_events", statistics.RawEvents);
                writer.WriteNumber("hours", Math.Round(statistics.Hours, 4));
                writer.WriteNumber("images", statistics.Images);
                WriteCounts(writer, "actions_by_kind", statistics.ActionsByKind.Select(p => (p.Key, p.Value)));
                WriteCounts(writer, "quality_flags", statistics.QualityFlags.Select(p => (p.Key, (long)p.Value)));
                WriteCounts(writer, "redactions_by_type", statistics.RedactionsByType.Select(p => (p.Key, p.Value)));
                WriteCounts(writer, "filtered_out", statistics.EpisodesFilteredOut.Select(p => (p.Key, (long)p.Value)));
                writer.WriteStartArray("files");
                foreach (var file in result.Manifest.Files)
                {
                    writer.WriteStringValue(file);
                }
                writer.WriteEndArray();
                writer.WriteNumber("problems", result.Problems.Count);
                writer.WriteEndObject();
            });
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("dataset").AddColumn(Markup.Escape(result.Manifest.DatasetId));
        table.AddRow("sessions", $"{statistics.Sessions}" + (result.SessionsSkipped > 0 ? $" ({result.SessionsSkipped} skipped)" : ""));
        table.AddRow("episodes", $"{statistics.Episodes} ({statistics.EpisodesWithTask} with a task)");
        table.AddRow("steps", $"{statistics.Steps} from {statistics.RawEvents} raw events");
        table.AddRow("actions", Markup.Escape(string.Join(", ", statistics.ActionsByKind.Select(p => $"{p.Key} {p.Value}"))));
        table.AddRow("quality flags", Markup.Escape(statistics.QualityFlags.Count == 0 ? "none" : string.Join(", ", statistics.QualityFlags.Select(p => $"{p.Key} {p.Value}"))));
        table.AddRow("images", $"{statistics.Images} ({statistics.ImageBytes / 1048576.0:0.0} MiB)");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Dataset in [bold]{Markup.Escape(result.OutputDirectory)}[/]; card: README.md, lineage: lineage.json");
        if (result.Manifest.Formats.Contains(DatasetFormats.Html))
        {
            AnsiConsole.MarkupLine($"Viewer: [bold]{Markup.Escape(Path.Combine(result.OutputDirectory, "viewer", "index.html"))}[/]");
        }
        return ExitCodes.Ok;
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, IEnumerable<(string Key, long Value)> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in counts)
        {
            writer.WriteNumber(key, value);
        }
        writer.WriteEndObject();
    }

    internal static DateTimeOffset? ParseInstant(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }
        throw new UsageException($"{option}: '{text}' is not a date or time (expected ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:30:00Z)");
    }

    private sealed class SpectreProgress(ProgressContext context) : IBuildProgress
    {
        private readonly Lock _lock = new();
        private ProgressTask? _task;

        public void Planned(int sessions, long logBytes)
        {
            lock (_lock)
            {
                _task = context.AddTask($"building from {sessions} session(s)", maxValue: Math.Max(1, logBytes));
            }
        }

        public void SessionDone(SessionOutcome outcome, long logBytes)
        {
            lock (_lock)
            {
                _task?.Increment(logBytes);
            }
        }

        public void Problem(string line) => ErrorReporter.Warn(line);
    }

    private sealed class LineProgress : IBuildProgress
    {
        public void Planned(int sessions, long logBytes)
        {
        }

        public void SessionDone(SessionOutcome outcome, long logBytes)
        {
        }

        public void Problem(string line) => ErrorReporter.Warn(line);
    }
}
