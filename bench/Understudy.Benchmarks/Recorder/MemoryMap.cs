using System.Globalization;

namespace Understudy.Benchmarks.RecorderProcessBench;

/// <summary>
/// Where a process's resident memory is, by mapping, from /proc/PID/smaps: the XShm segment, the
/// native libraries (Skia, the runtime, the JIT), managed assemblies, and anonymous memory split
/// into the GC heap's address ranges (when known) and the rest (malloc arenas, JIT code, stacks).
/// </summary>
internal static class MemoryMap
{
    public const string XShm = "XShm segment (SysV shm)";
    public const string Skia = "libSkiaSharp.so";
    public const string Runtime = "libcoreclr.so + libclrjit.so";
    public const string OtherNative = "other native libraries";
    public const string Assemblies = "managed assemblies (.dll)";
    public const string GcHeap = "anonymous, inside GC heap ranges";
    public const string Anonymous = "anonymous, elsewhere (malloc, JIT code, stacks, runtime)";
    public const string DoubleMapped = "runtime code and stubs (memfd doublemapper)";
    public const string OtherFiles = "other files";

    /// <summary>RSS in kB per category, and the total.</summary>
    public static (SortedDictionary<string, long> ByCategory, long TotalKb) Read(int pid, IReadOnlyList<(ulong Start, ulong End)>? gcRanges)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        string category = Anonymous;
        (ulong Start, ulong End) range = default;
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/smaps");
        }
        catch (IOException)
        {
            return (result, 0);
        }
        foreach (var line in lines)
        {
            if (IsHeader(line))
            {
                var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                var bounds = parts[0].Split('-');
                range = (ulong.Parse(bounds[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(bounds[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                category = Classify(parts.Length > 5 ? parts[5].Trim() : "", parts.Length > 4 && parts[4] != "0");
                continue;
            }
            if (!line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                continue;
            }
            var kb = long.Parse(line[4..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            if (kb == 0)
            {
                continue;
            }
            var target = category;
            if (category == Anonymous && gcRanges is not null && gcRanges.Any(r => range.Start < r.End && r.Start < range.End))
            {
                // A mapping overlapping a GC range: count the overlap's share as GC heap (mappings rarely straddle one).
                target = GcHeap;
            }
            result[target] = result.GetValueOrDefault(target) + kb;
            total += kb;
        }
        return (result, total);
    }

    /// <summary>The lines of /proc/PID/smaps_rollup (totals: Rss, Pss, Anonymous, Shared/Private ...).</summary>
    public static string[] Rollup(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/smaps_rollup");
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static bool IsHeader(string line)
    {
        // "7f12a0000000-7f12a4000000 rw-p 00000000 00:00 0   [path]"; field lines are "Name:   value kB".
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && line.IndexOf(':', StringComparison.Ordinal) is var colon && (colon < 0 || colon > dash) && Uri.IsHexDigit(line[0]);
    }

    private static string Classify(string path, bool hasInode)
    {
        if (path.StartsWith("/SYSV", StringComparison.Ordinal))
        {
            return XShm;
        }
        if (path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal))
        {
            return DoubleMapped;
        }
        if (path.Length == 0 || path.StartsWith('[') || !hasInode && !path.StartsWith('/'))
        {
            return Anonymous;
        }
        var name = Path.GetFileName(path);
        if (name.StartsWith("libSkiaSharp", StringComparison.Ordinal))
        {
            return Skia;
        }
        if (name.StartsWith("libcoreclr", StringComparison.Ordinal) || name.StartsWith("libclrjit", StringComparison.Ordinal))
        {
            return Runtime;
        }
        if (name.Contains(".so", StringComparison.Ordinal))
        {
            return OtherNative;
        }
        if (name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return Assemblies;
        }
        return OtherFiles;
    }
}
