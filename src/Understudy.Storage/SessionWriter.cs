using System.Runtime.ExceptionServices;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// Records one session. Single-threaded: one caller appends, flushes and closes. Only
/// <see cref="Blobs"/> may be used from other threads.
///
/// Events are encoded into an in-memory frame as they are appended; <see cref="Flush"/> seals
/// that frame and writes it, <see cref="Sync"/> makes it durable. The caller chooses the cadence
/// (typically a flush every 250 ms–1 s and a sync every few seconds): whatever was flushed
/// survives a crash of this process, whatever was synced survives a crash of the machine.
///
/// Disposing without <see cref="Close"/> flushes what it can and releases the lock but leaves
/// the manifest saying "recording", so the session is reported as interrupted: nobody said how
/// it ended.
/// </summary>
public sealed class SessionWriter : IDisposable
{
    private const int KindSlots = 32;

    private readonly Manifest _manifest;
    private readonly SessionLock _lock;
    private readonly LogWriter _log;
    private readonly SessionBlobStore _blobs;
    private readonly TimeProvider _time;
    private readonly EventBatchEncoder _pending = new();
    private readonly long[] _pendingCountsByKind = new long[KindSlots];
    private readonly long[] _writtenCountsByKind = new long[KindSlots];
    private long _nextSeq;
    private bool _closed;
    private bool _released;

    internal SessionWriter(string id, string directoryPath, Manifest manifest, SessionLock sessionLock, LogWriter log, SessionBlobStore blobs, TimeProvider time)
    {
        Id = id;
        DirectoryPath = directoryPath;
        _manifest = manifest;
        _lock = sessionLock;
        _log = log;
        _blobs = blobs;
        _time = time;
    }

    public string Id { get; }

    public string DirectoryPath { get; }

    /// <summary>
    /// The session's encrypted frame store. Thread-safe; stop putting blobs before closing the
    /// session, as closing forgets the key (a later put throws <see cref="ObjectDisposedException"/>).
    /// </summary>
    public IBlobStore Blobs => _blobs;

    /// <summary>Size of events.log up to the end of the last frame written.</summary>
    public long BytesWritten => _log.Length;

    /// <summary>Events in frames written to the log (not counting those still buffered).</summary>
    public long EventsWritten => _log.NextSeq;

    /// <summary>
    /// Buffers one event. Seqs must be gapless from 0. Normally no I/O happens here; only when
    /// the buffered frame reaches its size limit is it flushed first, so this can then throw
    /// <see cref="StorageException"/> like <see cref="Flush"/>.
    /// </summary>
    public void Append(SessionEvent sessionEvent)
    {
        ThrowIfFinished();
        ArgumentNullException.ThrowIfNull(sessionEvent);
        if (sessionEvent.Seq != _nextSeq)
        {
            throw new InvalidOperationException(
                $"session {Id}: event seq {sessionEvent.Seq} breaks the sequence, expected {_nextSeq} (seqs must be gapless from 0)");
        }
        if (_pending.Count >= LogFormat.MaxEventsPerFrame || _pending.Length >= LogFormat.FlushThresholdBytes)
        {
            FlushPending();
        }
        _pending.Append(sessionEvent, LogFormat.MaxPayloadLength);
        _pendingCountsByKind[(int)sessionEvent.Kind]++;
        _nextSeq++;
    }

    /// <summary>
    /// Encrypts the buffered events as one frame and writes it with a single write (no fsync).
    /// No-op when nothing is buffered. On failure the log is cut back to its last good frame,
    /// the events stay buffered for the next attempt, and a <see cref="StorageException"/> says
    /// why ("disk full while writing …").
    /// </summary>
    public void Flush()
    {
        ThrowIfFinished();
        FlushPending();
    }

    /// <summary>fsyncs the log: every frame written so far survives power loss.</summary>
    public void Sync()
    {
        ThrowIfFinished();
        _log.Sync();
    }

    /// <summary>
    /// Records what the session turned out to be able to capture (e.g. the accessibility bus was
    /// not there), once its sources have started. Rewrites the manifest atomically.
    /// </summary>
    public void UpdateCapabilities(SessionCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        SessionStore.ValidateCapabilities(capabilities);
        ThrowIfFinished();
        _manifest.Capabilities = SessionStore.ToManifest(capabilities);
        ManifestFile.Write(DirectoryPath, _manifest);
    }

    /// <summary>
    /// Flushes, syncs, and marks the session complete in the manifest with its end time, counts
    /// and end reason, then releases the lock. If the final flush fails the manifest is still
    /// completed with what the log holds, and the flush error is rethrown.
    /// </summary>
    public void Close(SessionEndInfo end)
    {
        ArgumentNullException.ThrowIfNull(end);
        ManifestTokens.Validate(end.EndReason, nameof(end.EndReason));
        ArgumentOutOfRangeException.ThrowIfNegative(end.DroppedInput);
        ThrowIfFinished();
        _closed = true;

        ExceptionDispatchInfo? flushFailure = null;
        try
        {
            try
            {
                FlushPending();
                _log.Sync();
            }
            catch (StorageException ex)
            {
                flushFailure = ExceptionDispatchInfo.Capture(ex);
            }

            _manifest.EndedAt = _time.GetUtcNow();
            _manifest.Status = Manifest.CompleteStatus;
            _manifest.EventCount = EventsWritten;
            _manifest.CountsByKind = WrittenCountsByWireName();
            _manifest.DroppedInput = end.DroppedInput;
            _manifest.EndReason = end.EndReason;
            ManifestFile.Write(DirectoryPath, _manifest);
        }
        finally
        {
            Release();
        }
        flushFailure?.Throw();
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }
        if (!_closed)
        {
            try
            {
                FlushPending();
                _log.Sync();
            }
            catch (StorageException)
            {
                // Dispose must not mask the exception that is usually unwinding past it; the
                // log is still clean up to its last good frame.
            }
        }
        Release();
    }

    /// <summary>Drops everything as a killed process would: no flush, no manifest update, lock released.</summary>
    internal void SimulateCrash()
    {
        _closed = true;
        Release();
    }

    private void FlushPending()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        _log.WriteFrame(_pending.Encoded, _pending.FirstSeq, _pending.Count);
        for (var kind = 0; kind < KindSlots; kind++)
        {
            _writtenCountsByKind[kind] += _pendingCountsByKind[kind];
            _pendingCountsByKind[kind] = 0;
        }
        _pending.Reset();
    }

    private SortedDictionary<string, long> WrittenCountsByWireName()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var kind = 0; kind < KindSlots; kind++)
        {
            if (_writtenCountsByKind[kind] > 0)
            {
                counts[((EventKind)kind).ToWireName()] = _writtenCountsByKind[kind];
            }
        }
        return counts;
    }

    private void ThrowIfFinished()
    {
        if (_closed)
        {
            throw new InvalidOperationException($"session {Id} is closed");
        }
        ObjectDisposedException.ThrowIf(_released, this);
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        _pending.Dispose();
        _log.Dispose();
        _blobs.Dispose();
        // Last: while the lock is held nobody can delete the session or call it interrupted.
        _lock.Dispose();
    }
}
