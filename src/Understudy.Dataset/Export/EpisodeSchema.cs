namespace Understudy.Dataset.Export;

/// <summary>The JSON Schema of <see cref="EpisodeRecord"/>, shipped with every native export.</summary>
public static class EpisodeSchema
{
    public static string Text { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(EpisodeSchema).Assembly.GetManifestResourceStream("Understudy.Dataset.episode.schema.json")
            ?? throw new InvalidOperationException("the episode schema resource is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
