using System.Globalization;
using System.Text.Json;
using Understudy.Dataset.Export;

namespace Understudy.Dataset.Replay;

/// <summary>A dataset's episodes file cannot be replayed: one line saying what and where.</summary>
public sealed class ReplayInputException(string message) : Exception(message);

/// <summary>
/// Reads the episodes to replay from a dataset's native <c>episodes.jsonl</c> (the dataset
/// directory or the file itself). Every line must be an episode of the schema; the first that is
/// not is reported with its line number.
/// </summary>
public static class EpisodeFile
{
    /// <summary>The <c>episodes.jsonl</c> a path names: the file itself or the dataset directory holding it.</summary>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            var file = Path.Combine(path, NativeJsonlWriter.RelativePath);
            return File.Exists(file)
                ? file
                : throw new ReplayInputException($"{path}: no {NativeJsonlWriter.RelativePath} here (build the dataset with --format jsonl)");
        }
        return File.Exists(path) ? path : throw new ReplayInputException($"{path}: no such file or directory");
    }

    /// <summary>Reads every episode; with <paramref name="episodeId"/>, only that one (an error when it is not there).</summary>
    public static IReadOnlyList<EpisodeRecord> Read(string file, string? episodeId = null)
    {
        var episodes = new List<EpisodeRecord>();
        var ids = new List<string>();
        var lineNumber = 0;
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                EpisodeRecord? episode;
                try
                {
                    episode = EpisodeRecordJson.Parse(line);
                }
                catch (JsonException ex)
                {
                    throw new ReplayInputException(string.Create(CultureInfo.InvariantCulture, $"{file}:{lineNumber}: not an episode of the dataset schema ({FirstSentence(ex.Message)})"));
                }
                if (episode is null)
                {
                    throw new ReplayInputException(string.Create(CultureInfo.InvariantCulture, $"{file}:{lineNumber}: not an episode (null)"));
                }
                if (episode.SchemaVersion != EpisodeRecord.CurrentSchemaVersion)
                {
                    throw new ReplayInputException(string.Create(CultureInfo.InvariantCulture,
                        $"{file}:{lineNumber}: schema_version {episode.SchemaVersion} is not supported (this build reads {EpisodeRecord.CurrentSchemaVersion})"));
                }
                ids.Add(episode.EpisodeId);
                if (episodeId is null || episode.EpisodeId == episodeId)
                {
                    episodes.Add(episode);
                }
            }
        }
        catch (IOException ex)
        {
            throw new ReplayInputException($"{file}: cannot be read: {ex.Message}");
        }
        if (episodeId is not null && episodes.Count == 0)
        {
            throw new ReplayInputException($"{file}: no episode '{episodeId}' (there are: {Describe(ids)})");
        }
        if (ids.Count == 0)
        {
            throw new ReplayInputException($"{file}: holds no episodes");
        }
        return episodes;
    }

    private static string Describe(List<string> ids) =>
        ids.Count == 0 ? "none" : ids.Count <= 5 ? string.Join(", ", ids) : string.Join(", ", ids.Take(5)) + $", … ({ids.Count} in all)";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
