namespace Understudy.Collector.Blobs;

/// <summary>
/// Where the collector keeps bytes: chunks while an upload is open, then the session bundle.
/// Everything it holds is ciphertext. Keys are paths of lowercase names
/// (<see cref="BlobKeys"/>); a put is atomic (the object is whole or absent) and durable when it returns.
/// </summary>
public interface IBlobStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellation);

    /// <summary>Writes an object from a stream; used for bundles assembled from many chunks.</summary>
    Task PutStreamAsync(string key, Stream content, CancellationToken cancellation);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellation);

    Task<long?> LengthAsync(string key, CancellationToken cancellation);

    Task DeleteAsync(string key, CancellationToken cancellation);

    /// <summary>Deletes every object under <paramref name="prefix"/>/.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellation);
}

/// <summary>The blob store could not be reached or could not do what was asked.</summary>
public sealed class BlobStoreException(string message, Exception? inner = null) : Exception(message, inner);

public static partial class BlobKeys
{
    public static string Chunk(string uploadId, int index) => $"uploads/{uploadId}/chunk-{index:D6}";

    public static string ChunkFolder(string uploadId) => $"uploads/{uploadId}";

    public static string Bundle(string uploadId) => $"sessions/{uploadId}/bundle";

    public static string SessionFolder(string uploadId) => $"sessions/{uploadId}";

    public static bool IsValid(string key) => KeyPattern().IsMatch(key) && !key.Contains("..", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,99}(/[a-z0-9][a-z0-9_.-]{0,99}){0,4}$")]
    private static partial System.Text.RegularExpressions.Regex KeyPattern();
}
