using System.Collections.Concurrent;
using System.Security.Cryptography;
using Understudy.Core.Capture;

namespace Understudy.Tests.Frames;

/// <summary>A blob store in memory: ids are plain SHA-256 of the content; Put can be made to fail like a full disk.</summary>
internal sealed class InMemoryBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private long _puts;
    private volatile bool _failPuts;

    public bool FailPuts
    {
        get => _failPuts;
        set => _failPuts = value;
    }

    public int Count => _blobs.Count;

    /// <summary>Put calls that stored something.</summary>
    public long Puts => Interlocked.Read(ref _puts);

    public string IdFor(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public bool Contains(string id) => _blobs.ContainsKey(id);

    public void Put(string id, ReadOnlySpan<byte> content)
    {
        if (_failPuts)
        {
            throw new BlobWriteException("no space left on device (test)");
        }
        if (_blobs.TryAdd(id, content.ToArray()))
        {
            Interlocked.Increment(ref _puts);
        }
    }

    public byte[] Get(string id) => _blobs[id];
}
