using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>
/// Bad input and faults on the upload path: every refusal has the right status and a clear
/// error, nothing partial is ever complete, and a retry afterwards finishes the upload.
/// </summary>
public sealed class ChunkFaultTests : IAsyncLifetime
{
    private readonly TestRecorder _recorder = new();
    private TestCollector _collector = null!;
    private Donor _donor = null!;
    private CollectorClient _device = null!;
    private ManualUpload _upload = null!;
    private string _uploadId = "";

    public async Task InitializeAsync()
    {
        _collector = await TestCollector.StartAsync(StoreKind.Sqlite);
        var steward = await _collector.StewardWithPolicyAsync();
        _donor = await _collector.EnrolledDonorAsync("alice", steward);
        _device = new CollectorClient(_collector.Address, _donor.Credential.Credential);
        _upload = ManualUpload.Seal(_recorder, _donor, _recorder.Record(2000, frames: 2));
        Assert.True(_upload.ChunkCount > 8);
        _uploadId = (await _device.CreateUploadAsync(_upload.Request, CancellationToken.None)).UploadId;
    }

    public async Task DisposeAsync()
    {
        _device.Dispose();
        await _collector.DisposeAsync();
        _recorder.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Code, string Message)> PutRawAsync(int index, byte[] body, string? sha, string? credential = null, bool sendLength = true)
    {
        using var http = _collector.Client(credential ?? _donor.Credential.Credential);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"v1/uploads/{_uploadId}/chunks/{index}");
        HttpContent content = sendLength ? new ByteArrayContent(body) : new StreamContent(new NoLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (sha is not null)
        {
            content.Headers.Add(ProtocolJson.ChunkHashHeader, sha);
        }
        request.Content = content;
        // Lets the collector refuse by the headers before the body is sent, as a careful client would.
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return (response.StatusCode, "", text);
        }
        var error = JsonSerializer.Deserialize<ErrorResponse>(text, ProtocolJson.Options)!;
        return (response.StatusCode, error.Error, error.Message);
    }

    private async Task<UploadStatus> Status() => await _device.GetUploadAsync(_uploadId, CancellationToken.None);

    [Fact]
    public async Task Out_of_order_chunks_are_accepted_and_a_replayed_chunk_is_stored_once()
    {
        for (var i = _upload.ChunkCount - 1; i >= 0; i--)
        {
            Assert.True((await _upload.SendAsync(_device, _uploadId, i)).Stored);
        }
        var replay = await _upload.SendAsync(_device, _uploadId, 3);
        Assert.False(replay.Stored);
        var done = await _device.CompleteAsync(_uploadId, CancellationToken.None);
        Assert.Equal(UploadStates.Complete, done.State);
        // Replays after completion are answered clearly, and completing again is harmless.
        var late = await Assert.ThrowsAsync<CollectorException>(() => _upload.SendAsync(_device, _uploadId, 0));
        Assert.Equal(("upload_complete", HttpStatusCode.Conflict), (late.Code, late.Status));
        Assert.Equal(UploadStates.Complete, (await _device.CompleteAsync(_uploadId, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Malformed_truncated_oversized_and_misnumbered_chunks_are_refused_with_the_reason()
    {
        var chunk = _upload.Chunk(1).ToArray();
        var sha = ManualUpload.Sha(chunk);
        Assert.Equal((HttpStatusCode.BadRequest, "chunk_hash_missing"), Pick(await PutRawAsync(1, chunk, null)));
        Assert.Equal((HttpStatusCode.BadRequest, "chunk_hash_missing"), Pick(await PutRawAsync(1, chunk, "XYZ")));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "chunk_hash_mismatch"), Pick(await PutRawAsync(1, chunk, new string('0', 64))));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "chunk_length"), Pick(await PutRawAsync(1, chunk[..100], sha)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "chunk_truncated"), Pick(await PutRawAsync(1, chunk[..100], sha, sendLength: false)));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), Pick(await PutRawAsync(1, [.. chunk, 1, 2], sha)));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), Pick(await PutRawAsync(1, [.. chunk, 1, 2], sha, sendLength: false)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "chunk_index_out_of_range"), Pick(await PutRawAsync(_upload.ChunkCount, chunk, sha)));
        var oversize = new byte[_collector.Options.MaxChunkBytes + 128 * 1024];
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PutRawAsync(1, oversize, ManualUpload.Sha(oversize))).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), Pick(await PutRawAsync(1, chunk, sha, credential: "usd_" + new string('x', 43))));
        Assert.Empty((await Status()).ReceivedChunks);

        // A different body for a stored index is a conflict, not an overwrite.
        Assert.Equal(HttpStatusCode.OK, (await PutRawAsync(1, chunk, sha)).Status);
        var other = _upload.Chunk(2).ToArray();
        Assert.Equal((HttpStatusCode.Conflict, "chunk_conflict"), Pick(await PutRawAsync(1, other, ManualUpload.Sha(other))));
        Assert.Equal([1], (await Status()).ReceivedChunks);
    }

    [Fact]
    public async Task Completing_with_missing_chunks_is_refused_and_the_upload_resumes_from_what_the_collector_has()
    {
        for (var i = 0; i < _upload.ChunkCount; i += 2)
        {
            await _upload.SendAsync(_device, _uploadId, i);
        }
        var early = await Assert.ThrowsAsync<CollectorException>(() => _device.CompleteAsync(_uploadId, CancellationToken.None));
        Assert.Equal(("chunks_missing", HttpStatusCode.Conflict), (early.Code, early.Status));
        Assert.Contains("1, 3", early.Message, StringComparison.Ordinal);
        Assert.Equal(UploadStates.Uploading, (await Status()).State);

        // The recorder's queue asks what is there and sends only the rest.
        var resumed = await _device.CreateUploadAsync(_upload.Request, CancellationToken.None);
        Assert.Equal(_uploadId, resumed.UploadId);
        Assert.Equal(Enumerable.Range(0, _upload.ChunkCount).Where(i => i % 2 == 0), resumed.ReceivedChunks);
        foreach (var missing in Enumerable.Range(0, _upload.ChunkCount).Except(resumed.ReceivedChunks))
        {
            Assert.True((await _upload.SendAsync(_device, _uploadId, missing)).Stored);
        }
        Assert.Equal(UploadStates.Complete, (await _device.CompleteAsync(_uploadId, CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_session_whose_content_does_not_verify_is_never_marked_complete()
    {
        // Chunks that each match their own hash but whose whole differs from the declared bundle.
        var tampered = (byte[])_upload.Bundle.Clone();
        tampered[^5] ^= 0x40;
        for (var i = 0; i < _upload.ChunkCount; i++)
        {
            var chunk = tampered.AsMemory(i * _upload.Request.ChunkSize, (int)Math.Min(_upload.Request.ChunkSize, tampered.Length - ((long)i * _upload.Request.ChunkSize)));
            await _device.PutChunkAsync(_uploadId, i, chunk, ManualUpload.Sha(chunk), CancellationToken.None);
        }
        var refused = await Assert.ThrowsAsync<CollectorException>(() => _device.CompleteAsync(_uploadId, CancellationToken.None));
        Assert.Equal(("session_hash_mismatch", HttpStatusCode.UnprocessableEntity), (refused.Code, refused.Status));
        Assert.Equal(UploadStates.Uploading, (await Status()).State);
        Assert.Empty((await Status()).ReceivedChunks);
    }

    [Fact]
    public async Task A_bundle_with_a_forged_frame_is_refused_at_completion_even_with_a_matching_hash()
    {
        // A device that declares the hash of a damaged bundle: every hash matches, the content does not verify.
        var original = ManualUpload.Seal(_recorder, _donor, _recorder.Record(300, seed: 9));
        var forged = (byte[])original.Bundle.Clone();
        forged[200] ^= 0x01; // inside the first frame of events.log
        var request = original.Request with { Sha256 = ManualUpload.Sha(forged) };
        var uploadId = (await _device.CreateUploadAsync(request, CancellationToken.None)).UploadId;
        for (var i = 0; i < original.ChunkCount; i++)
        {
            var chunk = forged.AsMemory(i * request.ChunkSize, (int)Math.Min(request.ChunkSize, forged.Length - ((long)i * request.ChunkSize)));
            await _device.PutChunkAsync(uploadId, i, chunk, ManualUpload.Sha(chunk), CancellationToken.None);
        }
        var refused = await Assert.ThrowsAsync<CollectorException>(() => _device.CompleteAsync(uploadId, CancellationToken.None));
        Assert.Equal(("session_invalid", HttpStatusCode.UnprocessableEntity), (refused.Code, refused.Status));
        Assert.Contains("damaged", refused.Message, StringComparison.Ordinal);
        Assert.Equal(UploadStates.Uploading, (await _device.GetUploadAsync(uploadId, CancellationToken.None)).State);
        Assert.Empty(await _collector.Service.Metadata.ListUploadsAsync(null, UploadStates.Complete, CancellationToken.None));
    }

    [Fact]
    public async Task Strict_validation_names_the_field()
    {
        using var http = _collector.Client(_donor.Credential.Credential);
        async Task<(HttpStatusCode, string)> Post(string json)
        {
            using var response = await http.PostAsync("v1/uploads", new StringContent(json, Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var valid = JsonSerializer.SerializeToNode(_upload.Request, ProtocolJson.Options)!.AsObject();
        var unknown = valid.DeepClone().AsObject();
        unknown["colour"] = "blue";
        var (status, body) = await Post(unknown.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("colour", body, StringComparison.Ordinal);
        var badSession = valid.DeepClone().AsObject();
        badSession["session_id"] = "../../etc/passwd";
        (status, body) = await Post(badSession.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("session_id", body, StringComparison.Ordinal);
        var missing = valid.DeepClone().AsObject();
        missing.Remove("sha256");
        (status, _) = await Post(missing.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var wrongKey = valid.DeepClone().AsObject();
        wrongKey["session_id"] = "20261123T063000Z-000000";
        (status, body) = await Post(wrongKey.ToJsonString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("sealed_key", body, StringComparison.Ordinal);
        (status, _) = await Post("{\"session_id\": ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        (status, _) = await Post(new string('[', 100_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task When_the_blob_store_fails_mid_upload_the_chunk_is_refused_with_503_and_a_retry_stores_it()
    {
        await _upload.SendAsync(_device, _uploadId, 0);
        // A real fault in the real store: the folder the chunks go to is replaced by a file.
        var folder = Path.Combine(_collector.Options.BlobDirectory, "uploads", _uploadId);
        Directory.Delete(folder, recursive: true);
        await File.WriteAllTextAsync(folder, "in the way");
        var failed = await Assert.ThrowsAsync<CollectorException>(() => _upload.SendAsync(_device, _uploadId, 1));
        Assert.Equal(("blob_store_unavailable", HttpStatusCode.ServiceUnavailable, true), (failed.Code, failed.Status, failed.Transient));
        Assert.Equal([0], (await Status()).ReceivedChunks);
        File.Delete(folder);

        // Chunk 0's bytes went with the folder: completion notices and says so rather than storing a partial session.
        for (var i = 1; i < _upload.ChunkCount; i++)
        {
            await _upload.SendAsync(_device, _uploadId, i);
        }
        var incomplete = await Assert.ThrowsAsync<CollectorException>(() => _device.CompleteAsync(_uploadId, CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, incomplete.Status);
        Assert.Equal(UploadStates.Uploading, (await Status()).State);
    }

    private static (HttpStatusCode, string) Pick((HttpStatusCode Status, string Code, string Message) result)
    {
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        return (result.Status, result.Code);
    }

    /// <summary>A body sent chunked, without Content-Length, so the collector must count itself.</summary>
    private sealed class NoLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
