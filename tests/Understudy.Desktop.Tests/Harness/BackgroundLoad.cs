using System.Diagnostics;

namespace Understudy.Desktop.Tests.Harness;

/// <summary>
/// Keeps every core busy for a bounded time (busy loops under <c>timeout</c>), so that a test runs
/// the way the product runs on a shared, saturated machine. Disposing stops it at once; the bound
/// stops it even if the test process dies.
/// </summary>
internal sealed class BackgroundLoad : IDisposable
{
    private readonly List<Process> _workers = [];

    private BackgroundLoad(int workers, TimeSpan bound)
    {
        var seconds = ((int)Math.Ceiling(bound.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < workers; i++)
        {
            var start = new ProcessStartInfo("timeout", ["-s", "KILL", seconds, "sh", "-c", "while :; do :; done"]) { UseShellExecute = false };
            _workers.Add(Process.Start(start) ?? throw new InvalidOperationException("cannot start a load worker"));
        }
    }

    /// <summary>One busy loop per core, for at most <paramref name="bound"/>.</summary>
    public static BackgroundLoad Saturate(TimeSpan bound) => new(Environment.ProcessorCount, bound);

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            try
            {
                worker.Kill(entireProcessTree: true);
                worker.WaitForExit(5_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone: its bound ran out.
            }
            worker.Dispose();
        }
        _workers.Clear();
    }
}
