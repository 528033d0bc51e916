using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Understudy.Dataset.Export;
using Understudy.Storage;

namespace Understudy.Dataset.Build;

/// <summary>How a build reports as it goes; called from several threads.</summary>
public interface IBuildProgress
{
    void Planned(int sessions, long logBytes);

    void SessionDone(SessionOutcome outcome, long logBytes);

    /// <summary>One line about something that was skipped or cut short; never content.</summary>
    void Problem(string line);
}

public sealed record DatasetBuildResult(string OutputDirectory, DatasetManifest Manifest, IReadOnlyList<string> Problems, int SessionsSkipped);

/// <summary>Thrown for what the caller asked wrongly: bad options, an output that exists, a session that does not.</summary>
public sealed class DatasetBuildException(string message) : Exception(message);

/// <summary>
/// <c>dataset build</c>: sessions are reduced in parallel into staged episode records and image
/// files; then, in session-id order, every format writer gets every episode, so the same store
/// and options always give the same dataset. The dataset is built beside its destination and
/// moved into place only when complete: a failed build leaves nothing that looks like a dataset.
/// </summary>
public sealed class DatasetBuilder(SessionStore store, DatasetBuildOptions options, IBuildProgress? progress = null)
{
    public DatasetBuildResult Build()
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new DatasetBuildException(problems[0]);
        }
        var destination = Path.GetFullPath(options.OutputDirectory);
        CheckDestination(destination);
        var sessions = SelectSessions(out var skipped, out var selectionProblems);
        var allProblems = new ConcurrentQueue<string>(selectionProblems);
        foreach (var line in selectionProblems)
        {
            progress?.Problem(line);
        }

        var building = $"{destination}.building-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Directory.CreateDirectory(building, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var layout = new DatasetLayout(building);
            var staging = Path.Combine(building, ".staging");
            Directory.CreateDirectory(staging);
            Directory.CreateDirectory(layout.ImagesDirectory);
            progress?.Planned(sessions.Count, sessions.Sum(s => s.LogBytes));

            var outcomes = new ConcurrentDictionary<string, SessionOutcome>(StringComparer.Ordinal);
            var extractor = new SessionExtractor(store, options, layout);
            Parallel.ForEach(sessions, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, info =>
            {
                var outcome = extractor.Extract(info, Path.Combine(staging, info.Id + ".jsonl"));
                outcomes[info.Id] = outcome;
                foreach (var line in outcome.Problems)
                {
                    allProblems.Enqueue(line);
                    progress?.Problem(line);
                }
                progress?.SessionDone(outcome, info.LogBytes);
            });

            var manifest = WriteFormats(layout, staging, sessions, outcomes);
            Directory.Delete(staging, recursive: true);
            MoveIntoPlace(building, destination);
            return new DatasetBuildResult(destination, manifest, [.. allProblems], skipped);
        }
        catch
        {
            TryDelete(building);
            throw;
        }
    }

    private DatasetManifest WriteFormats(DatasetLayout layout, string staging, IReadOnlyList<SessionInfo> sessions, IReadOnlyDictionary<string, SessionOutcome> outcomes)
    {
        var statistics = new DatasetStatistics();
        var writers = new List<IDatasetWriter>();
        try
        {
            foreach (var format in DatasetFormats.All.Where(options.Formats.Contains))
            {
                writers.Add(format switch
                {
                    DatasetFormats.OpenCua => new OpenCuaWriter(layout),
                    DatasetFormats.Jsonl => new NativeJsonlWriter(layout),
                    DatasetFormats.Parquet => new ParquetShardWriter(layout),
                    _ => new HtmlViewerWriter(layout),
                });
            }
            var lineage = new List<LineageEntry>();
            foreach (var info in sessions)
            {
                var outcome = outcomes[info.Id];
                foreach (var (filter, count) in outcome.FilteredOut)
                {
                    statistics.EpisodesFilteredOut[filter] = statistics.EpisodesFilteredOut.GetValueOrDefault(filter) + count;
                }
                statistics.Images += outcome.Images;
                statistics.ImageBytes += outcome.ImageBytes;
                if (outcome.EpisodesKept == 0)
                {
                    TryDelete(Path.Combine(layout.ImagesDirectory, info.Id));
                    continue;
                }
                statistics.Sessions++;
                lineage.Add(new LineageEntry(info.Id, info.DeviceKeyId, outcome.EpisodeIds));
                foreach (var line in File.ReadLines(Path.Combine(staging, info.Id + ".jsonl")))
                {
                    var record = EpisodeRecordJson.Parse(line) ?? throw new InvalidOperationException("a staged episode record did not read back");
                    statistics.Add(record);
                    foreach (var writer in writers)
                    {
                        writer.Write(record);
                    }
                }
            }
            var files = new List<string>();
            foreach (var writer in writers)
            {
                files.AddRange(writer.Complete());
            }
            files.AddRange([DatasetCard.RelativePath, DatasetManifest.RelativePath, DatasetLineage.RelativePath, "images/"]);
            var created = DateTimeOffset.UtcNow;
            var datasetId = $"ds-{created:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
            var manifest = new DatasetManifest
            {
                DatasetId = datasetId,
                CreatedAt = created,
                BuilderVersion = typeof(DatasetBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev",
                Formats = [.. DatasetFormats.All.Where(options.Formats.Contains)],
                FilterSummary = FilterSummary(),
                ReductionSummary = ReductionSummary(),
                EpisodeSummary = EpisodeSummary(),
                Statistics = statistics,
                Files = files,
            };
            File.WriteAllText(layout.Full(DatasetLineage.RelativePath), DatasetManifestJson.Format(new DatasetLineage(datasetId, created, lineage)) + "\n", new UTF8Encoding(false));
            File.WriteAllText(layout.Full(DatasetManifest.RelativePath), DatasetManifestJson.Format(manifest) + "\n", new UTF8Encoding(false));
            File.WriteAllText(layout.Full(DatasetCard.RelativePath), DatasetCard.Render(manifest), new UTF8Encoding(false));
            return manifest;
        }
        finally
        {
            foreach (var writer in writers)
            {
                writer.Dispose();
            }
        }
    }

    private IReadOnlyList<SessionInfo> SelectSessions(out int skipped, out List<string> problems)
    {
        problems = [];
        skipped = 0;
        IReadOnlyList<SessionInfo> candidates;
        if (options.SessionIds is { } ids)
        {
            var chosen = new List<SessionInfo>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    chosen.Add(store.Get(id));
                }
                catch (StorageException ex)
                {
                    throw new DatasetBuildException(ex.Message);
                }
            }
            candidates = chosen;
        }
        else
        {
            candidates = store.List();
        }
        var selected = new List<SessionInfo>();
        foreach (var info in candidates.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var why = info.Status switch
            {
                SessionStatus.Recording => "is still being recorded",
                SessionStatus.Damaged => $"is damaged ({info.Error ?? "unreadable manifest"})",
                _ => null,
            };
            if (why is null && info.DeviceKeyId is { } key && key != store.DeviceKeyId)
            {
                why = $"was recorded under another device key ({key})";
            }
            if (why is not null)
            {
                problems.Add($"session {info.Id} skipped: it {why}");
                skipped++;
                continue;
            }
            // Whole sessions outside the date range need not be read at all.
            if ((options.Until is { } until && info.CreatedAt >= until) || (options.Since is { } since && info.EndedAt is { } ended && ended < since))
            {
                continue;
            }
            selected.Add(info);
        }
        return selected;
    }

    private void CheckDestination(string destination)
    {
        if (File.Exists(destination))
        {
            throw new DatasetBuildException($"--out: '{destination}' is a file, not a directory");
        }
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any() && !options.Overwrite)
        {
            throw new DatasetBuildException($"--out: '{destination}' exists and is not empty (pass --overwrite to replace it once the new dataset is built)");
        }
        if (Directory.Exists(destination) && options.Overwrite && Directory.EnumerateFileSystemEntries(destination).Any()
            && !File.Exists(Path.Combine(destination, DatasetManifest.RelativePath)))
        {
            throw new DatasetBuildException($"--out: '{destination}' is not a dataset (no {DatasetManifest.RelativePath}); refusing to replace it");
        }
        var parent = Path.GetDirectoryName(destination);
        if (parent is null || !Directory.Exists(parent))
        {
            throw new DatasetBuildException($"--out: the parent directory of '{destination}' does not exist");
        }
    }

    private static void MoveIntoPlace(string building, string destination)
    {
        if (!Directory.Exists(destination))
        {
            Directory.Move(building, destination);
            return;
        }
        var old = $"{destination}.old-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Directory.Move(destination, old);
        Directory.Move(building, destination);
        TryDelete(old);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers of a failed build are named *.building-*; the error that caused the cleanup matters more.
        }
    }

    private string FilterSummary()
    {
        var parts = new List<string>();
        if (options.Apps.Count > 0)
        {
            parts.Add($"apps {string.Join(", ", options.Apps)}");
        }
        if (options.Since is { } since)
        {
            parts.Add($"since {since.ToString("u", CultureInfo.InvariantCulture)}");
        }
        if (options.Until is { } until)
        {
            parts.Add($"until {until.ToString("u", CultureInfo.InvariantCulture)}");
        }
        parts.Add($"minimum quality {options.MinQuality}");
        if (options.SessionIds is { } ids)
        {
            parts.Add($"{ids.Count} chosen session(s)");
        }
        return string.Join("; ", parts);
    }

    private string ReductionSummary()
    {
        var r = options.Reduction;
        return string.Create(CultureInfo.InvariantCulture,
            $"multi-click {r.MultiClickInterval.TotalMilliseconds} ms / {r.MultiClickRadiusPx} px, drag beyond {r.DragDistancePx} px, hold after {r.HoldTime.TotalMilliseconds} ms, scroll merged within {r.ScrollMergeGap.TotalMilliseconds} ms / {r.ScrollMergeRadiusPx} px, typing merged within {r.TypeMergeGap.TotalMilliseconds} ms");
    }

    private string EpisodeSummary()
    {
        var e = options.Episodes;
        return string.Create(CultureInfo.InvariantCulture,
            $"task markers first, else split at {(e.SplitAtAppSwitch ? "app switches and " : "")}idle gaps over {e.IdleGap.TotalSeconds} s; too short under {e.MinSteps} steps or {e.MinDuration.TotalSeconds} s");
    }
}
