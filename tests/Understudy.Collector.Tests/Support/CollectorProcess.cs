using System.Diagnostics;
using System.Text;

namespace Understudy.Collector.Tests.Support;

/// <summary>The real <c>understudy serve</c> as a child process, so it can be killed with SIGKILL.</summary>
internal sealed class CollectorProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CollectorProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public static string CliAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = Path.Combine(PostgresServer.RepoRoot(), "src", "Understudy.Cli", "bin", configuration, "net10.0", "understudy.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("the CLI is not built", path);
    }

    public static async Task<CollectorProcess> StartAsync(string dataDirectory, int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { CliAssembly(), "serve", "--data", dataDirectory, "--listen", $"127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var collector = new CollectorProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.ErrorDataReceived += (_, e) => collector.Append(e.Data);
        process.BeginErrorReadLine();
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready is null || !ready.StartsWith("collector listening on", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"understudy serve did not start: {ready} {collector.Output}");
        }
        return collector;
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
    }
}
