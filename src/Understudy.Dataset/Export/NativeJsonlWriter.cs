using System.Text;

namespace Understudy.Dataset.Export;

/// <summary><c>episodes.jsonl</c>, our own schema (see <see cref="EpisodeRecord"/>), with its JSON Schema beside it.</summary>
public sealed class NativeJsonlWriter : IDatasetWriter
{
    public const string RelativePath = "episodes.jsonl";
    public const string SchemaPath = "schema/episode.schema.json";

    private readonly DatasetLayout _layout;
    private readonly StreamWriter _file;

    public NativeJsonlWriter(DatasetLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _file = new StreamWriter(new FileStream(layout.Full(RelativePath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), new UTF8Encoding(false));
    }

    public string Format => "jsonl";

    public void Write(EpisodeRecord episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        _file.Write(EpisodeRecordJson.Format(episode));
        _file.Write('\n');
    }

    public IReadOnlyList<string> Complete()
    {
        _file.Flush();
        var schema = _layout.Full(SchemaPath);
        Directory.CreateDirectory(Path.GetDirectoryName(schema)!);
        File.WriteAllText(schema, EpisodeSchema.Text, new UTF8Encoding(false));
        return [RelativePath, SchemaPath];
    }

    public void Dispose() => _file.Dispose();
}
