using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Understudy.Collector.Http;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>Each role reaches only what it needs; proved over HTTP with real accounts and a real uploaded session.</summary>
public sealed class RoleTests : IAsyncLifetime
{
    private readonly TestRecorder _recorder = new();
    private TestCollector _collector = null!;
    private string _steward = "";
    private string _builder = "";
    private string _auditor = "";
    private Donor _alice = null!;
    private Donor _bob = null!;
    private string _aliceUpload = "";
    private string _dataset = "";

    public async Task InitializeAsync()
    {
        _collector = await TestCollector.StartAsync(StoreKind.Sqlite);
        _steward = await _collector.StewardWithPolicyAsync();
        _builder = await _collector.CreateAccountAsync(Role.Builder, "bob-ml");
        _auditor = await _collector.CreateAccountAsync(Role.Auditor, "audrey");
        _alice = await _collector.EnrolledDonorAsync("alice", _steward);
        _bob = await _collector.EnrolledDonorAsync("bob", _steward);
        _recorder.Record(40);
        using var device = new CollectorClient(_collector.Address, _alice.Credential.Credential);
        var report = await new UploadQueue(_recorder.Store, _recorder.Key, _alice.Credential, device, new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = 4096 })
            .RunAsync(() => true, CancellationToken.None);
        Assert.Single(report.Uploaded);
        _aliceUpload = (await _collector.Service.Metadata.ListUploadsAsync(null, null, CancellationToken.None)).Single().Id;
        using var builder = _collector.Client(_builder);
        _dataset = (await (await builder.PostAsJsonAsync("v1/datasets", new { purpose = "evaluation" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dataset_id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _recorder.Dispose();
    }

    private async Task<HttpStatusCode> StatusAsync(string? bearer, HttpMethod method, string path, object? body = null)
    {
        using var client = _collector.Client(bearer);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_builder_cannot_download_a_raw_session_nor_reach_anything_but_datasets()
    {
        var content = $"v1/datasets/{_dataset}/sessions/{_aliceUpload}";
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_builder, HttpMethod.Get, content));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Get, $"v1/uploads/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Post, $"v1/uploads/{_aliceUpload}/complete"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Get, "v1/me/sessions"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Put, "v1/policy", new { policy_yaml = "version: 1", retention_days = 1 }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_builder, HttpMethod.Post, "v1/requests/erasure", new { account = "alice" }));
        // Not part of a dataset: no content, whatever the id.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_builder, HttpMethod.Get, $"v1/datasets/ds_0000000000000000/sessions/{_aliceUpload}"));
    }

    [Fact]
    public async Task A_donor_sees_only_their_own_data()
    {
        using var bob = _collector.Client(_bob.Token);
        Assert.Empty((await bob.GetFromJsonAsync<JsonElement>("v1/me/sessions")).EnumerateArray());
        var bobsTrail = await bob.GetFromJsonAsync<JsonElement>("v1/me/audit");
        Assert.All(bobsTrail.EnumerateArray(), e => Assert.Equal(_collector.Service.Keys.Pseudonym("bob"), e.GetProperty("donor_id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_bob.Token, HttpMethod.Delete, $"v1/me/sessions/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_bob.Token, HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_bob.Token, HttpMethod.Get, $"v1/datasets/{_dataset}/sessions/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_bob.Token, HttpMethod.Get, "v1/devices"));
        // Bob's device cannot see Alice's upload either: reported as missing.
        using var bobsDevice = new CollectorClient(_collector.Address, _bob.Credential.Credential);
        var probe = await Assert.ThrowsAsync<CollectorException>(() => bobsDevice.GetUploadAsync(_aliceUpload, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, probe.Status);

        using var alice = _collector.Client(_alice.Token);
        Assert.Single((await alice.GetFromJsonAsync<JsonElement>("v1/me/sessions")).EnumerateArray());
    }

    [Fact]
    public async Task A_steward_manages_but_cannot_read_content()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_steward, HttpMethod.Get, $"v1/datasets/{_dataset}/sessions/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_steward, HttpMethod.Post, "v1/datasets", new { purpose = "curiosity" }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_steward, HttpMethod.Get, $"v1/uploads/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_steward, HttpMethod.Get, "v1/me/sessions"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_steward, HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_steward, HttpMethod.Get, "v1/devices"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_steward, HttpMethod.Get, "v1/policy"));
    }

    [Fact]
    public async Task An_auditor_reads_the_audit_log_and_nothing_else()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_auditor, HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_auditor, HttpMethod.Get, "v1/audit/verify"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_auditor, HttpMethod.Get, "v1/devices"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_auditor, HttpMethod.Get, $"v1/datasets/{_dataset}/sessions/{_aliceUpload}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_auditor, HttpMethod.Post, "v1/accounts", new { role = "steward", account = "mallory" }));
    }

    [Fact]
    public async Task Devices_only_upload_and_read_policy_and_strangers_get_nothing()
    {
        var device = _alice.Credential.Credential;
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(device, HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(device, HttpMethod.Get, "v1/me/sessions"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(device, HttpMethod.Post, "v1/accounts", new { role = "steward", account = "mallory" }));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(null, HttpMethod.Get, "v1/me/sessions"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(null, HttpMethod.Get, "v1/policy"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("usa_" + new string('A', 43), HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("not-a-token", HttpMethod.Get, "v1/audit"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(null, HttpMethod.Get, "v1/collector-key"));
    }

    [Fact]
    public void Every_endpoint_declares_who_may_call_it_and_none_lists_a_person_for_others()
    {
        var endpoints = _collector.Host.Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.NotNull(e.Metadata.GetMetadata<AllowedRoles>()));
        // Only a donor's own view lists sessions; no steward, builder or auditor endpoint takes a person.
        var sessionLists = endpoints.Where(e => e.RoutePattern.RawText!.Contains("sessions", StringComparison.Ordinal) && !e.RoutePattern.RawText.Contains("datasets", StringComparison.Ordinal));
        Assert.All(sessionLists, e => Assert.Equal([Role.Donor], e.Metadata.GetMetadata<AllowedRoles>()!.Roles));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = _collector.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/uploads", out _));
        Assert.True(paths.TryGetProperty("/v1/uploads/{uploadId}/chunks/{index}", out _));
        Assert.True(paths.TryGetProperty("/v1/enroll", out _));
    }
}
