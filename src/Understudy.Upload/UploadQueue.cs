using System.Security.Cryptography;
using System.Text.Json;
using Understudy.Storage;

namespace Understudy.Upload;

/// <summary>Limits of the recorder's outbox and of one run's retrying. Defaults are explicit so they can be documented.</summary>
public sealed record UploadQueueOptions
{
    /// <summary>At most this many sealed sessions wait in the outbox; beyond it sessions stay in the store, unsealed, until there is room.</summary>
    public int MaxQueuedSessions { get; init; } = 16;

    /// <summary>At most this many bytes of bundles wait in the outbox.</summary>
    public long MaxQueuedBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    public int ChunkSize { get; init; } = SessionSealer.DefaultChunkSize;

    /// <summary>How long a session waits after it ended before it may leave the machine (the policy's review hold).</summary>
    public TimeSpan ReviewHold { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Attempts per call before a transient failure ends the run (the session stays queued for the next run).</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What one run did: sessions completed on the collector, still queued, held back, and the last problem.</summary>
public sealed record UploadRunReport(IReadOnlyList<string> Uploaded, IReadOnlyList<string> Queued, IReadOnlyList<string> Held, IReadOnlyList<string> Problems);

/// <summary>
/// The recorder's bounded outbox (<c>&lt;data&gt;/outbox</c>): complete sessions past their
/// review hold are sealed into it while there is room, then uploaded chunk by chunk. Every step
/// can be repeated: the collector keeps chunks by (upload, index, sha256), so a chunk sent twice
/// is stored once, and a run that stops anywhere resumes from the chunks the collector reports.
/// A session leaves the outbox only after the collector has verified it complete.
/// </summary>
public sealed class UploadQueue
{
    public const string OutboxFolderName = "outbox";
    private const string DoneFolderName = "done";

    private readonly SessionStore _store;
    private readonly DeviceKey _deviceKey;
    private readonly DeviceCredential _credential;
    private readonly CollectorClient _client;
    private readonly UploadQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public UploadQueue(SessionStore store, DeviceKey deviceKey, DeviceCredential credential, CollectorClient client, UploadQueueOptions options,
        TimeProvider? time = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _deviceKey = deviceKey ?? throw new ArgumentNullException(nameof(deviceKey));
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((span, token) => Task.Delay(span, token));
        OutboxDirectory = Path.Combine(store.DataDirectoryPath, OutboxFolderName);
    }

    public string OutboxDirectory { get; }

    /// <summary>Ids of sessions the collector has verified complete.</summary>
    public IReadOnlySet<string> UploadedSessions()
    {
        var done = Path.Combine(OutboxDirectory, DoneFolderName);
        return Directory.Exists(done)
            ? Directory.EnumerateFiles(done).Select(Path.GetFileName).OfType<string>().Where(SessionId.IsValid).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Sessions sealed and waiting, oldest first.</summary>
    public IReadOnlyList<string> QueuedSessions() =>
        Directory.Exists(OutboxDirectory)
            ? [.. Directory.EnumerateFiles(OutboxDirectory, "*.request.json").Select(p => Path.GetFileName(p)[..^".request.json".Length]).Where(SessionId.IsValid).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// Seals what may leave (complete, past the hold, consent current per <paramref name="consentIsCurrent"/>)
    /// while the outbox has room, then uploads everything queued. Transient failures back off and
    /// end the run with the sessions still queued; nothing is lost or sent twice.
    /// </summary>
    public async Task<UploadRunReport> RunAsync(Func<bool> consentIsCurrent, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(consentIsCurrent);
        var held = new List<string>();
        var problems = new List<string>();
        if (!consentIsCurrent())
        {
            // Withdrawn or never given: nothing leaves the machine, and nothing waits sealed for
            // the collector either. The outbox is only derived data: the sessions themselves stay
            // in the store and are sealed again once consent is current.
            foreach (var queued in QueuedSessions())
            {
                Discard(queued);
            }
            return new UploadRunReport([], [], [], ["consent is not current on this machine; nothing was uploaded and the outbox was emptied"]);
        }
        FillOutbox(held, problems);
        var uploaded = new List<string>();
        foreach (var sessionId in QueuedSessions())
        {
            if (!Directory.Exists(Path.Combine(_store.SessionsDirectory, sessionId)))
            {
                // The donor deleted the session after it was sealed: its sealed copy goes too, unsent.
                Discard(sessionId);
                continue;
            }
            try
            {
                await UploadOneAsync(sessionId, cancellation).ConfigureAwait(false);
                uploaded.Add(sessionId);
            }
            catch (CollectorException ex)
            {
                problems.Add($"session {sessionId}: {ex.Message}");
                if (ex.Transient || ex.Status is System.Net.HttpStatusCode.Unauthorized)
                {
                    // The collector is away or this device is no longer accepted: later sessions would fail the same way.
                    break;
                }
            }
        }
        return new UploadRunReport(uploaded, QueuedSessions(), held, problems);
    }

    private void FillOutbox(List<string> held, List<string> problems)
    {
        var done = UploadedSessions();
        var queued = QueuedSessions().ToHashSet(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        foreach (var session in _store.List())
        {
            if (session.Status != SessionStatus.Complete || done.Contains(session.Id) || queued.Contains(session.Id))
            {
                continue;
            }
            if (session.EndedAt is not { } ended || ended + _options.ReviewHold > now)
            {
                held.Add(session.Id);
                continue;
            }
            if (queued.Count >= _options.MaxQueuedSessions || QueuedBytes() >= _options.MaxQueuedBytes)
            {
                // Full: the session waits in the store, where it is safe, until uploads drain the outbox.
                held.Add(session.Id);
                continue;
            }
            try
            {
                var sealedSession = SessionSealer.Seal(_store, _deviceKey, session.Id, _credential, OutboxDirectory, _options.ChunkSize);
                WriteRequest(sealedSession.Request);
                queued.Add(session.Id);
            }
            catch (Exception ex) when (ex is StorageException or IOException or UnauthorizedAccessException or FormatException)
            {
                problems.Add($"session {session.Id} could not be sealed: {ex.Message}");
            }
        }
    }

    private long QueuedBytes() =>
        Directory.Exists(OutboxDirectory) ? Directory.EnumerateFiles(OutboxDirectory, "*.bundle").Sum(p => new FileInfo(p).Length) : 0;

    private async Task UploadOneAsync(string sessionId, CancellationToken cancellation)
    {
        var request = ReadRequest(sessionId);
        try
        {
            await SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (CollectorException ex) when (ex.Code is "session_hash_mismatch" or "session_invalid")
        {
            // The collector discarded chunks that did not add up to this bundle (a chunk stored
            // from an earlier, different attempt): send the whole session once more from the start.
            await SendAsync(request, cancellation).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(CreateUploadRequest request, CancellationToken cancellation)
    {
        var bundlePath = Path.Combine(OutboxDirectory, request.SessionId + ".bundle");
        var status = await RetryAsync(() => _client.CreateUploadAsync(request, cancellation), cancellation).ConfigureAwait(false);
        if (status.State != UploadStates.Complete)
        {
            var have = status.ReceivedChunks.ToHashSet();
            var chunkCount = SessionSealer.ChunkCount(request.TotalBytes, request.ChunkSize);
            var buffer = new byte[request.ChunkSize];
            using (var bundle = new FileStream(bundlePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            {
                for (var index = 0; index < chunkCount; index++)
                {
                    if (have.Contains(index))
                    {
                        continue;
                    }
                    bundle.Position = (long)index * request.ChunkSize;
                    var length = (int)Math.Min(request.ChunkSize, request.TotalBytes - bundle.Position);
                    bundle.ReadExactly(buffer, 0, length);
                    var chunk = buffer.AsMemory(0, length);
                    var hash = Convert.ToHexStringLower(SHA256.HashData(chunk.Span));
                    var uploadId = status.UploadId;
                    try
                    {
                        await RetryAsync(() => _client.PutChunkAsync(uploadId, index, chunk, hash, cancellation), cancellation).ConfigureAwait(false);
                    }
                    catch (CollectorException ex) when (ex.Code == "chunk_conflict")
                    {
                        // The collector holds other bytes for this index; completing makes it
                        // check the whole, discard what does not belong, and say so.
                        break;
                    }
                }
            }
            status = await RetryAsync(() => _client.CompleteAsync(status.UploadId, cancellation), cancellation).ConfigureAwait(false);
        }
        MarkDone(request.SessionId, status.UploadId);
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellation)
    {
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (CollectorException ex) when (ex.Transient && attempt < _options.MaxAttempts)
            {
                // Full jitter: many devices coming back after an outage do not retry in step.
                var wait = TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(1, (int)Math.Max(2, backoff.TotalMilliseconds)));
                await _delay(wait, cancellation).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(_options.MaxBackoff.TotalMilliseconds, backoff.TotalMilliseconds * 2));
            }
        }
    }

    private void WriteRequest(CreateUploadRequest request)
    {
        var path = RequestPath(request.SessionId);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = FilePermissions.PrivateFile }))
        {
            JsonSerializer.Serialize(file, request, ProtocolJson.Options);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        UnixNative.FsyncDirectory(OutboxDirectory);
    }

    private CreateUploadRequest ReadRequest(string sessionId)
    {
        using var file = File.OpenRead(RequestPath(sessionId));
        return JsonSerializer.Deserialize<CreateUploadRequest>(file, ProtocolJson.Options)
            ?? throw new StorageException($"outbox entry of session {sessionId} is empty");
    }

    private void MarkDone(string sessionId, string uploadId)
    {
        var done = Path.Combine(OutboxDirectory, DoneFolderName);
        FilePermissions.CreatePrivateDirectory(done);
        File.WriteAllText(Path.Combine(done, sessionId), uploadId + "\n");
        UnixNative.FsyncDirectory(done);
        // The marker is durable before the bundle goes: a crash in between re-uploads nothing.
        File.Delete(RequestPath(sessionId));
        File.Delete(Path.Combine(OutboxDirectory, sessionId + ".bundle"));
    }

    private void Discard(string sessionId)
    {
        File.Delete(RequestPath(sessionId));
        File.Delete(Path.Combine(OutboxDirectory, sessionId + ".bundle"));
    }

    private string RequestPath(string sessionId) => Path.Combine(OutboxDirectory, sessionId + ".request.json");
}
