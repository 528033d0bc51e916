namespace Understudy.Tests.Storage;

/// <summary>A fact that needs to mount a filesystem: root with CAP_SYS_ADMIN, else skipped with the reason.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    private const int CapSysAdmin = 21;

    public RootFactAttribute()
    {
        if (!CanMount())
        {
            Skip = "needs root with CAP_SYS_ADMIN to mount a small tmpfs; disk-full handling is also covered by the injected-failure tests";
        }
    }

    private static bool CanMount()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status");
            var uid = status.FirstOrDefault(line => line.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            var capabilities = status.FirstOrDefault(line => line.StartsWith("CapEff:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            if (uid is not { Length: >= 3 } || uid[2] != "0" || capabilities is not { Length: >= 2 })
            {
                return false;
            }
            var effective = Convert.ToUInt64(capabilities[1], 16);
            return (effective & (1UL << CapSysAdmin)) != 0 && File.Exists("/bin/mount");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
