using Understudy.Core.Model;
using Understudy.Dataset.Episodes;
using Understudy.Dataset.Export;
using Understudy.Dataset.Observations;
using Understudy.Dataset.Reduction;
using Understudy.Storage;

namespace Understudy.Dataset.Build;

/// <summary>What one session gave the dataset.</summary>
public sealed record SessionOutcome(
    string SessionId,
    int EpisodesKept,
    IReadOnlyList<string> EpisodeIds,
    IReadOnlyDictionary<string, int> FilteredOut,
    long Events,
    long Images,
    long ImageBytes,
    IReadOnlyList<string> Problems);

/// <summary>
/// The first, parallel stage of a build for one session: streams its events through reduction and
/// episode assembly, keeps the episodes the filters admit, writes their screens as image files and
/// their records to a staging file. Memory holds the episode being built, not the session.
/// </summary>
internal sealed class SessionExtractor(SessionStore store, DatasetBuildOptions options, DatasetLayout layout)
{
    public SessionOutcome Extract(SessionInfo info, string stagingPath)
    {
        var problems = new List<string>();
        var filtered = new Dictionary<string, int>(StringComparer.Ordinal);
        var episodeIds = new List<string>();
        var written = new HashSet<string>(StringComparer.Ordinal);
        long events = 0, images = 0, imageBytes = 0;
        var id = info.Id;
        Directory.CreateDirectory(Path.Combine(layout.ImagesDirectory, id));

        using var composer = new FrameComposer(blob => ReadBlob(id, blob, problems));
        using var staging = new StreamWriter(stagingPath);
        var facts = new SessionFacts(id, info.Screen, info.Capabilities?.Accessibility, info.Capabilities?.Frames);

        FrameRecord? Image(FrameRef frame)
        {
            var image = composer.Compose(frame.Blob);
            if (image is null)
            {
                return null;
            }
            var path = DatasetLayout.ImagePath(id, frame.Blob, image.Extension);
            if (written.Add(path))
            {
                File.WriteAllBytes(layout.Full(path), image.Bytes);
                images++;
                imageBytes += image.Bytes.Length;
            }
            var scale = frame.Scale > 0 ? frame.Scale : 1;
            return new FrameRecord(path, image.Width, image.Height, scale, frame.Source, 0);
        }

        void OnEpisode(Episode episode)
        {
            var reason = FilterOut(episode);
            if (reason is not null)
            {
                filtered[reason] = filtered.GetValueOrDefault(reason) + 1;
                return;
            }
            var record = EpisodeRecordMapper.ToRecord(episode, Image);
            staging.WriteLine(EpisodeRecordJson.Format(record));
            episodeIds.Add(record.EpisodeId);
        }

        var assembler = new EpisodeAssembler(facts, options.Episodes, options.Reduction, OnEpisode);
        var reducer = new ActionReducer(options.Reduction, assembler);
        try
        {
            foreach (var recorded in store.ReadEvents(id, damage =>
            {
                assembler.Truncated = true;
                problems.Add($"session {id}: log ends early at byte {damage.Offset} ({damage.Reason}); built up to there");
            }))
            {
                events++;
                assembler.CountRawEvent(recorded.Seq);
                if (recorded.Payload is FramePayload frame)
                {
                    composer.Register(frame);
                }
                reducer.Add(recorded);
            }
        }
        catch (StorageException ex)
        {
            assembler.Truncated = true;
            problems.Add($"session {id}: {ex.Message}; built up to event {events}");
        }
        if (info.Status == SessionStatus.Interrupted)
        {
            assembler.Truncated = true;
        }
        reducer.Complete();
        assembler.Complete();
        if (composer.Failures > 0)
        {
            problems.Add($"session {id}: {composer.Failures} frame(s) could not be composed; their steps have no screen");
        }
        return new SessionOutcome(id, episodeIds.Count, episodeIds, filtered, events, images, imageBytes, problems);
    }

    private string? FilterOut(Episode episode)
    {
        if (options.Apps.Count > 0 && !episode.Apps.Any(app => options.Apps.Contains(app, StringComparer.OrdinalIgnoreCase)))
        {
            return "app";
        }
        if ((options.Since is { } since && episode.StartWall < since) || (options.Until is { } until && episode.StartWall >= until))
        {
            return "date";
        }
        if (!MinQuality.Admits(options.MinQuality, episode.Quality))
        {
            return "quality";
        }
        return episode.Steps.Count == 0 ? "empty" : null;
    }

    private byte[]? ReadBlob(string sessionId, string blob, List<string> problems)
    {
        try
        {
            return store.ReadBlob(sessionId, blob);
        }
        catch (StorageException ex)
        {
            if (problems.Count < 20)
            {
                problems.Add(ex.Message);
            }
            return null;
        }
    }
}
