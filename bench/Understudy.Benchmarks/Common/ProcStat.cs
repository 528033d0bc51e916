using System.Diagnostics;
using System.Globalization;

namespace Understudy.Benchmarks.Common;

/// <summary>CPU time and memory of a process or its threads, read from /proc.</summary>
internal static class ProcStat
{
    private static readonly Lazy<int> ClockTicks = new(ReadClockTicks);

    /// <summary>USER_HZ, the unit of utime/stime in /proc (from <c>getconf CLK_TCK</c>, normally 100).</summary>
    public static int ClockTicksPerSecond => ClockTicks.Value;

    /// <summary>utime + stime of the whole process (every thread), in clock ticks; null once it is gone.</summary>
    public static long? CpuTicks(int pid) => CpuTicksOf($"/proc/{pid}/stat");

    public static (long RssKb, long HwmKb)? Memory(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        long rss = 0, hwm = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiloBytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = KiloBytes(line);
            }
        }
        return (rss, hwm);
    }

    /// <summary>
    /// CPU time per thread name in nanoseconds (threads of the same name are summed), for the
    /// threads alive now, from /proc/PID/task/TID/schedstat (nanosecond resolution, unlike stat's ticks).
    /// </summary>
    public static Dictionary<string, long> ThreadCpuNs(int pid)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var task in SafeEnumerate($"/proc/{pid}/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                var ns = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                result[name] = result.GetValueOrDefault(name) + ns;
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return result;
    }

    /// <summary>Voluntary + involuntary context switches per thread name: roughly, how often each kind of thread woke up.</summary>
    public static Dictionary<string, long> ThreadSwitches(int pid)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var task in SafeEnumerate($"/proc/{pid}/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                long total = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) ||
                        line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
                result[name] = result.GetValueOrDefault(name) + total;
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return result;
    }

    public static int ThreadCount(int pid) => SafeEnumerate($"/proc/{pid}/task").Count;

    private static List<string> SafeEnumerate(string directory)
    {
        try
        {
            return [.. Directory.EnumerateDirectories(directory)];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static long? CpuTicksOf(string statPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(statPath);
        }
        catch (IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long KiloBytes(string line) =>
        long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);

    private static int ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var output = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit();
                if (int.TryParse(output, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0)
                {
                    return value;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: Linux's USER_HZ is 100 on every common architecture.
        }
        return 100;
    }
}
