using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Understudy.Cli.Infrastructure;
using Understudy.Cli.Recording;
using Understudy.Core.Guards;
using Understudy.Dataset.Import;
using Understudy.Frames.Redaction;
using Understudy.Ocr;
using Understudy.Policy;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy import agentnet|ducktrack PATH</c>: a recording folder of another tool becomes a new
/// session, through the recorder's own safeguards (the policy's text redactor and sensitive-field
/// rules, the privacy guard) before anything is written. Prints the session id (or, with --json, a
/// summary); every problem with the input is one line on stderr naming file and line, and any
/// problem makes the exit code 2 after what was valid has been imported.
/// </summary>
internal static class ImportCommand
{
    /// <summary>Problems listed one per line; beyond this many, one line says how many more (the JSON summary counts them all).</summary>
    internal const int MaxProblemLines = 50;

    /// <summary>Frame OCR in an import has no live user waiting: a longer budget than the recorder's, still bounded.</summary>
    private static readonly TimeSpan MinFrameRedactionTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var command = new Command("import", "Import a recording made by another tool (AgentNet Tool, DuckTrack) as a new session, redacted like a recording");
        command.Add(Format(ImportFormat.AgentNet, "an AgentNet Tool (OpenCUA) recording folder: events.jsonl, element.jsonl, top_window.jsonl, metadata.json, task_name.json, video"));
        command.Add(Format(ImportFormat.DuckTrack, "a DuckTrack recording folder: events.jsonl, metadata.json, video"));
        return command;
    }

    private static Command Format(ImportFormat format, string description)
    {
        var path = new Argument<string>("path") { Description = "The recording's folder" };
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var policy = new Option<string?>("--policy") { Description = "Redact with this recording policy's recognizers and sensitive labels (default: the built-in policy)", HelpName = "FILE" };
        var noFrames = new Option<bool>("--no-frames") { Description = "Do not take frames from the recording's video" };
        var command = new Command(format.ToWireName(), $"Import {description}") { path, data, json, policy, noFrames };
        command.SetAction(parse => Run(format, parse.GetValue(path)!, parse.GetValue(data), parse.GetValue(json), parse.GetValue(policy), parse.GetValue(noFrames)));
        return command;
    }

    private static int Run(ImportFormat format, string path, string? dataOption, bool json, string? policyPath, bool noFrames)
    {
        var policy = policyPath is null ? RecordingPolicy.Default : RecordingPolicySetup.Load(policyPath);
        var store = StoreAccess.Open(dataOption, create: true);
        var redactor = RecordingPolicySetup.RedactorFor(policy);
        var settings = new ImportSettings { Redactor = redactor, SensitiveFields = new SensitiveFieldRules(policy.SensitiveLabels) };
        using var scrubber = noFrames || !policy.Frames.Enabled ? null : TryScrubber(redactor, policy, ref settings);
        if (scrubber is not null)
        {
            settings = settings with
            {
                Frames = new ImportFrameSettings { OpenVideo = FfmpegVideo.Open, Scrubber = scrubber, Fill = 0xFF000000 | policy.Frames.FillRgb },
            };
        }

        var diagnostics = new ImportDiagnostics();
        ImportResult result;
        try
        {
            result = SessionImporter.Import(path, format, store, settings, diagnostics);
        }
        catch (ImportInputException ex)
        {
            ReportProblems(path, diagnostics.Problems);
            throw new UsageException(ex.Message);
        }
        catch (StorageException ex)
        {
            throw new CommandFailedException($"import failed, no session was kept: {ex.Message}");
        }

        ReportProblems(path, result.Problems);
        if (result.HasVideo && result.FramesNote is { } note)
        {
            ErrorReporter.Warn($"importing without frames: {note}");
        }
        if (json)
        {
            JsonOutput.Write(writer => WriteSummary(writer, result));
        }
        else
        {
            Console.Out.WriteLine(result.SessionId);
        }
        if (result.Problems.Count > 0)
        {
            return ErrorReporter.Report(
                string.Create(CultureInfo.InvariantCulture, $"session {result.SessionId} holds what was valid; {result.Problems.Count} problems with the input ({diagnostics.SkippedTotal} records skipped)"),
                ExitCodes.BadInput);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Frames are only ever stored through the frame text redaction; where it cannot run (or ffmpeg
    /// is missing) the import goes on without frames and says why once.
    /// </summary>
    private static OcrFrameScrubber? TryScrubber(Core.Redaction.ITextRedactor redactor, RecordingPolicy policy, ref ImportSettings settings)
    {
        var unavailable = FfmpegVideo.Unavailable();
        if (unavailable is null)
        {
            try
            {
                OcrFrameScrubber.EnsureAvailable();
            }
            catch (OcrUnavailableException ex)
            {
                unavailable = $"frames are stored only after text redaction (OCR), which cannot run here: {ex.Message}";
            }
        }
        if (unavailable is not null)
        {
            settings = settings with { FramesUnavailable = unavailable };
            return null;
        }
        var timeout = TimeSpan.FromMilliseconds(Math.Max(policy.Frames.RedactionTimeoutMs, MinFrameRedactionTimeout.TotalMilliseconds));
        return new OcrFrameScrubber(redactor, new FrameRedactionOptions { Timeout = timeout, Fill = 0xFF000000 | policy.Frames.FillRgb }, () => null);
    }

    private static void ReportProblems(string path, IReadOnlyList<ImportProblem> problems)
    {
        foreach (var problem in problems.Take(MaxProblemLines))
        {
            ErrorReporter.Warn(Path.Combine(path, problem.ToString()));
        }
        if (problems.Count > MaxProblemLines)
        {
            ErrorReporter.Warn(string.Create(CultureInfo.InvariantCulture, $"{problems.Count - MaxProblemLines} more problems with the input not listed (--json counts them by reason)"));
        }
    }

    internal static void WriteSummary(Utf8JsonWriter writer, ImportResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("session", result.SessionId);
        writer.WriteString("format", result.Format.ToWireName());
        writer.WriteNumber("records_read", result.RecordsRead);
        writer.WriteNumber("events_imported", result.EventsWritten);
        WriteCounts(writer, "counts_by_kind", result.CountsByKind);
        WriteCounts(writer, "redactions_by_type", result.RedactionsByType);
        writer.WriteNumber("skipped_total", result.Skipped.Values.Sum());
        WriteCounts(writer, "skipped", result.Skipped);
        writer.WriteNumber("problems", result.Problems.Count);
        writer.WriteStartObject("frames");
        writer.WriteBoolean("video", result.HasVideo);
        writer.WriteNumber("stored", result.FramesStored);
        writer.WriteNumber("lost", result.FramesLost);
        if (result.FramesNote is { } note && result.HasVideo)
        {
            writer.WriteString("skipped_because", note);
        }
        else
        {
            writer.WriteNull("skipped_because");
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(key, value);
        }
        writer.WriteEndObject();
    }
}
