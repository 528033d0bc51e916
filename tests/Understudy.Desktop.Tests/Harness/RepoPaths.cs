namespace Understudy.Desktop.Tests.Harness;

/// <summary>Locations inside the repository the tests run from.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest directory above the test binaries holding <c>Understudy.slnx</c>.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A file under <c>scripts/</c>.</summary>
    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Understudy.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Understudy.slnx not found in any directory above {AppContext.BaseDirectory}");
    }
}
