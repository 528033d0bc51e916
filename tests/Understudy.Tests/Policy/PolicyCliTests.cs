using System.Diagnostics;
using System.Text.Json;
using Understudy.Policy.Consent;
using Understudy.Storage;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Policy;

/// <summary>The consent, status and policy commands, run as the real program in a child process with its own environment.</summary>
public sealed class PolicyCliTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "understudy.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The child finds the test store's device key through XDG_CONFIG_HOME, as a user's shell would.
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(_store.Root, "config");
        info.Environment.Remove(DataDirectory.EnvironmentVariable);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the command did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private string[] Data => ["--data", _store.DataPath];

    private JsonElement RunJson(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private string RecordSession()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(20)), eventsPerFrame: 5);
        return id;
    }

    [Fact]
    public void Consent_show_prints_the_notice_and_its_version()
    {
        var (exit, stdout, _) = Run("consent", "show");
        Assert.Equal(0, exit);
        Assert.Contains(ConsentNotice.Text.Trim(), stdout, StringComparison.Ordinal);
        Assert.Contains($"notice version {ConsentNotice.Version}", stdout, StringComparison.Ordinal);
        var json = RunJson("consent", "show", "--json");
        Assert.Equal(ConsentNotice.Version, json.GetProperty("notice_version").GetInt32());
        Assert.Equal(ConsentNotice.Text, json.GetProperty("text").GetString());
    }

    [Fact]
    public void Consent_accept_then_status_then_withdraw()
    {
        var before = RunJson(["consent", "status", "--json", .. Data]);
        Assert.Equal("never", before.GetProperty("state").GetString());
        Assert.True(before.GetProperty("needs_acceptance").GetBoolean());
        Assert.Contains("never given", Run(["consent", "status", .. Data]).Stdout, StringComparison.Ordinal);

        var (exit, stdout, _) = Run(["consent", "accept", .. Data]);
        Assert.Equal(0, exit);
        Assert.Contains("consent recorded: notice version 1", stdout, StringComparison.Ordinal);
        Assert.Contains("What is never recorded", stdout, StringComparison.Ordinal);
        Assert.True(new ConsentStore(_store.DataPath).IsCurrent);
        var accepted = RunJson(["consent", "status", "--json", .. Data]);
        Assert.Equal("accepted", accepted.GetProperty("state").GetString());
        Assert.False(accepted.GetProperty("needs_acceptance").GetBoolean());
        Assert.Equal(JsonValueKind.String, accepted.GetProperty("accepted_at").ValueKind);

        var (refused, _, error) = Run(["consent", "withdraw", .. Data]);
        Assert.Equal(2, refused);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        Assert.True(new ConsentStore(_store.DataPath).IsCurrent);

        Assert.Equal(0, Run(["consent", "withdraw", "--yes", .. Data]).Exit);
        var withdrawn = RunJson(["consent", "status", "--json", .. Data]);
        Assert.Equal("withdrawn", withdrawn.GetProperty("state").GetString());
        Assert.True(withdrawn.GetProperty("needs_acceptance").GetBoolean());
    }

    [Fact]
    public void Withdraw_stops_the_recorder_and_deletes_every_session()
    {
        var first = RecordSession();
        var second = RecordSession();
        Assert.Equal(2, _store.Store.List().Count);
        Assert.Equal(0, Run(["consent", "accept", .. Data]).Exit);
        using var recorder = FakeRecorder.Start();
        new RecorderStatusFile(_store.DataPath).Write(new RecorderStatus(recorder.Pid, second, DateTimeOffset.UtcNow, false, null, "Pilot", "0123456789abcdef"));

        var (exit, stdout, stderr) = Run(["consent", "withdraw", "--yes", .. Data]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("consent withdrawn", stdout, StringComparison.Ordinal);
        Assert.Contains($"stopped the recorder (pid {recorder.Pid})", stdout, StringComparison.Ordinal);
        Assert.Contains("deleted 2 sessions", stdout, StringComparison.Ordinal);
        Assert.True(recorder.WaitForExit(TimeSpan.FromSeconds(5)));
        Assert.Empty(_store.Store.List());
        Assert.False(Directory.Exists(_store.SessionDirectory(first)));
        Assert.False(new ConsentStore(_store.DataPath).IsCurrent);
    }

    [Fact]
    public void Status_without_a_status_file_says_not_recording()
    {
        var (exit, stdout, _) = Run(["status", .. Data]);
        Assert.Equal(0, exit);
        Assert.StartsWith("not recording", stdout, StringComparison.Ordinal);
        Assert.Contains("consent: never given", stdout, StringComparison.Ordinal);
        var json = RunJson(["status", "--json", .. Data]);
        Assert.Equal("not_recording", json.GetProperty("state").GetString());
        Assert.False(json.GetProperty("stale_status_file").GetBoolean());
        Assert.Equal("never", json.GetProperty("consent").GetProperty("state").GetString());
    }

    [Fact]
    public void Status_with_a_stale_file_says_not_recording()
    {
        int deadPid;
        using (var gone = Process.Start("true"))
        {
            gone.WaitForExit();
            deadPid = gone.Id;
        }
        new RecorderStatusFile(_store.DataPath).Write(new RecorderStatus(deadPid, "s", DateTimeOffset.UtcNow, false, null, null, null));
        var (exit, stdout, _) = Run(["status", .. Data]);
        Assert.Equal(0, exit);
        Assert.StartsWith("not recording (stale status file", stdout, StringComparison.Ordinal);
        var json = RunJson(["status", "--json", .. Data]);
        Assert.False(json.GetProperty("running").GetBoolean());
        Assert.True(json.GetProperty("stale_status_file").GetBoolean());
    }

    [Fact]
    public void Status_with_a_live_recorder_shows_session_pause_policy_and_consent()
    {
        Assert.Equal(0, Run(["consent", "accept", .. Data]).Exit);
        using var recorder = FakeRecorder.Start();
        var file = new RecorderStatusFile(_store.DataPath);
        var started = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        file.Write(new RecorderStatus(recorder.Pid, "20261201T080000Z-feed", started, false, null, "Expense team pilot", "0123456789abcdef"));

        var (exit, stdout, _) = Run(["status", .. Data]);
        Assert.Equal(0, exit);
        Assert.Contains($"recording (recorder pid {recorder.Pid})", stdout, StringComparison.Ordinal);
        Assert.Contains("session: 20261201T080000Z-feed", stdout, StringComparison.Ordinal);
        Assert.Contains("policy: Expense team pilot [0123456789abcdef]", stdout, StringComparison.Ordinal);
        Assert.Contains("consent: accepted notice version 1", stdout, StringComparison.Ordinal);

        file.Write(new RecorderStatus(recorder.Pid, "20261201T080000Z-feed", started, true, started.AddMinutes(5), "Expense team pilot", "0123456789abcdef"));
        var json = RunJson(["status", "--json", .. Data]);
        Assert.Equal("paused", json.GetProperty("state").GetString());
        Assert.Equal("2026-12-01T08:05:00.000Z", json.GetProperty("paused_since").GetString());
        Assert.Equal("0123456789abcdef", json.GetProperty("policy").GetProperty("hash").GetString());
        Assert.True(json.GetProperty("consent").GetProperty("current").GetBoolean());
    }

    [Fact]
    public void Policy_check_summarises_a_good_policy()
    {
        var (exit, stdout, _) = Run("policy", "check", PolicyLoaderTests.ExamplePath);
        Assert.Equal(0, exit);
        Assert.Contains("policy ok: Expense team pilot", stdout, StringComparison.Ordinal);
        Assert.Contains("allowed (4):", stdout, StringComparison.Ordinal);
        Assert.Contains("class=KeePassXC", stdout, StringComparison.Ordinal);
        Assert.Contains("retention: local sessions deleted after 30 days", stdout, StringComparison.Ordinal);
        var json = RunJson("policy", "check", "--json", PolicyLoaderTests.ExamplePath);
        Assert.Equal(Understudy.Policy.PolicyLoader.Load(PolicyLoaderTests.ExamplePath).Hash, json.GetProperty("hash").GetString());
    }

    [Fact]
    public void Policy_check_of_a_bad_policy_exits_2_with_one_line_naming_the_line()
    {
        var path = Path.Combine(_store.Root, "bad.yaml");
        File.WriteAllText(path, "version: 1\napps:\n  allow:\n    - class: Yad\n    - title: \"(unclosed\"\n");
        var (exit, stdout, stderr) = Run("policy", "check", path);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"understudy: {path}:5:14: apps.allow[1].title: invalid regular expression", line, StringComparison.Ordinal);
        var (missing, _, missingError) = Run("policy", "check", Path.Combine(_store.Root, "none.yaml"));
        Assert.Equal(2, missing);
        Assert.Contains("no such file", missingError, StringComparison.Ordinal);
    }
}
