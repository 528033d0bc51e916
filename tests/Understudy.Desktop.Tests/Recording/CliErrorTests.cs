using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>Bad input of every kind: one clear line on stderr, exit code 2 (DESIGN.md), nothing recorded or damaged.</summary>
[Collection("desktop")]
public sealed class CliErrorTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private static void AssertOneLineError(int exit, string stderr, int expectedExit, string expectedText)
    {
        Assert.Equal(expectedExit, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("understudy: ", line, StringComparison.Ordinal);
        Assert.Contains(expectedText, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_display_record_says_so_and_records_nothing()
    {
        var env = new Dictionary<string, string?>(Env) { ["DISPLAY"] = null };
        var (exit, stdout, stderr) = CliProcess.Run(env, "record", "--data", DataDir, "--duration", "1");
        AssertOneLineError(exit, stderr, 2, "DISPLAY is not set");
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(Path.Combine(DataDir, "sessions")) && Directory.EnumerateFileSystemEntries(Path.Combine(DataDir, "sessions")).Any());
    }

    [Fact]
    public void In_a_wayland_session_record_explains_why_it_will_not_start()
    {
        var env = new Dictionary<string, string?>(Env) { ["WAYLAND_DISPLAY"] = "wayland-0", ["XDG_SESSION_TYPE"] = "wayland" };
        var (exit, _, stderr) = CliProcess.Run(env, "record", "--data", DataDir, "--duration", "1");
        AssertOneLineError(exit, stderr, 2, "Wayland");
    }

    [Fact]
    public void An_unreachable_display_is_named()
    {
        var env = new Dictionary<string, string?>(Env) { ["DISPLAY"] = ":4321" };
        var (exit, _, stderr) = CliProcess.Run(env, "record", "--data", DataDir, "--duration", "1");
        AssertOneLineError(exit, stderr, 2, "cannot open X display ':4321'");
    }

    [Theory]
    [InlineData("record --bogus-flag", "--bogus-flag")]
    [InlineData("record --duration -5", "--duration")]
    [InlineData("record --duration soon", "soon")]
    [InlineData("sessions export", "id")]
    [InlineData("sessions export 20261123T000000Z-abcdef --format csv", "csv")]
    [InlineData("teleport", "teleport")]
    [InlineData("dataset build", "--out")]
    [InlineData("dataset build --out /tmp/understudy-ds-never --format csv", "csv")]
    [InlineData("dataset build --out /tmp/understudy-ds-never --min-quality great", "great")]
    [InlineData("dataset build --out /tmp/understudy-ds-never --since yesterday", "yesterday")]
    [InlineData("dataset build --out /nonexistent-parent/ds", "parent directory")]
    [InlineData("dataset build --out /tmp/understudy-ds-never --session 20260101T000000Z-000000", "20260101T000000Z-000000")]
    public void Wrong_usage_is_one_line_and_exit_2(string commandLine, string expectedText)
    {
        var args = commandLine.Split(' ').Concat(["--data", DataDir]).ToArray();
        var (exit, _, stderr) = CliProcess.Run(Env, args);
        AssertOneLineError(exit, stderr, 2, expectedText);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("export")]
    [InlineData("verify")]
    [InlineData("delete")]
    public void An_unknown_session_id_is_named(string verb)
    {
        Directory.CreateDirectory(DataDir);
        var (exit, _, stderr) = CliProcess.Run(Env, "sessions", verb, "20261123T000000Z-abcdef", "--data", DataDir);
        AssertOneLineError(exit, stderr, 2, "20261123T000000Z-abcdef");
    }

    [Fact]
    public void A_session_id_that_tries_to_leave_the_data_directory_is_refused()
    {
        var (exit, _, stderr) = CliProcess.Run(Env, "sessions", "delete", "../../etc", "--data", DataDir);
        AssertOneLineError(exit, stderr, 2, "invalid session id");
    }

    [Fact]
    public void An_unreadable_data_directory_is_named()
    {
        var file = Path.Combine(Root, "not-a-directory");
        File.WriteAllText(file, "x");
        var (exit, _, stderr) = CliProcess.Run(Env, "record", "--data", file, "--duration", "1");
        AssertOneLineError(exit, stderr, 2, file);
    }

    [Fact]
    public void Listing_a_data_directory_that_does_not_exist_yet_is_empty_not_an_error()
    {
        var (exit, stdout, stderr) = CliProcess.Run(Env, "sessions", "list", "--data", Path.Combine(Root, "never-recorded"), "--json");
        Assert.Equal(0, exit);
        Assert.Equal("[]", stdout.Trim());
        Assert.Empty(stderr);
    }
}
