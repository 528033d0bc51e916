using System.Text.Json;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary><c>understudy demo</c> starts its own desktop and form: the README's main command must keep working.</summary>
[Collection("desktop")]
public sealed class DemoTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    [Fact]
    public void The_demo_records_the_scripted_work_and_reads_it_back()
    {
        var env = new Dictionary<string, string?>(Env) { ["DISPLAY"] = null };
        var (exit, stdout, stderr) = CliProcess.Run(env, "demo", "--data", DataDir, "--json");
        Assert.True(exit == 0, stderr);

        using var summary = JsonDocument.Parse(stdout);
        var root = summary.RootElement;
        var typed = root.GetProperty("typed_text").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(["Team lunch at Café Zoë", "42.50", " Receipt #4711 attached."], typed);
        Assert.Equal(4, root.GetProperty("scrolls_down").GetInt32());
        Assert.Equal(2, root.GetProperty("scrolls_up").GetInt32());
        Assert.Equal(3, root.GetProperty("clicks").GetProperty("left").GetInt32());
        Assert.Equal(["ctrl+a", "ctrl+End"], root.GetProperty("hotkeys").EnumerateArray().Select(h => h.GetString()));
        Assert.StartsWith("UnderstudyDemo", Assert.Single(root.GetProperty("apps").EnumerateArray()).GetString(), StringComparison.Ordinal);

        var sessionId = root.GetProperty("session_id").GetString()!;
        var (verifyExit, _, _) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", DataDir);
        Assert.Equal(0, verifyExit);
    }
}
