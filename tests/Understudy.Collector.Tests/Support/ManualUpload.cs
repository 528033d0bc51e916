using System.Security.Cryptography;
using Understudy.Upload;

namespace Understudy.Collector.Tests.Support;

/// <summary>A session sealed by the real sealer, sent chunk by chunk by hand, so tests can send chunks wrong.</summary>
internal sealed class ManualUpload
{
    private ManualUpload(byte[] bundle, CreateUploadRequest request)
    {
        Bundle = bundle;
        Request = request;
    }

    public byte[] Bundle { get; }

    public CreateUploadRequest Request { get; }

    public int ChunkCount => SessionSealer.ChunkCount(Request.TotalBytes, Request.ChunkSize);

    public static ManualUpload Seal(TestRecorder recorder, Donor donor, string sessionId, int chunkSize = 1024)
    {
        var outbox = Path.Combine(recorder.DataPath, "manual-outbox");
        var sealedSession = SessionSealer.Seal(recorder.Store, recorder.Key, sessionId, donor.Credential, outbox, chunkSize);
        return new ManualUpload(File.ReadAllBytes(sealedSession.BundlePath), sealedSession.Request);
    }

    public ReadOnlyMemory<byte> Chunk(int index) =>
        Bundle.AsMemory(index * Request.ChunkSize, (int)Math.Min(Request.ChunkSize, Bundle.Length - ((long)index * Request.ChunkSize)));

    public static string Sha(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes.Span));

    public Task<ChunkResponse> SendAsync(CollectorClient client, string uploadId, int index) =>
        client.PutChunkAsync(uploadId, index, Chunk(index), Sha(Chunk(index)), CancellationToken.None);
}
