using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Understudy.Collector.Blobs;

/// <summary>
/// Blobs in any S3-compatible store, one object per key under an optional prefix. A PUT is
/// atomic in S3 (an object is whole or absent), and durable when it is acknowledged. Credentials
/// come from the SDK's usual chain ($AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY, profiles, roles),
/// never from the collector's configuration file.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3BlobStore(string serviceUrl, string bucket, string? prefix, string region, AWSCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        var config = new AmazonS3Config
        {
            ServiceURL = serviceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = region,
            // Only what S3 itself requires: compatible stores do not all know the newer checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(60),
            MaxErrorRetry = 2,
        };
        _client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        _bucket = bucket;
        _prefix = string.IsNullOrEmpty(prefix) ? "" : prefix.TrimEnd('/') + "/";
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellation)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await PutStreamAsync(key, stream, cancellation).ConfigureAwait(false);
    }

    public Task PutStreamAsync(string key, Stream content, CancellationToken cancellation) =>
        CallAsync(key, "write", async () =>
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = ObjectKey(key),
                InputStream = content,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                ContentType = "application/octet-stream",
            }, cancellation).ConfigureAwait(false);
            return true;
        });

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellation) =>
        CallAsync<Stream?>(key, "read", async () =>
        {
            try
            {
                using var response = await _client.GetObjectAsync(_bucket, ObjectKey(key), cancellation).ConfigureAwait(false);
                // Copied out so the HTTP response is released at once; objects are chunks and bundles
                // the collector reads whole anyway.
                var copy = new MemoryStream();
                await response.ResponseStream.CopyToAsync(copy, cancellation).ConfigureAwait(false);
                copy.Position = 0;
                return copy;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });

    public Task<long?> LengthAsync(string key, CancellationToken cancellation) =>
        CallAsync<long?>(key, "inspect", async () =>
        {
            try
            {
                var metadata = await _client.GetObjectMetadataAsync(_bucket, ObjectKey(key), cancellation).ConfigureAwait(false);
                return metadata.ContentLength;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });

    public Task DeleteAsync(string key, CancellationToken cancellation) =>
        CallAsync(key, "delete", async () =>
        {
            await _client.DeleteObjectAsync(_bucket, ObjectKey(key), cancellation).ConfigureAwait(false);
            return true;
        });

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellation) =>
        CallAsync(prefix, "delete", async () =>
        {
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = ObjectKey(prefix) + "/" };
            ListObjectsV2Response page;
            do
            {
                page = await _client.ListObjectsV2Async(request, cancellation).ConfigureAwait(false);
                foreach (var item in page.S3Objects ?? [])
                {
                    await _client.DeleteObjectAsync(_bucket, item.Key, cancellation).ConfigureAwait(false);
                }
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
            return true;
        });

    private string ObjectKey(string key) =>
        BlobKeys.IsValid(key) ? _prefix + key : throw new ArgumentException($"invalid blob key '{key}'", nameof(key));

    private async Task<T> CallAsync<T>(string key, string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            throw new BlobStoreException($"S3 bucket {_bucket}: cannot {what} {key}: {ex.Message}", ex);
        }
    }

    public void Dispose() => _client.Dispose();
}
