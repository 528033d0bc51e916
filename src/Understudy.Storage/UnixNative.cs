using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Understudy.Storage;

/// <summary>
/// The few POSIX calls the BCL does not expose: fsync of a directory (the BCL refuses to open
/// one), flock, and access(2).
/// </summary>
internal static partial class UnixNative
{
    private const int ReadOnly = 0;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Interrupted = 4; // EINTR
    private const int WouldBlock = 11; // EAGAIN / EWOULDBLOCK on Linux

    internal const int ReadAccess = 4;
    internal const int WriteAccess = 2;
    internal const int ExecuteAccess = 1;

    /// <summary>
    /// Makes a rename or a newly created file in <paramref name="directory"/> durable: without it
    /// a crash can lose the directory entry even though the file's data was fsynced.
    /// </summary>
    internal static void FsyncDirectory(string directory)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new StorageException($"cannot open directory {directory} to sync it: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // Some filesystems (e.g. certain FUSE mounts) do not support fsync on directories;
                // the data itself was synced, so there is nothing better to do there.
                if (errno != 22 /* EINVAL */ && errno != 95 /* EOPNOTSUPP */)
                {
                    throw new StorageException($"cannot sync directory {directory}: errno {errno}");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Takes flock(LOCK_EX | LOCK_NB) on an open file. The BCL already does this for
    /// FileShare.None, unless DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set; taking it explicitly
    /// keeps live-session detection working even then. Re-locking the same open file is a no-op.
    /// </summary>
    internal static bool TryLockExclusive(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                if (Flock(fd, LockExclusive | LockNonBlocking) == 0)
                {
                    return true;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interrupted)
                {
                    continue;
                }
                if (errno == WouldBlock)
                {
                    return false;
                }
                throw new IOException($"flock failed: errno {errno}", errno);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>True if this process may access the path in the given way (R/W/X bits).</summary>
    internal static bool HasAccess(string path, int mode) => Access(path, mode) == 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; false when the process does not exist or is not ours.</summary>
    internal static bool Terminate(int pid) => pid > 0 && Kill(pid, 15 /* SIGTERM */) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
