using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>Subject access and the operator's commands, through the real CLI where it matters.</summary>
public sealed class SubjectAccessTests : IAsyncLifetime
{
    private readonly TestRecorder _alice = new();
    private readonly TestRecorder _bob = new();
    private TestCollector _collector = null!;

    public async Task InitializeAsync() => _collector = await TestCollector.StartAsync(StoreKind.Sqlite);

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _alice.Dispose();
        _bob.Dispose();
    }

    private async Task UploadAsync(TestRecorder recorder, Donor donor)
    {
        using var client = new CollectorClient(_collector.Address, donor.Credential.Credential);
        var report = await new UploadQueue(recorder.Store, recorder.Key, donor.Credential, client, new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = 8192 })
            .RunAsync(() => true, CancellationToken.None);
        Assert.NotEmpty(report.Uploaded);
    }

    [Fact]
    public async Task Export_person_gives_everything_about_that_person_and_nothing_about_others()
    {
        var steward = await _collector.StewardWithPolicyAsync();
        var alice = await _collector.EnrolledDonorAsync("alice", steward);
        var bob = await _collector.EnrolledDonorAsync("bob", steward);
        _alice.Record(120, frames: 1, seed: 1);
        _alice.Record(80, seed: 2);
        _bob.Record(50, seed: 3);
        await UploadAsync(_alice, alice);
        await UploadAsync(_bob, bob);
        using (var builder = _collector.Client(await _collector.CreateAccountAsync(Role.Builder, "bob-ml")))
        {
            (await builder.PostAsJsonAsync("v1/datasets", new { purpose = "evaluation" })).EnsureSuccessStatusCode();
        }

        var archive = Path.Combine(_collector.Options.DataDirectory, "..", "alice.json");
        var (code, _, error) = await RunCliAsync("admin", "export-person", "--data", _collector.Options.DataDirectory, "--account", "alice", "--out", archive);
        Assert.True(code == 0, error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(archive));
        var root = document.RootElement;
        var aliceId = _collector.Service.Keys.Pseudonym("alice");
        Assert.Equal("understudy-subject-access-v1", root.GetProperty("format").GetString());
        Assert.Equal(aliceId, root.GetProperty("donor_id").GetString());
        Assert.True(root.GetProperty("consent").GetProperty("granted").GetBoolean());
        Assert.Equal(alice.Credential.DeviceId, Assert.Single(root.GetProperty("devices").EnumerateArray()).GetProperty("id").GetString());
        var sessions = root.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal([80, 121], sessions.Select(s => s.GetProperty("events").GetArrayLength()).Order());
        Assert.Equal(2, Assert.Single(root.GetProperty("datasets").EnumerateArray()).GetProperty("sessions").GetArrayLength());
        var audit = root.GetProperty("audit").EnumerateArray().ToList();
        Assert.All(audit, e => Assert.Equal(aliceId, e.GetProperty("donor_id").GetString()));
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == AuditActions.Export);
        Assert.DoesNotContain(bob.Credential.DeviceId, await File.ReadAllTextAsync(archive), StringComparison.Ordinal);

        // The same file is never overwritten; an unknown person is a usage error naming them.
        Assert.Equal(2, (await RunCliAsync("admin", "export-person", "--data", _collector.Options.DataDirectory, "--account", "alice", "--out", archive)).Code);
        var unknown = await RunCliAsync("admin", "export-person", "--data", _collector.Options.DataDirectory, "--account", "carol", "--out", archive + "2");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("carol", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_verify_from_the_command_line_passes_an_intact_log_and_fails_a_tampered_one()
    {
        var steward = await _collector.StewardWithPolicyAsync();
        await _collector.EnrolledDonorAsync("alice", steward);
        var intact = await RunCliAsync("audit", "verify", "--data", _collector.Options.DataDirectory, "--json");
        Assert.True(intact.Code == 0, intact.Error);
        Assert.True(JsonDocument.Parse(intact.Output).RootElement.GetProperty("intact").GetBoolean());

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_collector.Options.DataDirectory, "collector.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit SET actor = 'steward:someone-else' WHERE seq = 2";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        var broken = await RunCliAsync("audit", "verify", "--data", _collector.Options.DataDirectory);
        Assert.Equal(1, broken.Code);
        Assert.Contains("entry 2 was modified", broken.Error, StringComparison.Ordinal);
        Assert.Single(broken.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task The_first_steward_is_created_from_the_command_line_and_can_then_use_the_api()
    {
        var (code, output, error) = await RunCliAsync("admin", "create-account", "--data", _collector.Options.DataDirectory, "--role", "steward", "--account", "sam", "--json");
        Assert.True(code == 0, error);
        var token = JsonDocument.Parse(output).RootElement.GetProperty("token").GetString();
        using var steward = _collector.Client(token);
        Assert.True((await steward.GetAsync("v1/devices")).IsSuccessStatusCode);
        var duplicate = await RunCliAsync("admin", "create-account", "--data", _collector.Options.DataDirectory, "--role", "steward", "--account", "sam");
        Assert.Equal(2, duplicate.Code);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        var badRole = await RunCliAsync("admin", "create-account", "--data", _collector.Options.DataDirectory, "--role", "admin", "--account", "root");
        Assert.Equal(2, badRole.Code);
    }

    internal static Task<(int Code, string Output, string Error)> RunCliAsync(params string[] arguments) => RunCliAsync(new Dictionary<string, string>(), arguments);

    internal static async Task<(int Code, string Output, string Error)> RunCliAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(CollectorProcess.CliAssembly());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }
}
