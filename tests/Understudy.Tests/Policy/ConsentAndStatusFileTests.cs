using Understudy.Policy.Consent;
using Understudy.Storage;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Policy;

public sealed class ConsentAndStatusFileTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void The_notice_covers_purpose_collection_exclusions_storage_rights_and_pausing()
    {
        var text = ConsentNotice.Text;
        Assert.Contains("version 1", text, StringComparison.Ordinal);
        foreach (var needle in new[] { "computer-use agents", "keys", "pointer", "screenshots", "password", "encrypted", "review hold", "withdraw", "erasure", "access", "pause", "understudy status" })
        {
            Assert.Contains(needle, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Matches("^[0-9a-f]{64}$", ConsentNotice.Sha256);
    }

    [Fact]
    public void Consent_is_never_then_accepted_then_withdrawn()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var store = new ConsentStore(_root.Combine("data"), time);
        Assert.Equal(ConsentState.Never, store.State);
        Assert.False(store.IsCurrent);

        var accepted = store.Accept();
        Assert.Equal(ConsentState.Accepted, store.State);
        Assert.True(store.IsCurrent);
        Assert.Equal(time.Now, store.Read()!.AcceptedAt);
        Assert.Equal(ConsentNotice.Version, accepted.NoticeVersion);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        Assert.Single(Directory.GetFiles(_root.Combine("data")));

        time.Now = time.Now.AddDays(1);
        store.Withdraw();
        Assert.Equal(ConsentState.Withdrawn, store.State);
        Assert.False(store.IsCurrent);
        var record = store.Read()!;
        Assert.Equal(time.Now, record.WithdrawnAt);
        Assert.Equal(time.Now.AddDays(-1), record.AcceptedAt);
        Assert.True(new ConsentStore(_root.Combine("data")).Accept().IsCurrent);
    }

    [Fact]
    public void An_acceptance_of_another_notice_version_or_text_is_not_current()
    {
        var store = new ConsentStore(_root.Path);
        File.WriteAllText(store.FilePath, $$"""{"notice_version": 0, "notice_sha256": "{{ConsentNotice.Sha256}}", "accepted_at": "2026-01-01T00:00:00Z", "withdrawn_at": null}""");
        Assert.Equal(ConsentState.Accepted, store.State);
        Assert.False(store.IsCurrent);
        File.WriteAllText(store.FilePath, $$"""{"notice_version": {{ConsentNotice.Version}}, "notice_sha256": "00", "accepted_at": "2026-01-01T00:00:00Z", "withdrawn_at": null}""");
        Assert.False(store.IsCurrent);
        File.WriteAllText(store.FilePath, "{ damaged");
        Assert.Throws<IOException>(() => store.Read());
    }

    [Fact]
    public void Withdrawal_without_any_acceptance_is_recorded()
    {
        var store = new ConsentStore(_root.Path);
        store.Withdraw();
        Assert.Equal(ConsentState.Withdrawn, store.State);
        Assert.Null(store.Read()!.AcceptedAt);
    }

    [Fact]
    public void The_recorder_status_file_round_trips_privately_and_clears()
    {
        var file = new RecorderStatusFile(_root.Combine("data"));
        Assert.Null(file.TryRead());
        var status = new RecorderStatus(Environment.ProcessId, "20261201T080000Z-abcd", new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero),
            Paused: true, PausedSince: new DateTimeOffset(2026, 12, 1, 8, 5, 0, 250, TimeSpan.Zero), "Pilot", "0123456789abcdef");
        file.Write(status);
        Assert.Equal(status, file.TryRead());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.FilePath));
        Assert.Single(Directory.GetFiles(_root.Combine("data")));
        file.Write(status with { Paused = false, PausedSince = null, PolicyName = null });
        Assert.False(file.TryRead()!.Paused);

        file.Clear(pid: 1);
        Assert.NotNull(file.TryRead());
        file.Clear();
        Assert.Null(file.TryRead());
        File.WriteAllText(file.FilePath, "not json");
        Assert.Null(file.TryRead());
    }

    [Fact]
    public void Only_live_understudy_processes_count()
    {
        Assert.False(RecorderStatusFile.IsAlive(int.MaxValue));
        Assert.True(RecorderStatusFile.IsAlive(Environment.ProcessId));
        using var fake = FakeRecorder.Start();
        Assert.True(RecorderStatusFile.IsUnderstudyProcess(fake.Pid));
        using var other = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            Assert.False(RecorderStatusFile.IsUnderstudyProcess(other.Id));
        }
        finally
        {
            other.Kill();
        }
    }
}

/// <summary>A process whose command line starts with "understudy" (bash exec -a), standing in for a running recorder.</summary>
internal sealed class FakeRecorder : IDisposable
{
    private readonly System.Diagnostics.Process _process;

    private FakeRecorder(System.Diagnostics.Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static FakeRecorder Start()
    {
        var info = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec -a understudy-fake-recorder sleep 60");
        var process = System.Diagnostics.Process.Start(info)!;
        // Wait until the exec has happened, so /proc shows the new command line.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !File.ReadAllText($"/proc/{process.Id}/cmdline").StartsWith("understudy", StringComparison.Ordinal))
        {
            Thread.Sleep(10);
        }
        return new FakeRecorder(process);
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

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
