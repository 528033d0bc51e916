namespace Understudy.Storage;

/// <summary>Where sessions live: chosen once per process from the command line and the environment.</summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "UNDERSTUDY_DATA";

    /// <summary>
    /// The absolute data directory: <paramref name="dataOption"/> (the --data value) if given, else
    /// $UNDERSTUDY_DATA, else $XDG_DATA_HOME/understudy, else ~/.local/share/understudy.
    /// Touches nothing on disk.
    /// </summary>
    public static string Resolve(string? dataOption) => Resolve(dataOption, Environment.GetEnvironmentVariable);

    internal static string Resolve(string? dataOption, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(dataOption))
        {
            return Path.GetFullPath(dataOption);
        }
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        // The XDG spec says a relative value is invalid and must be ignored.
        var xdgDataHome = environment("XDG_DATA_HOME");
        if (!string.IsNullOrWhiteSpace(xdgDataHome) && Path.IsPathRooted(xdgDataHome))
        {
            return Path.GetFullPath(Path.Combine(xdgDataHome, "understudy"));
        }
        return Path.GetFullPath(Path.Combine(UserHome.Find(environment), ".local", "share", "understudy"));
    }

    /// <summary>
    /// Creates the directory with mode 0700 if it is missing and checks that this user can use it.
    /// An existing directory's mode is left alone: the user may have pointed --data somewhere
    /// shared on purpose, and silently chmod-ing it could break other things. Everything the store
    /// creates inside it is private regardless.
    /// </summary>
    public static string EnsureExists(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            throw new StorageException($"data directory {path} exists but is a file, not a directory");
        }
        try
        {
            FilePermissions.CreatePrivateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot create data directory {path}: {ex.Message}", ex);
        }
        if (!UnixNative.HasAccess(path, UnixNative.ReadAccess | UnixNative.WriteAccess | UnixNative.ExecuteAccess))
        {
            throw new StorageException($"data directory {path} is not readable and writable by this user");
        }
        return path;
    }
}
