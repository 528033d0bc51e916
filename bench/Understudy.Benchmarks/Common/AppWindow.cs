using System.Diagnostics;
using System.Globalization;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// A real X client window standing in for an application: <c>xev</c>, which selects every kind of
/// input event on its window, so that the server delivers the injected input to a client as it
/// would to an application under the pointer or with the keyboard focus. Its output is discarded.
/// </summary>
internal sealed class AppWindow : IDisposable
{
    private readonly Process _process;

    public AppWindow(int x, int y, int width, int height)
    {
        var start = new ProcessStartInfo("xev")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-geometry");
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"{width}x{height}+{x}+{y}"));
        try
        {
            _process = Process.Start(start) ?? throw new BenchmarkFailedException("could not start xev");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchmarkFailedException($"could not start xev (package x11-utils): {ex.Message}", ex);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Mapped, placed and focused by the window manager.
        Thread.Sleep(1000);
        if (_process.HasExited)
        {
            throw new BenchmarkFailedException($"xev exited at once with {_process.ExitCode}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
