using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Collector.Http;
using Understudy.Collector.Metadata;
using Understudy.Upload;

namespace Understudy.Collector.Tests.Support;

public enum StoreKind
{
    Sqlite,
    Postgres,

    /// <summary>SQLite metadata, blobs in an S3-compatible store (s3rver).</summary>
    SqliteS3,
}

/// <summary>A real collector on Kestrel, 127.0.0.1, a free port, with the chosen metadata store.</summary>
internal sealed class TestCollector : IAsyncDisposable
{
    public const string MinimalPolicy = "version: 1\napps:\n  allow:\n    - class: yad\n";

    private readonly TemporaryDirectory _root;
    private readonly bool _ownsRoot;

    private TestCollector(TemporaryDirectory root, bool ownsRoot, CollectorHost host, CollectorOptions options)
    {
        _root = root;
        _ownsRoot = ownsRoot;
        Host = host;
        Options = options;
    }

    public CollectorHost Host { get; private set; }

    public CollectorOptions Options { get; }

    public CollectorService Service => Host.Service;

    public MovableClock Clock => (MovableClock)Options.Time;

    public Uri Address => Host.Address;

    public static async Task<TestCollector> StartAsync(StoreKind kind, Func<CollectorOptions, CollectorOptions>? configure = null)
    {
        var root = new TemporaryDirectory();
        var clock = new MovableClock();
        var options = new CollectorOptions
        {
            DataDirectory = root.Combine("collector"),
            Port = 0,
            MinChunkBytes = 1024,
            RetentionInterval = TimeSpan.Zero,
            Time = clock,
            MetadataProvider = kind == StoreKind.Postgres ? "postgres" : "sqlite",
            PostgresConnectionString = kind == StoreKind.Postgres ? await PostgresServer.CreateDatabaseAsync() : null,
        };
        options = kind == StoreKind.SqliteS3 ? S3Server.Use(options) : options;
        options = configure?.Invoke(options) ?? options;
        return new TestCollector(root, ownsRoot: true, await CollectorHost.StartAsync(options, CancellationToken.None), options);
    }

    /// <summary>Stops Kestrel gracefully and starts a new collector over the same data (a restart).</summary>
    public async Task RestartAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
        Host = await CollectorHost.StartAsync(Options with { Port = Address.Port }, CancellationToken.None);
    }

    public async Task<string> CreateAccountAsync(Role role, string name)
    {
        var (_, token) = await Service.CreateAccountAsync(Caller.Operator("test-bootstrap"), role, name, CancellationToken.None);
        return token;
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    /// <summary>A donor who consented, a published policy, and an enrolled device for the donor.</summary>
    public async Task<Donor> EnrolledDonorAsync(string name, string stewardToken)
    {
        var donorToken = await CreateAccountAsync(Role.Donor, name);
        using var donor = Client(donorToken);
        (await donor.PutAsJsonAsync("v1/me/consent", new { granted = true, notice_version = Understudy.Policy.Consent.ConsentNotice.Version })).EnsureSuccessStatusCode();
        using var steward = Client(stewardToken);
        var tokenResponse = await steward.PostAsJsonAsync("v1/enrolment-tokens", new { account = name });
        Assert.Equal(HttpStatusCode.Created, tokenResponse.StatusCode);
        var enrolmentToken = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var anonymous = new CollectorClient(Address, null);
        var enrolled = await anonymous.EnrollAsync(enrolmentToken, CancellationToken.None);
        var credential = new DeviceCredential(Address.ToString(), enrolled.DeviceId, enrolled.Credential, enrolled.CollectorPublicKey, enrolled.CollectorKeyId);
        return new Donor(name, donorToken, credential);
    }

    public async Task<string> StewardWithPolicyAsync(string name = "steward-ann")
    {
        var steward = await CreateAccountAsync(Role.Steward, name);
        using var client = Client(steward);
        (await client.PutAsJsonAsync("v1/policy", new { policy_yaml = MinimalPolicy, retention_days = 30 })).EnsureSuccessStatusCode();
        return steward;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_ownsRoot)
        {
            _root.Dispose();
        }
    }
}

/// <summary>The system clock, which a test can move forward (retention, token expiry).</summary>
internal sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}

internal sealed record Donor(string Name, string Token, DeviceCredential Credential);
