namespace Understudy.Dataset.Export;

/// <summary>
/// One export format. The builder hands it every kept episode in a fixed order (sessions by id,
/// episodes by index), from one thread, then calls <see cref="Complete"/> once. Image paths in the
/// records are relative to <see cref="DatasetLayout.Root"/>.
/// </summary>
public interface IDatasetWriter : IDisposable
{
    /// <summary>The <c>--format</c> name: opencua, jsonl, parquet, html.</summary>
    string Format { get; }

    void Write(EpisodeRecord episode);

    /// <summary>All episodes are written: flush, close files, write any index. Returns the files it made, relative to the root.</summary>
    IReadOnlyList<string> Complete();
}

/// <summary>Where everything of a dataset goes under its root.</summary>
public sealed class DatasetLayout(string root)
{
    public string Root { get; } = root;

    public string ImagesDirectory => Path.Combine(Root, "images");

    public string Full(string relative) => Path.Combine(Root, relative);

    /// <summary>A session's images live in their own folder, so erasing a session's data is one directory.</summary>
    public static string ImagePath(string sessionId, string blob, string extension) => $"images/{sessionId}/{blob}.{extension}";
}
