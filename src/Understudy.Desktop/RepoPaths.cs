namespace Understudy.Desktop;

/// <summary>Locations inside the repository the program or the tests run from.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>
    /// The repository root: <c>$UNDERSTUDY_HOME</c> (set by the <c>./understudy</c> launcher), else the
    /// nearest directory above the binaries holding <c>Understudy.slnx</c>.
    /// </summary>
    public static string Root => LazyRoot.Value;

    /// <summary>A file under <c>scripts/</c>.</summary>
    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        var home = Environment.GetEnvironmentVariable("UNDERSTUDY_HOME");
        if (!string.IsNullOrEmpty(home) && File.Exists(Path.Combine(home, "scripts", "desktop.sh")))
        {
            return Path.GetFullPath(home);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Understudy.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"cannot find the Understudy repository (Understudy.slnx) above {AppContext.BaseDirectory}; set UNDERSTUDY_HOME");
    }
}
