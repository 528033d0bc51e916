using System.Diagnostics;

namespace Understudy.Collector.Tests.Support;

/// <summary>
/// One s3rver per test run, started by scripts/s3.sh; each test gets its own key prefix in the
/// bucket. Credentials are the server's fixed test pair, given to the SDK the usual way (environment).
/// </summary>
internal static class S3Server
{
    public const string Bucket = "understudy-test";
    private static readonly Lazy<string> Endpoint = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static CollectorOptions Use(CollectorOptions options) => options with
    {
        BlobProvider = "s3",
        S3Endpoint = Endpoint.Value,
        S3Bucket = Bucket,
        S3Prefix = "t" + Guid.NewGuid().ToString("N")[..12],
    };

    private static string Start()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        var directory = Directory.CreateTempSubdirectory("understudy-s3-").FullName;
        // The script's watchdog stops the server and removes the directory when this test process is gone.
        var endpoint = Run("start", directory, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();
        return endpoint;
    }

    private static string Run(string action, string directory, string? owner = null) => ProjectScripts.Run("s3.sh", action, directory, owner);
}
