using System.Text.Json;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>
/// <c>understudy demo</c> starts its own desktop and forms: the README's main command must keep
/// working, and its safeguard checks (password, email, non-allowed window in frames) must pass.
/// </summary>
[Collection("desktop")]
public sealed class DemoTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    [Fact]
    public void The_demo_records_the_scripted_work_reads_it_back_and_shows_the_safeguards()
    {
        var env = new Dictionary<string, string?>(Env) { ["DISPLAY"] = null };
        var (exit, stdout, stderr) = CliProcess.Run(env, "demo", "--data", DataDir, "--json");
        Assert.True(exit == 0, stderr);

        using var summary = JsonDocument.Parse(stdout);
        var root = summary.RootElement;
        var typed = root.GetProperty("typed_text").EnumerateArray().Select(t => t.GetString()).ToList();
        // The email in the description and the one in the sign-in form are stored as placeholders; the password not at all.
        Assert.Equal(["Team lunch at Café Zoë with <EMAIL_ADDRESS>", "42.50", " Receipt #4711 attached.", "<EMAIL_ADDRESS>"], typed);
        Assert.Equal(4, root.GetProperty("scrolls_down").GetInt32());
        Assert.Equal(2, root.GetProperty("scrolls_up").GetInt32());
        Assert.Equal(4, root.GetProperty("clicks").GetProperty("left").GetInt32());
        Assert.Equal(["ctrl+a", "ctrl+End"], root.GetProperty("hotkeys").EnumerateArray().Select(h => h.GetString()));
        var apps = root.GetProperty("apps").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(["UnderstudyDemo — Understudy demo — expense form", "UnderstudyDemo — Understudy demo — sign in"], apps);

        var redactions = root.GetProperty("redactions_by_type");
        Assert.True(redactions.GetProperty("EMAIL_ADDRESS").GetInt32() >= 1, redactions.ToString());
        Assert.True(root.GetProperty("sensitive_fields").GetInt32() >= 1);
        var safeguards = root.GetProperty("safeguards");
        Assert.False(safeguards.GetProperty("password_found").GetBoolean());
        Assert.False(safeguards.GetProperty("email_found").GetBoolean());
        Assert.True(safeguards.GetProperty("placeholder_shown").GetBoolean());
        var framesChecked = safeguards.GetProperty("frames_checked").GetInt32();
        Assert.True(framesChecked > 0);
        Assert.Equal(root.GetProperty("frames").GetInt32(), framesChecked);
        Assert.Equal(framesChecked, safeguards.GetProperty("frames_filled").GetInt32());
        Assert.True(safeguards.GetProperty("non_allowed_window_filled").GetBoolean());
        Assert.DoesNotContain("correct horse battery staple", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse battery staple", stderr, StringComparison.Ordinal);

        var sessionId = root.GetProperty("session_id").GetString()!;
        var (verifyExit, _, _) = CliProcess.Run(Env, "sessions", "verify", sessionId, "--data", DataDir);
        Assert.Equal(0, verifyExit);
    }
}
