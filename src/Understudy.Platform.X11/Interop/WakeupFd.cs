using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

/// <summary>
/// A Linux eventfd: lets one thread wake another that sleeps in poll(2) on it, next to an X
/// connection's socket. <see cref="Signal"/> is a single non-blocking write, safe from the
/// XRecord callback: it never blocks and never allocates.
/// </summary>
internal sealed unsafe partial class WakeupFd : IDisposable
{
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;

    private int _fd;

    public WakeupFd()
    {
        _fd = eventfd(0, EfdCloexec | EfdNonblock);
        if (_fd < 0)
        {
            throw new InvalidOperationException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public int Fd => _fd;

    public void Signal()
    {
        ulong one = 1;
        _ = write(_fd, &one, sizeof(ulong));
    }

    /// <summary>Clears pending signals after a wake-up.</summary>
    public void Drain()
    {
        ulong count;
        _ = read(_fd, &count, sizeof(ulong));
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = close(fd);
        }
    }

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    private static partial int eventfd(uint initialValue, int flags);

    [LibraryImport(NativeLibraries.Libc)]
    private static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(NativeLibraries.Libc)]
    private static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(NativeLibraries.Libc)]
    private static partial int close(int fd);
}
