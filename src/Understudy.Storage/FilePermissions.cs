namespace Understudy.Storage;

/// <summary>The only two modes the store ever creates things with.</summary>
internal static class FilePermissions
{
    /// <summary>rwx for the owner only: nobody else may even list a session's files.</summary>
    internal const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only, applied at creation so there is no window where it is wider.</summary>
    internal const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    internal const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates a new file (failing if it exists) that is private from its first instant.</summary>
    internal static FileStream CreatePrivateFile(string path, FileShare share = FileShare.None) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = share,
            // Unbuffered: every Write is a write(2), so a frame is written in one piece or not at all
            // from the process's point of view, and nothing sits in a managed buffer.
            BufferSize = 0,
            UnixCreateMode = PrivateFile,
        });

    /// <summary>Creates a directory (and missing parents) with owner-only access; leaves an existing one alone.</summary>
    internal static void CreatePrivateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, PrivateDirectory);
        }
    }

    internal static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);
}
