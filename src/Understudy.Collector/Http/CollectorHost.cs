using System.Data.Common;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Understudy.Collector.Blobs;
using Understudy.Collector.Metadata;
using Understudy.Collector.Security;
using Understudy.Upload;

namespace Understudy.Collector.Http;

/// <summary>A running collector: Kestrel, the service behind it, and the address it listens on.</summary>
public sealed class CollectorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CollectorHost(WebApplication app, CollectorService service, Uri address, string? certificatePin)
    {
        _app = app;
        Service = service;
        Address = address;
        CertificatePin = certificatePin;
    }

    /// <summary>With the development certificate: "sha256/" + base64 SHA-256 of its public key, for recorders to pin.</summary>
    public string? CertificatePin { get; }

    public CollectorService Service { get; }

    public Uri Address { get; }

    /// <summary>Every endpoint served, for the test that each one declares who may call it.</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Http.Endpoint> Endpoints =>
        _app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints;

    /// <summary>Opens the stores named by <paramref name="options"/>, creates the keys on first start, and recovers from a crash.</summary>
    public static async Task<CollectorService> OpenServiceAsync(CollectorOptions options, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        Storage.FilePermissions.CreatePrivateDirectory(options.DataDirectory);
        IMetadataStore metadata = options.MetadataProvider switch
        {
            "sqlite" => new SqliteMetadataStore(Path.Combine(options.DataDirectory, "collector.db")),
            "postgres" => new PostgresMetadataStore(options.PostgresConnectionString ?? throw new ArgumentException("postgres needs a connection string", nameof(options))),
            _ => throw new ArgumentException($"unknown metadata provider '{options.MetadataProvider}' (sqlite or postgres)", nameof(options)),
        };
        await metadata.InitializeAsync(cancellation).ConfigureAwait(false);
        IBlobStore blobs = options.BlobProvider switch
        {
            "filesystem" => new FileSystemBlobStore(options.BlobDirectory),
            "s3" => new S3BlobStore(
                options.S3Endpoint ?? throw new ArgumentException("s3 blobs need an endpoint", nameof(options)),
                options.S3Bucket ?? throw new ArgumentException("s3 blobs need a bucket", nameof(options)),
                options.S3Prefix,
                options.S3Region),
            _ => throw new ArgumentException($"unknown blob provider '{options.BlobProvider}' (filesystem or s3)", nameof(options)),
        };
        var service = new CollectorService(options, metadata, blobs, CollectorKeys.LoadOrCreate(options.DataDirectory), options.Time);
        await service.RecoverAsync(cancellation).ConfigureAwait(false);
        return service;
    }

    public static async Task<CollectorHost> StartAsync(CollectorOptions options, CancellationToken cancellation, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IPAddress.IsLoopback(options.ListenAddress) && !options.UseDevelopmentCertificate)
        {
            throw new ArgumentException($"plain HTTP is served on loopback only; {options.ListenAddress} needs TLS (--dev-cert, or a TLS terminator in front on loopback)", nameof(options));
        }
        var service = await OpenServiceAsync(options, cancellation).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.DataDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                // Per device (or account); unauthenticated callers share a bucket per address.
                var caller = context.GetCaller();
                var key = caller?.Id ?? "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.DeviceRequestsPerSecond * 2,
                    TokensPerPeriod = options.DeviceRequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (rejected, token) =>
            {
                rejected.HttpContext.Response.StatusCode = 429;
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await rejected.HttpContext.Response.WriteAsJsonAsync(new ErrorResponse("rate_limited", "too many requests from this device; retry after a second"), ProtocolJson.Options, token).ConfigureAwait(false);
            };
        });
        using var certificate = options.UseDevelopmentCertificate ? LoadOrCreateDevelopmentCertificate(options.DataDirectory) : null;
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxChunkBytes + 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(1024, TimeSpan.FromSeconds(10));
            kestrel.Listen(options.ListenAddress, options.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null));
                }
            });
        });
        if (options.RetentionInterval > TimeSpan.Zero)
        {
            builder.Services.AddHostedService(_ => new RetentionJob(service, options.RetentionInterval, log));
        }

        var app = builder.Build();
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            try
            {
                await ResolveCallerAsync(service, context).ConfigureAwait(false);
                var allowed = context.GetEndpoint()?.Metadata.GetMetadata<AllowedRoles>();
                if (context.GetEndpoint() is null)
                {
                    throw CollectorError.NotFound($"no such endpoint: {context.Request.Method} {context.Request.Path}");
                }
                if (allowed is null || !allowed.Permits(context.GetCaller()))
                {
                    throw context.GetCaller() is null
                        ? CollectorError.Unauthorized("this endpoint needs a credential (Authorization: Bearer …)")
                        : CollectorError.Forbidden("forbidden", "your role may not use this endpoint");
                }
                await next(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (!context.Response.HasStarted && Describe(ex) is { } error)
            {
                context.Response.Clear();
                context.Response.StatusCode = error.Status;
                if (error.Status == 503)
                {
                    context.Response.Headers.RetryAfter = "5";
                }
                await context.Response.WriteAsJsonAsync(new ErrorResponse(error.Code, error.Message), ProtocolJson.Options).ConfigureAwait(false);
            }
        });
        app.UseRateLimiter();
        CollectorEndpoints.Map(app, service);

        await app.StartAsync(cancellation).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CollectorHost(app, service, new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal) + "/"),
            certificate is null ? null : Understudy.Upload.TlsPin.Of(certificate));
    }

    private static async Task ResolveCallerAsync(CollectorService service, HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            context.SetCaller(null);
            return;
        }
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length > 7 + Secrets.MaxLength)
        {
            throw CollectorError.Unauthorized("Authorization: expected 'Bearer <token>'");
        }
        var caller = await service.AuthenticateAsync(header[7..], context.RequestAborted).ConfigureAwait(false)
            ?? throw CollectorError.Unauthorized("the credential is not valid");
        context.SetCaller(caller);
    }

    /// <summary>Maps a failure to a status and a clear message. Unreachable stores are 503 so that recorders retry; nothing else leaks internals.</summary>
    private static CollectorError? Describe(Exception ex) => ex switch
    {
        CollectorError error => error,
        BadHttpRequestException bad when bad.StatusCode == 413 => CollectorError.TooLarge("request body is larger than the collector accepts"),
        BadHttpRequestException bad => new CollectorError(bad.StatusCode, "bad_request", bad.Message),
        DbException or TimeoutException or InvalidOperationException { InnerException: DbException } =>
            new CollectorError(503, "metadata_unavailable", "the metadata store is unreachable; nothing was recorded, retry later"),
        BlobStoreException => new CollectorError(503, "blob_store_unavailable", "the blob store is unreachable; nothing was recorded, retry later"),
        OperationCanceledException => null,
        CryptographicException => new CollectorError(500, "key_error", "a stored key does not open; see the collector's audit verify and key files"),
        _ => new CollectorError(500, "internal_error", $"internal error ({ex.GetType().Name})"),
    };

    /// <summary>
    /// The development certificate is kept in &lt;data&gt;/keys/dev-cert.pfx (0600) so that its pin
    /// survives restarts; a new one is made when it is missing or within a day of expiring.
    /// </summary>
    private static X509Certificate2 LoadOrCreateDevelopmentCertificate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "keys", "dev-cert.pfx");
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            if (existing.NotAfter > DateTime.Now.AddDays(1))
            {
                return existing;
            }
            existing.Dispose();
        }
        var created = CreateDevelopmentCertificate();
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            file.Write(created.Export(X509ContentType.Pkcs12));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        return created;
    }

    private static X509Certificate2 CreateDevelopmentCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(365));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Stops accepting, lets requests in flight finish (so an acknowledged chunk is always stored), then closes.</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        await Service.Metadata.DisposeAsync().ConfigureAwait(false);
        (Service.Blobs as IDisposable)?.Dispose();
        Service.Keys.Dispose();
    }
}

/// <summary>Runs retention on a timer while the collector serves.</summary>
internal sealed class RetentionJob(CollectorService service, TimeSpan interval, Action<string>? log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                var report = await service.RunRetentionAsync(Caller.Operator("retention-job"), stoppingToken).ConfigureAwait(false);
                if (report.SessionsDeleted.Count + report.AbandonedUploadsDeleted.Count > 0)
                {
                    log?.Invoke($"retention: deleted {report.SessionsDeleted.Count} session(s) and {report.AbandonedUploadsDeleted.Count} abandoned upload(s)");
                }
            }
            catch (Exception ex) when (ex is DbException or BlobStoreException or IOException)
            {
                log?.Invoke($"retention: could not run now ({ex.Message}); will try again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
