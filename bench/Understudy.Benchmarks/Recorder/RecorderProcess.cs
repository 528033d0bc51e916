using System.Diagnostics;
using System.Runtime.InteropServices;
using Understudy.Benchmarks.Common;

namespace Understudy.Benchmarks.RecorderProcessBench;

/// <summary>
/// The published <c>understudy record</c> as a child process on the virtual desktop, with its own
/// home, data directory and device key; stopped with SIGINT as a person's Ctrl+C would.
/// </summary>
internal sealed partial class RecorderProcess : IDisposable
{
    private const int SigInt = 2;

    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly Task<string> _stdout;
    private readonly ManualResetEventSlim _capturing = new(false);

    private RecorderProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_stderr)
            {
                _stderr.Add(e.Data);
            }
            if (e.Data.Contains("recording session", StringComparison.Ordinal))
            {
                _capturing.Set();
            }
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    public static RecorderProcess Start(string cli, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(cli)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Nothing of the developer's own session (a Wayland desktop, another accessibility bus) may leak in.
        foreach (var key in new[] { "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS", "GTK_A11Y", "SESSION_MANAGER", "XAUTHORITY", "UNDERSTUDY_DATA" })
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return new RecorderProcess(Process.Start(info) ?? throw new BenchmarkFailedException($"could not start {cli}"));
    }

    /// <summary>Waits for the "recording session ..." line: capture has started.</summary>
    public double WaitUntilCapturing(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!_capturing.Wait(50))
        {
            if (_process.HasExited || clock.Elapsed > timeout)
            {
                throw new BenchmarkFailedException($"the recorder did not start capturing: {string.Join(" | ", StandardError)}");
            }
        }
        return clock.Elapsed.TotalSeconds;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGINT, then waits for the exit; returns the exit code and what it printed on stdout (the session id).</summary>
    public (int ExitCode, string Stdout, double StopSeconds) Interrupt(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        if (Kill(_process.Id, SigInt) != 0)
        {
            throw new BenchmarkFailedException($"kill(SIGINT) of the recorder failed: errno {Marshal.GetLastPInvokeError()}");
        }
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            throw new BenchmarkFailedException($"the recorder did not stop within {timeout.TotalSeconds:0} s of SIGINT");
        }
        _process.WaitForExit();
        var stopSeconds = clock.Elapsed.TotalSeconds;
        return (_process.ExitCode, _stdout.Result.Trim(), stopSeconds);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        _process.Dispose();
        _capturing.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
