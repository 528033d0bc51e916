using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace Understudy.Dataset.Export;

/// <summary>One row of the Parquet export: a step, with its screens embedded as image bytes (Hugging Face's <c>Image</c> layout).</summary>
public sealed class ParquetStepRow
{
    [JsonPropertyName("episode_id")]
    public string EpisodeId { get; set; } = "";

    [JsonPropertyName("session_id")]
    public string SessionId { get; set; } = "";

    [JsonPropertyName("step_index")]
    public int StepIndex { get; set; }

    [JsonPropertyName("instruction")]
    public string? Instruction { get; set; }

    [JsonPropertyName("app")]
    public string? App { get; set; }

    [JsonPropertyName("action_kind")]
    public string ActionKind { get; set; } = "";

    /// <summary>PyAutoGUI code with normalised coordinates, as in the opencua export; null where the action has none.</summary>
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("action_description")]
    public string ActionDescription { get; set; } = "";

    /// <summary>The whole native action record (target element, ui semantics, path, redactions) as JSON.</summary>
    [JsonPropertyName("action_json")]
    public string ActionJson { get; set; } = "";

    [JsonPropertyName("screen_width")]
    public int? ScreenWidth { get; set; }

    [JsonPropertyName("screen_height")]
    public int? ScreenHeight { get; set; }

    [JsonPropertyName("before_image")]
    public ParquetImage? BeforeImage { get; set; }

    [JsonPropertyName("after_image")]
    public ParquetImage? AfterImage { get; set; }

    [JsonPropertyName("quality")]
    public List<string> Quality { get; set; } = [];
}

/// <summary>An embedded image: its encoded bytes and the file name it has in the dataset's images folder.</summary>
public sealed class ParquetImage
{
    [JsonPropertyName("bytes")]
    public byte[]? Bytes { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }
}

/// <summary>
/// <c>data/train-NNNNN-of-NNNNN.parquet</c>: one row a step, in row groups of a bounded size and
/// shards of a bounded size, so memory stays flat however large the dataset. Images are read from
/// the dataset's image files and embedded.
/// </summary>
public sealed class ParquetShardWriter : IDatasetWriter
{
    public const string Directory = "data";

    private const int RowsPerGroup = 256;
    private const long BytesPerGroup = 64L << 20;
    private const long BytesPerShard = 512L << 20;

    // Tells the Hugging Face datasets loader which columns are images (it reads this key of the footer).
    private static readonly Dictionary<string, string> HuggingFaceMetadata = new(StringComparer.Ordinal)
    {
        ["huggingface"] = HuggingFaceFeatures.Json,
    };

    private readonly DatasetLayout _layout;
    private readonly List<ParquetStepRow> _rows = [];
    private readonly List<string> _shards = [];
    private FileStream? _shard;
    private long _groupBytes;
    private long _shardBytes;

    public ParquetShardWriter(DatasetLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        System.IO.Directory.CreateDirectory(layout.Full(Directory));
    }

    public string Format => "parquet";

    public long Rows { get; private set; }

    public void Write(EpisodeRecord episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        foreach (var step in episode.Steps)
        {
            var row = new ParquetStepRow
            {
                EpisodeId = episode.EpisodeId,
                SessionId = episode.SessionId,
                StepIndex = step.Index,
                Instruction = episode.Task,
                App = step.Action.Context?.App ?? (episode.Apps.Count > 0 ? episode.Apps[0] : null),
                ActionKind = step.Action.Kind,
                Code = episode.Screen is { } screen ? PyAutoGuiCode.For(step.Action, screen) : null,
                ActionDescription = ActionDescriptions.Describe(step.Action),
                ActionJson = JsonSerializer.Serialize(step.Action, EpisodeRecordJson.Default.ActionRecord),
                ScreenWidth = episode.Screen?.Width,
                ScreenHeight = episode.Screen?.Height,
                BeforeImage = Image(step.Before),
                AfterImage = Image(step.After),
                Quality = [.. episode.Quality],
            };
            _rows.Add(row);
            if (_rows.Count >= RowsPerGroup || _groupBytes >= BytesPerGroup)
            {
                Flush();
            }
        }
    }

    private ParquetImage? Image(FrameRecord? frame)
    {
        if (frame is null)
        {
            return null;
        }
        var bytes = File.ReadAllBytes(_layout.Full(frame.Image));
        _groupBytes += bytes.Length;
        return new ParquetImage { Bytes = bytes, Path = System.IO.Path.GetFileName(frame.Image) };
    }

    private void Flush()
    {
        if (_rows.Count == 0)
        {
            return;
        }
        if (_shard is null)
        {
            var path = _layout.Full($"{Directory}/shard-{_shards.Count:00000}.parquet");
            _shards.Add(path);
            _shard = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            _shardBytes = 0;
        }
        var append = _shard.Length > 0;
        ParquetSerializer.SerializeAsync(_rows, _shard, new ParquetOptions { Append = append }, HuggingFaceMetadata).GetAwaiter().GetResult();
        Rows += _rows.Count;
        _shardBytes += _groupBytes;
        _rows.Clear();
        _groupBytes = 0;
        if (_shardBytes >= BytesPerShard)
        {
            CloseShard();
        }
    }

    private void CloseShard()
    {
        if (_shard is null)
        {
            return;
        }
        _shard.Flush(flushToDisk: true);
        _shard.Dispose();
        _shard = null;
    }

    public IReadOnlyList<string> Complete()
    {
        Flush();
        CloseShard();
        // Hugging Face's split naming needs the shard count, known only now.
        var names = new List<string>(_shards.Count);
        for (var i = 0; i < _shards.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{Directory}/train-{i:00000}-of-{_shards.Count:00000}.parquet");
            File.Move(_shards[i], _layout.Full(name));
            names.Add(name);
        }
        return names;
    }

    public void Dispose() => _shard?.Dispose();
}

/// <summary>The features of <see cref="ParquetStepRow"/> in Hugging Face's notation, for the Parquet footer and the dataset card.</summary>
public static class HuggingFaceFeatures
{
    public static readonly IReadOnlyList<(string Name, string Type)> Columns =
    [
        ("episode_id", "string"),
        ("session_id", "string"),
        ("step_index", "int32"),
        ("instruction", "string"),
        ("app", "string"),
        ("action_kind", "string"),
        ("code", "string"),
        ("action_description", "string"),
        ("action_json", "string"),
        ("screen_width", "int32"),
        ("screen_height", "int32"),
        ("before_image", "image"),
        ("after_image", "image"),
        ("quality", "list<string>"),
    ];

    public static string Json { get; } = BuildJson();

    private static string BuildJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("info");
            json.WriteStartObject("features");
            foreach (var (name, type) in Columns)
            {
                json.WriteStartObject(name);
                switch (type)
                {
                    case "image":
                        json.WriteString("_type", "Image");
                        break;
                    case "list<string>":
                        json.WriteStartObject("feature");
                        json.WriteString("dtype", "string");
                        json.WriteString("_type", "Value");
                        json.WriteEndObject();
                        json.WriteString("_type", "Sequence");
                        break;
                    default:
                        json.WriteString("dtype", type);
                        json.WriteString("_type", "Value");
                        break;
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
