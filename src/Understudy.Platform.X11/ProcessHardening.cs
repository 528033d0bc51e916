using System.Runtime.InteropServices;

namespace Understudy.Platform.X11;

/// <summary>
/// The recorder's memory holds raw input before it is encrypted. A core dump would write that
/// memory to disk, so recording processes turn core dumps off and mark themselves
/// non-dumpable, which also stops other processes of the same user from reading their memory
/// through ptrace or /proc/PID/mem.
/// </summary>
public static partial class ProcessHardening
{
    private const int RlimitCore = 4;
    private const int PrSetDumpable = 4;

    /// <summary>Returns false if the kernel refused (the recording may still go ahead; nothing is written).</summary>
    public static bool ForbidCoreDumps()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var zero = new RLimit(0, 0);
        var limited = setrlimit(RlimitCore, in zero) == 0;
        var undumpable = prctl(PrSetDumpable, 0, 0, 0, 0) == 0;
        return limited && undumpable;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport(Interop.NativeLibraries.Libc, SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    [LibraryImport(Interop.NativeLibraries.Libc, SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
