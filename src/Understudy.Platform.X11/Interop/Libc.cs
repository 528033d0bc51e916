using System.Runtime.InteropServices;

namespace Understudy.Platform.X11.Interop;

internal static unsafe partial class Libc
{
    public const short POLLIN = 0x001;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(NativeLibraries.Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);
}
