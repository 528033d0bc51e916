using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>
/// Random and mutated chunks (and upload requests) against the upload endpoint. Whatever comes
/// in, the collector answers 2xx or a 4xx with a structured error — never a 5xx, never a dropped
/// connection — stores only chunks that match their hashes, and never completes a session that
/// was not sent whole. Afterwards the real session still uploads and verifies.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private const int Iterations = 600;
    private readonly TestRecorder _recorder = new();
    private TestCollector _collector = null!;
    private Donor _donor = null!;

    public async Task InitializeAsync()
    {
        _collector = await TestCollector.StartAsync(StoreKind.Sqlite, o => o with { DeviceRequestsPerSecond = 100_000 });
        _donor = await _collector.EnrolledDonorAsync("alice", await _collector.StewardWithPolicyAsync());
    }

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _recorder.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_and_mutated_chunks_never_break_the_collector_or_complete_a_partial_session(int seed)
    {
        var random = new Random(seed);
        var upload = ManualUpload.Seal(_recorder, _donor, _recorder.Record(1500, frames: 1, seed: seed));
        using var device = new CollectorClient(_collector.Address, _donor.Credential.Credential);
        var uploadId = (await device.CreateUploadAsync(upload.Request, CancellationToken.None)).UploadId;
        using var http = _collector.Client(_donor.Credential.Credential);
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Iterations; i++)
        {
            using var request = Mutate(random, upload, uploadId);
            request.Headers.ExpectContinue = true;
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"iteration {i}: {request.Method} {request.RequestUri} got {status}: {body}");
            if (status >= 400)
            {
                var error = JsonSerializer.Deserialize<ErrorResponse>(body, ProtocolJson.Options);
                Assert.False(string.IsNullOrWhiteSpace(error?.Error), $"iteration {i}: {status} without an error code: {body}");
                Assert.False(string.IsNullOrWhiteSpace(error?.Message), $"iteration {i}: {status} without a message");
            }
        }
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 4, "the fuzzer should provoke several kinds of refusal: " + string.Join(", ", statuses));

        // Whatever was stored is whole and is what its hash says; nothing is complete yet. (A chunk
        // can only be judged against the session once all are there: a different body with its
        // own correct hash is stored for its index, and completion then refuses the whole.)
        var afterFuzz = await device.GetUploadAsync(uploadId, CancellationToken.None);
        Assert.Equal(UploadStates.Uploading, afterFuzz.State);
        foreach (var (index, sha) in await _collector.Service.Metadata.ChunkHashesAsync(uploadId, CancellationToken.None))
        {
            await using var chunk = await _collector.Service.Blobs.OpenReadAsync(CollectorService.ChunkKey(uploadId, index, sha), CancellationToken.None);
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(chunk!)));
        }
        Assert.Empty(await _collector.Service.Metadata.ListUploadsAsync(null, UploadStates.Complete, CancellationToken.None));

        // The recorder's queue then finishes the real session, starting over if the whole does not match.
        using var queueClient = new CollectorClient(_collector.Address, _donor.Credential.Credential);
        var outbox = Path.Combine(_recorder.DataPath, UploadQueue.OutboxFolderName);
        Directory.CreateDirectory(outbox);
        var queue = new UploadQueue(_recorder.Store, _recorder.Key, _donor.Credential, queueClient,
            new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = upload.Request.ChunkSize }, delay: (_, _) => Task.CompletedTask);
        File.WriteAllBytes(Path.Combine(outbox, upload.Request.SessionId + ".bundle"), upload.Bundle);
        File.WriteAllText(Path.Combine(outbox, upload.Request.SessionId + ".request.json"), JsonSerializer.Serialize(upload.Request, ProtocolJson.Options));
        var report = await queue.RunAsync(() => true, CancellationToken.None);
        Assert.Contains(upload.Request.SessionId, report.Uploaded);
        var stored = await _collector.Service.Metadata.GetUploadAsync(uploadId, CancellationToken.None);
        Assert.Equal(1501, (await _collector.Service.ReadSessionEventsAsync(stored!, CancellationToken.None)).Count);
    }

    private static HttpRequestMessage Mutate(Random random, ManualUpload upload, string uploadId)
    {
        var index = random.Next(upload.ChunkCount);
        var body = upload.Chunk(index).ToArray();
        var sha = ManualUpload.Sha(body);
        var path = $"v1/uploads/{uploadId}/chunks/{index}";
        switch (random.Next(12))
        {
            case 0: // a valid chunk (replays happen naturally)
                break;
            case 1: // bit flips, hash of the original
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                }
                break;
            case 2: // bit flips with a matching hash: a different body for the index
                body[random.Next(body.Length)] ^= 0xff;
                sha = ManualUpload.Sha(body);
                break;
            case 3: // truncated
                body = body[..random.Next(body.Length)];
                break;
            case 4: // extended
                body = [.. body, .. RandomNumberGenerator.GetBytes(random.Next(1, 4096))];
                break;
            case 5: // pure noise of a random length
                body = RandomNumberGenerator.GetBytes(random.Next(0, 3 * upload.Request.ChunkSize));
                sha = random.Next(2) == 0 ? ManualUpload.Sha(body) : sha;
                break;
            case 6: // hostile hash header
                sha = random.Next(3) switch { 0 => "", 1 => sha.ToUpperInvariant(), _ => sha[..^1] + "g" };
                break;
            case 7: // index outside the upload, or not a number
                path = $"v1/uploads/{uploadId}/chunks/{random.Next(4) switch { 0 => "-1", 1 => int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), 2 => "1e3", _ => (upload.ChunkCount + random.Next(100)).ToString(System.Globalization.CultureInfo.InvariantCulture) }}";
                break;
            case 8: // another upload id, well-formed or not
                path = $"v1/uploads/{(random.Next(2) == 0 ? "up_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) : "..%2F..%2Fetc")}/chunks/{index}";
                break;
            case 9: // the wrong method or a JSON body on the binary endpoint
                return new HttpRequestMessage(random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Delete, path) { Content = new StringContent("{\"index\":1}", Encoding.UTF8, "application/json") };
            case 10: // random JSON at the create endpoint
                return new HttpRequestMessage(HttpMethod.Post, "v1/uploads") { Content = new StringContent(RandomJson(random, upload), Encoding.UTF8, "application/json") };
            default: // complete before everything is there
                return new HttpRequestMessage(HttpMethod.Post, $"v1/uploads/{uploadId}/complete");
        }
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (sha.Length > 0)
        {
            content.Headers.TryAddWithoutValidation(ProtocolJson.ChunkHashHeader, sha);
        }
        return new HttpRequestMessage(HttpMethod.Put, path) { Content = content };
    }

    private static string RandomJson(Random random, ManualUpload upload)
    {
        var node = JsonSerializer.SerializeToNode(upload.Request, ProtocolJson.Options)!.AsObject();
        var fields = node.Select(p => p.Key).ToList();
        var field = fields[random.Next(fields.Count)];
        node[field] = random.Next(6) switch
        {
            0 => null,
            1 => -1,
            2 => new string('x', random.Next(0, 5000)),
            3 => long.MaxValue,
            4 => new System.Text.Json.Nodes.JsonArray(1, 2, 3),
            _ => "2026-13-45T99:99:99Z",
        };
        var text = node.ToJsonString();
        return random.Next(4) == 0 ? text[..random.Next(text.Length)] : text;
    }
}
