using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Collector.Tests.Support;

namespace Understudy.Collector.Tests;

/// <summary>The recorder's commands as a person runs them: consent, enroll, upload, against a running collector.</summary>
public sealed class CommandLineTests : IAsyncLifetime
{
    private readonly TestRecorder _recorder = new();
    private TestCollector _collector = null!;

    public async Task InitializeAsync() => _collector = await TestCollector.StartAsync(StoreKind.Sqlite);

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _recorder.Dispose();
    }

    [Fact]
    public async Task Enroll_then_upload_sends_sessions_past_the_collectors_review_hold()
    {
        var steward = await _collector.CreateAccountAsync(Metadata.Role.Steward, "ann");
        var donorToken = await _collector.CreateAccountAsync(Metadata.Role.Donor, "alice");
        using var stewardHttp = _collector.Client(steward);
        (await stewardHttp.PutAsJsonAsync("v1/policy", new { policy_yaml = TestCollector.MinimalPolicy + "retention:\n  review_hold_hours: 0\n", retention_days = 30 })).EnsureSuccessStatusCode();
        using var donorHttp = _collector.Client(donorToken);
        (await donorHttp.PutAsJsonAsync("v1/me/consent", new { granted = true, notice_version = Understudy.Policy.Consent.ConsentNotice.Version })).EnsureSuccessStatusCode();
        var token = (await (await stewardHttp.PostAsJsonAsync("v1/enrolment-tokens", new { account = "alice" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _recorder.ConfigHome, ["UNDERSTUDY_DATA"] = _recorder.DataPath };
        var sessionId = _recorder.Record(500, frames: 1);

        var notEnrolled = await SubjectAccessTests.RunCliAsync(environment, "upload");
        Assert.Equal(2, notEnrolled.Code);
        Assert.Contains("not enrolled", notEnrolled.Error, StringComparison.Ordinal);

        var enrolled = await SubjectAccessTests.RunCliAsync(environment, "enroll", "--server", _collector.Address.ToString(), "--token", token, "--json");
        Assert.True(enrolled.Code == 0, enrolled.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_recorder.CredentialPath));
        var reused = await SubjectAccessTests.RunCliAsync(environment, "enroll", "--server", _collector.Address.ToString(), "--token", token);
        Assert.Equal(2, reused.Code);
        Assert.Single(reused.Error.Trim().Split('\n'));

        var withoutConsent = await SubjectAccessTests.RunCliAsync(environment, "upload", "--json");
        Assert.Empty(JsonDocument.Parse(withoutConsent.Output).RootElement.GetProperty("uploaded").EnumerateArray());
        Assert.Contains("consent", withoutConsent.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await SubjectAccessTests.RunCliAsync(environment, "consent", "accept")).Code);
        var upload = await SubjectAccessTests.RunCliAsync(environment, "upload", "--json");
        Assert.True(upload.Code == 0, upload.Error);
        var report = JsonDocument.Parse(upload.Output).RootElement;
        Assert.Equal(sessionId, Assert.Single(report.GetProperty("uploaded").EnumerateArray()).GetString());
        Assert.Equal("policy version 1", report.GetProperty("policy").GetString());
        Assert.True(File.Exists(Path.Combine(_recorder.DataPath, "collector-policy.yaml")));
        var held = Assert.Single(await _collector.Service.Metadata.ListUploadsAsync(null, Understudy.Upload.UploadStates.Complete, CancellationToken.None));
        Assert.Equal(sessionId, held.SessionId);
    }
}
