using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Understudy.Collector;

/// <summary>
/// The collector's configuration file (JSON, docs/collector.md): every field optional, unknown
/// fields refused, each error naming the file and the field. The PostgreSQL connection string
/// may instead come from $UNDERSTUDY_COLLECTOR_POSTGRES so that it is in no file at all.
/// </summary>
public static class CollectorConfigFile
{
    public const string PostgresEnvironmentVariable = "UNDERSTUDY_COLLECTOR_POSTGRES";
    private static readonly string[] Fields =
    [
        "data", "listen", "metadata", "postgres", "dev_cert", "max_chunk_bytes", "device_requests_per_second",
        "retention_interval_minutes", "abandoned_upload_days", "enrolment_token_days",
        "blobs", "s3_endpoint", "s3_bucket", "s3_prefix", "s3_region",
    ];

    public static CollectorOptions Load(string? path, string defaultDataDirectory)
    {
        var options = new CollectorOptions { DataDirectory = defaultDataDirectory };
        if (path is not null)
        {
            options = Apply(path, options);
        }
        if (Environment.GetEnvironmentVariable(PostgresEnvironmentVariable) is { Length: > 0 } connection)
        {
            options = options with { MetadataProvider = "postgres", PostgresConnectionString = connection };
        }
        if (options.MetadataProvider == "postgres" && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            throw new ConfigException($"{path ?? "configuration"}: metadata is postgres but no connection string is given (field 'postgres' or ${PostgresEnvironmentVariable})");
        }
        if (options.BlobProvider == "s3" && (options.S3Endpoint is null || options.S3Bucket is null))
        {
            throw new ConfigException($"{path ?? "configuration"}: blobs is s3 but 's3_endpoint' or 's3_bucket' is missing");
        }
        return options;
    }

    private static CollectorOptions Apply(string path, CollectorOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new ConfigException($"{path}: line {ex.LineNumber + 1}: not valid JSON: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException($"{path}: expected a JSON object");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var field = property.Name;
                var value = property.Value;
                options = field switch
                {
                    "data" => options with { DataDirectory = Path.GetFullPath(String(path, field, value), Path.GetDirectoryName(Path.GetFullPath(path))!) },
                    "listen" => WithListen(options, path, String(path, field, value)),
                    "metadata" => String(path, field, value) is "sqlite" or "postgres" ? options with { MetadataProvider = value.GetString()! }
                        : throw new ConfigException($"{path}: field 'metadata': expected \"sqlite\" or \"postgres\""),
                    "postgres" => options with { PostgresConnectionString = String(path, field, value) },
                    "blobs" => String(path, field, value) is "filesystem" or "s3" ? options with { BlobProvider = value.GetString()! }
                        : throw new ConfigException($"{path}: field 'blobs': expected \"filesystem\" or \"s3\""),
                    "s3_endpoint" => Uri.TryCreate(String(path, field, value), UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"
                        ? options with { S3Endpoint = endpoint.ToString() }
                        : throw new ConfigException($"{path}: field 's3_endpoint': expected an http(s) URL"),
                    "s3_bucket" => options with { S3Bucket = String(path, field, value) },
                    "s3_prefix" => options with { S3Prefix = String(path, field, value) },
                    "s3_region" => options with { S3Region = String(path, field, value) },
                    "dev_cert" => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? options with { UseDevelopmentCertificate = value.GetBoolean() }
                        : throw new ConfigException($"{path}: field 'dev_cert': expected true or false"),
                    "max_chunk_bytes" => options with { MaxChunkBytes = Int(path, field, value, 64 * 1024, 64 * 1024 * 1024) },
                    "device_requests_per_second" => options with { DeviceRequestsPerSecond = Int(path, field, value, 1, 100_000) },
                    "retention_interval_minutes" => options with { RetentionInterval = TimeSpan.FromMinutes(Int(path, field, value, 0, 7 * 24 * 60)) },
                    "abandoned_upload_days" => options with { AbandonedUploadAge = TimeSpan.FromDays(Int(path, field, value, 1, 3650)) },
                    "enrolment_token_days" => options with { EnrolmentTokenLifetime = TimeSpan.FromDays(Int(path, field, value, 1, 365)) },
                    _ => throw new ConfigException($"{path}: unknown field '{field}' (known: {string.Join(", ", Fields)})"),
                };
            }
        }
        return options;
    }

    /// <summary>"ADDRESS:PORT", e.g. 127.0.0.1:8470 or [::1]:8470.</summary>
    public static CollectorOptions WithListen(CollectorOptions options, string where, string listen)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IPEndPoint.TryParse(listen, out var endpoint) || !listen.Contains(':', StringComparison.Ordinal))
        {
            throw new ConfigException($"{where}: listen '{listen}': expected ADDRESS:PORT, e.g. 127.0.0.1:8470");
        }
        return options with { ListenAddress = endpoint.Address, Port = endpoint.Port };
    }

    private static string String(string path, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text
            : throw new ConfigException($"{path}: field '{field}': expected a non-empty string");

    private static int Int(string path, string field, JsonElement value, int min, int max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max ? number
            : throw new ConfigException(string.Create(CultureInfo.InvariantCulture, $"{path}: field '{field}': expected an integer {min}..{max}"));
}

public sealed class ConfigException(string message) : Exception(message);
