using System.Net;
using Understudy.Collector.Tests.Support;

namespace Understudy.Collector.Tests;

/// <summary>The configuration file: strict fields, each error naming the file and the field; plain HTTP only on loopback.</summary>
public sealed class ConfigTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string Write(string json)
    {
        var path = _root.Combine("collector.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_full_file_sets_every_option()
    {
        var path = Write("""
            {"data": "d", "listen": "127.0.0.1:9000", "metadata": "postgres", "postgres": "Host=127.0.0.1",
             "max_chunk_bytes": 1048576, "device_requests_per_second": 10, "retention_interval_minutes": 5,
             "abandoned_upload_days": 3, "enrolment_token_days": 2,
             "blobs": "s3", "s3_endpoint": "http://127.0.0.1:9001", "s3_bucket": "b", "s3_prefix": "p", "s3_region": "eu-west-1"}
            """);
        var options = CollectorConfigFile.Load(path, "/default");
        Assert.Equal(_root.Combine("d"), options.DataDirectory);
        Assert.Equal((IPAddress.Loopback, 9000), (options.ListenAddress, options.Port));
        Assert.Equal(("postgres", "Host=127.0.0.1"), (options.MetadataProvider, options.PostgresConnectionString));
        Assert.Equal((1048576, 10), (options.MaxChunkBytes, options.DeviceRequestsPerSecond));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromDays(3), TimeSpan.FromDays(2)), (options.RetentionInterval, options.AbandonedUploadAge, options.EnrolmentTokenLifetime));
        Assert.Equal(("s3", "http://127.0.0.1:9001/", "b", "p", "eu-west-1"), (options.BlobProvider, options.S3Endpoint, options.S3Bucket, options.S3Prefix, options.S3Region));
    }

    [Theory]
    [InlineData("""{"colour": "blue"}""", "unknown field 'colour'")]
    [InlineData("""{"listen": "localhost"}""", "listen 'localhost'")]
    [InlineData("""{"metadata": "mysql"}""", "field 'metadata'")]
    [InlineData("""{"metadata": "postgres"}""", "no connection string")]
    [InlineData("""{"max_chunk_bytes": 12}""", "field 'max_chunk_bytes'")]
    [InlineData("""{"blobs": "s3", "s3_endpoint": "http://127.0.0.1:1"}""", "'s3_bucket' is missing")]
    [InlineData("""{"s3_endpoint": "ftp://x"}""", "field 's3_endpoint'")]
    [InlineData("""{"dev_cert": "yes"}""", "field 'dev_cert'")]
    [InlineData("""{"data": 5}""", "field 'data'")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"listen": """, "not valid JSON")]
    public void A_bad_file_is_refused_naming_the_file_and_the_field(string json, string expected)
    {
        var path = Write(json);
        var error = Assert.Throws<ConfigException>(() => CollectorConfigFile.Load(path, "/default"));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_plain_http_off_loopback_and_a_bad_config_with_exit_2()
    {
        var offLoopback = await SubjectAccessTests.RunCliAsync("serve", "--data", _root.Combine("c"), "--listen", "0.0.0.0:0");
        Assert.Equal(2, offLoopback.Code);
        Assert.Contains("loopback only", offLoopback.Error, StringComparison.Ordinal);
        var badConfig = await SubjectAccessTests.RunCliAsync("serve", "--config", Write("""{"colour": 1}"""));
        Assert.Equal(2, badConfig.Code);
        Assert.Contains("colour", badConfig.Error, StringComparison.Ordinal);
    }
}
