using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;
using Understudy.Core.Redaction;
using Understudy.Frames;
using Understudy.Storage;

namespace Understudy.Dataset.Import;

/// <summary>The safeguards an import applies: the recorder's own, given by the caller (the same policy-built redactor and rules).</summary>
public sealed record ImportSettings
{
    public required ITextRedactor Redactor { get; init; }

    public required SensitiveFieldRules SensitiveFields { get; init; }

    public GuardOptions Guard { get; init; } = new();

    /// <summary>How to take frames from the video; null: no frames.</summary>
    public ImportFrameSettings? Frames { get; init; }

    /// <summary>Why frames cannot be taken on this machine (told only when the recording has a video), when <see cref="Frames"/> is null.</summary>
    public string? FramesUnavailable { get; init; }
}

/// <summary>What an import did; holds counts and codes, never content.</summary>
public sealed record ImportResult(
    string SessionId,
    ImportFormat Format,
    long RecordsRead,
    long EventsWritten,
    IReadOnlyDictionary<string, long> CountsByKind,
    IReadOnlyDictionary<string, long> RedactionsByType,
    IReadOnlyDictionary<string, long> Skipped,
    IReadOnlyList<ImportProblem> Problems)
{
    public long FramesStored { get; init; }

    public long FramesLost { get; init; }

    /// <summary>Why the recording's video gave no frames, or null (frames imported, or no video).</summary>
    public string? FramesNote { get; init; }

    public bool HasVideo { get; init; }
}

/// <summary>
/// Imports one recording of another tool as a new session. Data flow, all in memory until the end:
/// read and check the source files → map their records to our events (provisional numbers) → the
/// recorder's <see cref="PrivacyGuard"/> (typed-text recognizers, sensitive fields, titles, element
/// names, task label) → frames from the video, masked and scrubbed → final numbering
/// (<see cref="SeqRemap"/>) → the session writer. Nothing reaches the store before the guard has
/// decided it. A session is created only once all input is read; if writing fails it is deleted,
/// so a failed import never leaves a session behind, let alone one that looks complete.
/// </summary>
public static class SessionImporter
{
    public const string EndReason = "imported";

    public static ImportResult Import(string path, ImportFormat format, SessionStore store, ImportSettings settings, ImportDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var source = RecordingReader.Read(path, format, diagnostics);
        var mapped = RecordingMapper.Map(source, diagnostics);
        var regions = new SensitiveRegions();
        var guarded = Guard(mapped, settings, regions);

        string? framesNote = null;
        IVideoFrames? video = null;
        if (source.VideoPath is { } videoPath)
        {
            (video, framesNote) = OpenVideo(source, videoPath, settings);
        }
        using var openVideo = video;
        var scale = video is null || source.Screen is not { } screenSize ? 1.0 : Math.Clamp((double)video.Size.Width / screenSize.Width, 0.05, 1.0);
        var frames = video is null ? null : settings.Frames;

        SessionWriter writer;
        try
        {
            writer = store.Create(new SessionStartInfo(format.Backend(), source.Screen, [])
            {
                Capabilities = new SessionCapabilities(
                    source.HasElementFile,
                    frames is not null,
                    frames?.Format.ToWireName(),
                    frames is null ? null : scale,
                    1.0),
            });
        }
        catch (ArgumentException ex)
        {
            throw new StorageException($"cannot create a session: {ex.Message}", ex);
        }
        try
        {
            long framesStored = 0, framesLost = 0;
            if (frames is not null)
            {
                using var encoder = new StillFrameEncoder(new FrameOptions { Format = frames.Format, Quality = frames.Quality, Scale = scale }, writer.Blobs);
                var stage = ImportFrames.Run(mapped, source.Screen!.Value, video!, encoder, frames.Scrubber, regions.Snapshot(), frames.Fill);
                guarded = Merge(guarded, stage.Events);
                (framesStored, framesLost) = (stage.Stored, stage.Lost);
            }
            var remap = new SeqRemap();
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var redactions = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var item in guarded)
            {
                var stored = remap.Assign(item);
                writer.Append(stored);
                var kind = stored.Kind.ToWireName();
                counts[kind] = counts.GetValueOrDefault(kind) + 1;
                if (stored.Payload is RedactionPayload redaction)
                {
                    redactions[redaction.Type] = redactions.GetValueOrDefault(redaction.Type) + redaction.Count;
                }
            }
            writer.Close(new SessionEndInfo(EndReason, 0));
            return new ImportResult(writer.Id, format, source.Events.Count + source.Elements.Count, remap.NextSeq, counts, redactions, diagnostics.Skipped, diagnostics.Problems)
            {
                FramesStored = framesStored,
                FramesLost = framesLost,
                FramesNote = framesNote,
                HasVideo = source.VideoPath is not null,
            };
        }
        catch
        {
            writer.Dispose();
            TryDelete(store, writer.Id);
            throw;
        }
    }

    /// <summary>
    /// Runs the events through the recorder's guard as if they arrived as they were recorded: time is
    /// the events' own, and the guard's timers (a pause in typing ends a piece, a piece settles) fire
    /// between events exactly when they would have.
    /// </summary>
    private static List<GuardedEvent> Guard(MappedRecording mapped, ImportSettings settings, SensitiveRegions regions)
    {
        // No element lookups are outstanding in an import: every element is in the stream right after its press.
        var facts = new RecordedFieldFacts(settings.SensitiveFields);
        var guard = new PrivacyGuard(settings.Redactor, settings.SensitiveFields, settings.Guard, facts, regions);
        var output = new List<GuardedEvent>(mapped.Events.Count + 16);
        foreach (var recorded in mapped.Events)
        {
            ReleaseDue(guard, recorded.MonoNs, output);
            facts.Observe(recorded);
            guard.Process(recorded, recorded.MonoNs, output);
        }
        ReleaseDue(guard, mapped.LastMonoNs, output);
        guard.Flush(mapped.LastMonoNs, output);
        regions.Complete();
        return output;
    }

    private static void ReleaseDue(PrivacyGuard guard, long nowNs, List<GuardedEvent> output)
    {
        long? previous = null;
        while (guard.NextDueNs is { } due && due <= nowNs && due != previous)
        {
            guard.Release(due, output);
            previous = due;
        }
    }

    private static (IVideoFrames? Video, string? Note) OpenVideo(SourceRecording source, string videoPath, ImportSettings settings)
    {
        if (settings.Frames is null)
        {
            return (null, settings.FramesUnavailable);
        }
        if (source.Screen is null)
        {
            return (null, "the screen size is unknown, so the video cannot be aligned with the recorded coordinates");
        }
        if (source.VideoStartTs is null)
        {
            return (null, "metadata.json does not say when the video started, so its frames cannot be aligned with the events");
        }
        try
        {
            return (settings.Frames.OpenVideo(videoPath), null);
        }
        catch (InvalidOperationException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>Frame events go after every guarded event up to their time (after the action they belong to), and before the closing markers.</summary>
    private static List<GuardedEvent> Merge(List<GuardedEvent> guarded, List<GuardedEvent> frames)
    {
        var merged = new List<GuardedEvent>(guarded.Count + frames.Count);
        var f = 0;
        foreach (var item in guarded)
        {
            var closing = item.Payload is MarkerPayload { Marker: MarkerTypes.TaskEnd or MarkerTypes.SessionEnd };
            while (f < frames.Count && (frames[f].MonoNs < item.MonoNs || closing))
            {
                merged.Add(frames[f++]);
            }
            merged.Add(item);
        }
        while (f < frames.Count)
        {
            merged.Add(frames[f++]);
        }
        return merged;
    }

    private static void TryDelete(SessionStore store, string id)
    {
        try
        {
            store.Delete(id);
        }
        catch (Exception ex) when (ex is StorageException or IOException or UnauthorizedAccessException)
        {
            // Left as it is the session reads as interrupted, never as complete; the original error matters more.
        }
    }
}
