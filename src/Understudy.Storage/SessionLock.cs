namespace Understudy.Storage;

/// <summary>
/// The exclusive flock on &lt;session&gt;/writer.lock. The writer holds it for the whole recording;
/// the kernel drops it when the process dies in any way (including kill -9), which is how a
/// reader tells a live recording from an interrupted one. flock belongs to the open file, not
/// the process, so it also excludes other opens within this process (unlike fcntl locks).
/// </summary>
internal sealed class SessionLock : IDisposable
{
    internal const string FileName = "writer.lock";
    private const int WouldBlock = 11;

    private readonly FileStream _file;

    private SessionLock(FileStream file)
    {
        _file = file;
    }

    /// <summary>Creates the lock file of a new session and takes the lock; fails if the file exists.</summary>
    internal static SessionLock CreateNew(string path)
    {
        var file = FilePermissions.CreatePrivateFile(path);
        return Lock(file) ?? throw new IOException($"{path} is already locked");
    }

    /// <summary>Takes the lock if nobody holds it, else null. Creates the file if it is missing.</summary>
    internal static SessionLock? TryAcquire(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                // The BCL turns FileShare.None into flock(LOCK_EX | LOCK_NB) on Unix.
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = FilePermissions.PrivateFile,
            });
        }
        catch (IOException ex) when (ex.HResult == WouldBlock)
        {
            return null;
        }
        return Lock(file);
    }

    /// <summary>True if some open file holds the lock right now. Never creates the file.</summary>
    internal static bool IsHeld(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException ex) when (ex.HResult == WouldBlock)
        {
            return true;
        }
        using var probe = Lock(file);
        return probe is null;
    }

    private static SessionLock? Lock(FileStream file)
    {
        try
        {
            if (UnixNative.TryLockExclusive(file.SafeFileHandle))
            {
                return new SessionLock(file);
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
        file.Dispose();
        return null;
    }

    public void Dispose() => _file.Dispose();
}
