using System.Net;

namespace Understudy.Collector;

/// <summary>How a collector runs. The defaults are the embedded ones: SQLite and files in the data directory, loopback only.</summary>
public sealed record CollectorOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>Address to listen on. Plain HTTP is allowed only on a loopback address; anything else needs <see cref="UseDevelopmentCertificate"/> or a certificate.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8470;

    /// <summary>Serve HTTPS with a self-signed certificate made at start (development only).</summary>
    public bool UseDevelopmentCertificate { get; init; }

    /// <summary>"sqlite" (default, &lt;data&gt;/collector.db) or "postgres" with <see cref="PostgresConnectionString"/>.</summary>
    public string MetadataProvider { get; init; } = "sqlite";

    public string? PostgresConnectionString { get; init; }

    /// <summary>"filesystem" (default, &lt;data&gt;/blobs) or "s3" with <see cref="S3Endpoint"/> and <see cref="S3Bucket"/>.</summary>
    public string BlobProvider { get; init; } = "filesystem";

    public string? S3Endpoint { get; init; }

    public string? S3Bucket { get; init; }

    /// <summary>Key prefix inside the bucket, so one bucket can hold several collectors' blobs.</summary>
    public string? S3Prefix { get; init; }

    public string S3Region { get; init; } = "us-east-1";

    /// <summary>Largest chunk a device may declare; a request body beyond it is refused before it is read.</summary>
    public int MaxChunkBytes { get; init; } = 8 * 1024 * 1024;

    public int MinChunkBytes { get; init; } = 64 * 1024;

    public long MaxSessionBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Requests per second one device may make (token bucket, burst of twice this).</summary>
    public int DeviceRequestsPerSecond { get; init; } = 200;

    /// <summary>How long an enrolment token stays valid.</summary>
    public TimeSpan EnrolmentTokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the retention job runs while serving; zero disables it (tests run it directly).</summary>
    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Uploads left incomplete this long are deleted by the retention job.</summary>
    public TimeSpan AbandonedUploadAge { get; init; } = TimeSpan.FromDays(14);

    /// <summary>The clock of retention, expiry and audit times; tests move it forward.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string BlobDirectory => Path.Combine(DataDirectory, "blobs");

    public string TemporaryDirectory => Path.Combine(DataDirectory, "tmp");
}
