using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Understudy.Desktop;

/// <summary>What a tool run printed and how it ended.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// An isolated virtual X desktop (Xvfb + openbox + its own D-Bus session and AT-SPI bus),
/// run by <c>scripts/desktop.sh serve</c>. The script stays up while our end of its stdin
/// pipe is open, so the desktop goes away with this process even if it is killed with
/// SIGKILL. <see cref="Dispose"/> stops it and everything started through
/// <see cref="StartApp"/>.
/// </summary>
public sealed class VirtualDesktop : IDisposable
{
    /// <summary>How long a tool run by <see cref="RunTool"/> may take.</summary>
    public static readonly TimeSpan DefaultToolTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int MaxLogChars = 512 * 1024;

    private readonly Process _server;
    private readonly string _envFile;
    private readonly StringBuilder _log;
    private readonly List<Process> _apps = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    private VirtualDesktop(Process server, string envFile, StringBuilder log, IReadOnlyDictionary<string, string> environment, TimeSpan startupTime)
    {
        _server = server;
        _envFile = envFile;
        _log = log;
        Environment = environment;
        StartupTime = startupTime;
        Display = environment.TryGetValue("DISPLAY", out var display) && display.Length > 0
            ? display
            : throw new InvalidOperationException("the desktop's env file has no DISPLAY");
        DisplayNumber = int.Parse(Display.TrimStart(':').Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The variables an application needs to live on this desktop: DISPLAY,
    /// DBUS_SESSION_BUS_ADDRESS, AT_SPI_BUS_ADDRESS, XDG_RUNTIME_DIR, the accessibility
    /// switches, DESKTOP_PID, ... (the KEY=VALUE lines the script wrote).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The X display name, e.g. ":90".</summary>
    public string Display { get; }

    /// <summary>The display number, e.g. 90.</summary>
    public int DisplayNumber { get; }

    /// <summary>Process id of <c>scripts/desktop.sh serve</c>.</summary>
    public int ServerProcessId => _server.Id;

    /// <summary>From launching the script to reading its env file.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>How long <see cref="Dispose"/> took, once it has run.</summary>
    public TimeSpan? ShutdownTime { get; private set; }

    /// <summary>What the script printed (prefixed "desktop:") and the stderr of started apps.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a desktop of the given size ("WxH" or "WxHxDEPTH") and waits (30 s at most)
    /// until it is ready: X server answering, window manager managing, AT-SPI bus up.
    /// </summary>
    public static VirtualDesktop Start(string size = "1280x800")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(size);
        var envFile = Path.Combine(Path.GetTempPath(), $"understudy-desktop-{Guid.NewGuid():N}.env");
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in new[] { RepoPaths.Script("desktop.sh"), "serve", "--size", size, "--env-file", envFile })
        {
            info.ArgumentList.Add(arg);
        }

        var log = new StringBuilder();
        var server = new Process { StartInfo = info };
        server.OutputDataReceived += (_, e) => Append(log, e.Data);
        server.ErrorDataReceived += (_, e) => Append(log, e.Data);
        var clock = Stopwatch.StartNew();
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (File.Exists(envFile))
                {
                    var environment = ParseEnvFile(File.ReadAllLines(envFile));
                    return new VirtualDesktop(server, envFile, log, environment, clock.Elapsed);
                }
                if (server.HasExited)
                {
                    DrainOutput(server);
                    throw new InvalidOperationException(
                        $"scripts/desktop.sh exited with {server.ExitCode} before the desktop was ready:\n{Snapshot(log)}");
                }
                if (clock.Elapsed > StartTimeout)
                {
                    throw new TimeoutException(
                        $"the virtual desktop was not ready within {StartTimeout.TotalSeconds:0} s:\n{Snapshot(log)}");
                }
                Thread.Sleep(20);
            }
        }
        catch
        {
            Stop(server, log);
            server.Dispose();
            TryDelete(envFile);
            throw;
        }
    }

    /// <summary>
    /// Starts a program on this desktop (its environment applied). Its stdin and stdout are
    /// redirected: read <c>StandardOutput</c> yourself (e.g. the values a yad form prints);
    /// its stderr goes to <see cref="Diagnostics"/>. It is killed when the desktop is disposed
    /// if it is still running then.
    /// </summary>
    public Process StartApp(string fileName, params string[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = CreateStartInfo(Environment, fileName, args);
        info.RedirectStandardInput = true;
        var app = new Process { StartInfo = info };
        var name = Path.GetFileName(fileName);
        var pid = 0;
        app.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(_log, $"[{name} {pid}] {e.Data}");
            }
        };
        app.Start();
        pid = app.Id;
        app.BeginErrorReadLine();
        lock (_gate)
        {
            _apps.Add(app);
        }
        return app;
    }

    /// <summary>
    /// Runs a tool (xdotool, xprop, gdbus, ...) on this desktop, waits for it (30 s at most),
    /// and returns its stdout; throws with its stderr if it exits non-zero.
    /// </summary>
    public string RunTool(string fileName, params string[] args)
    {
        var result = TryRunTool(DefaultToolTimeout, fileName, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Describe(fileName, args)} on {Display} exited with {result.ExitCode}: {result.StandardError.Trim()}");
        }
        return result.StandardOutput;
    }

    /// <summary>Runs a tool on this desktop and returns how it ended, whatever its exit code.</summary>
    public ToolResult TryRunTool(TimeSpan timeout, string fileName, params string[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunProcess(Environment, timeout, fileName, args);
    }

    /// <summary>
    /// Waits until a visible (mapped) window whose WM_CLASS matches <paramref name="wmClass"/>
    /// (an xdotool regular expression, matched against the class part) exists, and returns its id.
    /// GTK also gives its hidden client-leader window the app's WM_CLASS: that one is skipped.
    /// </summary>
    public long WaitForWindow(string wmClass, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = TryRunTool(DefaultToolTimeout, "xdotool", "search", "--onlyvisible", "--class", wmClass);
            foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var window))
                {
                    return window;
                }
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"no visible window of class '{wmClass}' on {Display} within {timeout.TotalSeconds:0.#} s\n{Diagnostics}");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Runs a program with the given environment applied on top of ours (no desktop needed),
    /// returning its exit code and output; kills it and throws on timeout.
    /// </summary>
    public static ToolResult RunProcess(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, string fileName, params string[] args)
    {
        using var process = new Process { StartInfo = CreateStartInfo(environment, fileName, args) };
        process.StartInfo.RedirectStandardInput = true;
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(StopTimeout);
            throw new TimeoutException($"{Describe(fileName, args)} did not finish within {timeout.TotalSeconds:0.#} s");
        }
        // A child that outlives the tool could hold its pipes open: do not wait for it forever.
        if (!Task.WaitAll([stdout, stderr], StopTimeout))
        {
            throw new TimeoutException($"{Describe(fileName, args)} exited but its output did not end");
        }
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Kills the apps still running, closes the script's stdin (it then tears the desktop
    /// down), waits up to 10 s, and kills the whole process tree if it is still there.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        var clock = Stopwatch.StartNew();
        Process[] apps;
        lock (_gate)
        {
            apps = [.. _apps];
            _apps.Clear();
        }
        foreach (var app in apps)
        {
            try
            {
                if (!app.HasExited)
                {
                    app.Kill(entireProcessTree: true);
                    app.WaitForExit(StopTimeout);
                }
            }
            catch (InvalidOperationException)
            {
                // already disposed by the test, or never started
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // gone meanwhile
            }
            app.Dispose();
        }
        Stop(_server, _log);
        ShutdownTime = clock.Elapsed;
        _server.Dispose();
        TryDelete(_envFile);
    }

    private static void Stop(Process server, StringBuilder log)
    {
        try
        {
            server.StandardInput.Close();
        }
        catch (IOException)
        {
            // the script is already gone: nothing reads the pipe
        }
        if (server.WaitForExit(StopTimeout))
        {
            DrainOutput(server);
            return;
        }
        Append(log, $"desktop.sh did not stop within {StopTimeout.TotalSeconds:0} s of closing its stdin; killing its process tree");
        try
        {
            server.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
        server.WaitForExit(StopTimeout);
    }

    /// <summary>
    /// Lets the async output readers reach the end of the script's output. Only the
    /// no-argument WaitForExit waits for them, and it has no time limit: bound it.
    /// </summary>
    private static void DrainOutput(Process server) =>
        Task.Run(() => server.WaitForExit()).Wait(TimeSpan.FromSeconds(2));

    private static ProcessStartInfo CreateStartInfo(IReadOnlyDictionary<string, string>? environment, string fileName, string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (environment is not null)
        {
            // Nothing may reach a real session of the developer's (a Wayland desktop, a stale
            // accessibility bus) unless the desktop itself says so.
            foreach (var key in new[] { "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS", "GTK_A11Y", "SESSION_MANAGER", "XAUTHORITY" })
            {
                info.Environment.Remove(key);
            }
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return info;
    }

    private static Dictionary<string, string> ParseEnvFile(IEnumerable<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[line[..eq]] = line[(eq + 1)..];
            }
        }
        return result;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            if (log.Length > MaxLogChars)
            {
                log.Remove(0, log.Length / 2).Insert(0, "[...]\n");
            }
            log.Append(line).Append('\n');
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static string Describe(string fileName, string[] args) =>
        args.Length == 0 ? fileName : $"{fileName} {string.Join(' ', args)}";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
