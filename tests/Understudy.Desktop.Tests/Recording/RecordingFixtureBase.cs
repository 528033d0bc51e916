using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>A private data directory and device key per test class, removed afterwards.</summary>
public abstract class RecordingTestBase : IDisposable
{
    protected RecordingTestBase(DesktopFixture fixture)
    {
        Fixture = fixture;
        Root = Directory.CreateTempSubdirectory("understudy-desktop-test-").FullName;
        DataDir = Path.Combine(Root, "data");
        KeyFile = Path.Combine(Root, "keys", "device.key");
    }

    /// <summary>Records the donor's consent in <paramref name="dataDir"/> (default: the test's), as a person would before recording.</summary>
    protected void AcceptConsent(string? dataDir = null)
    {
        var (exit, _, stderr) = CliProcess.Run(Env, "consent", "accept", "--data", dataDir ?? DataDir);
        if (exit != 0)
        {
            throw new InvalidOperationException($"consent accept failed ({exit}): {stderr}");
        }
    }

    protected DesktopFixture Fixture { get; }

    protected VirtualDesktop Desktop => Fixture.Desktop;

    protected string Root { get; }

    protected string DataDir { get; }

    protected string KeyFile { get; }

    protected IReadOnlyDictionary<string, string?> Env => EnvFor(Desktop);

    protected IReadOnlyDictionary<string, string?> EnvFor(VirtualDesktop desktop)
    {
        var env = desktop.Environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        env["UNDERSTUDY_DEVICE_KEY_FILE"] = KeyFile;
        env["UNDERSTUDY_DATA"] = null;
        env["WAYLAND_DISPLAY"] = null;
        env["XDG_SESSION_TYPE"] = null;
        return env;
    }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static void Pause(int milliseconds) => Thread.Sleep(milliseconds);
}
