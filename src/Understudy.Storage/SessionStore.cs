using System.Security.Cryptography;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// The sessions under &lt;data&gt;/sessions/&lt;id&gt;/, each a plaintext manifest.json, an
/// encrypted events.log and a writer.lock. Session ids from callers are validated before any
/// path is built from them.
/// </summary>
public sealed class SessionStore
{
    internal const string SessionsFolderName = "sessions";
    private const int MaxIdAttempts = 8;

    private readonly DeviceKey _deviceKey;
    private readonly TimeProvider _time;
    private readonly Func<Stream, Stream>? _wrapLogOutput;
    private readonly Func<Stream, Stream>? _wrapBlobOutput;

    public SessionStore(string dataDirectory, DeviceKey deviceKey)
        : this(dataDirectory, deviceKey, TimeProvider.System, wrapLogOutput: null)
    {
    }

    /// <summary>
    /// <paramref name="wrapLogOutput"/> and <paramref name="wrapBlobOutput"/> let tests put a
    /// failing stream between the writer and events.log or a blob file.
    /// </summary>
    internal SessionStore(string dataDirectory, DeviceKey deviceKey, TimeProvider time, Func<Stream, Stream>? wrapLogOutput, Func<Stream, Stream>? wrapBlobOutput = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(deviceKey);
        ArgumentNullException.ThrowIfNull(time);
        DataDirectoryPath = Path.GetFullPath(dataDirectory);
        SessionsDirectory = Path.Combine(DataDirectoryPath, SessionsFolderName);
        _deviceKey = deviceKey;
        _time = time;
        _wrapLogOutput = wrapLogOutput;
        _wrapBlobOutput = wrapBlobOutput;
    }

    public string DataDirectoryPath { get; }

    public string SessionsDirectory { get; }

    /// <summary>The id of the device key this store opens sessions with; sessions recorded under another cannot be read.</summary>
    public string DeviceKeyId => _deviceKey.KeyId;

    /// <summary>Called by <see cref="Delete"/> after the manifest is shredded and before any file is removed.</summary>
    internal Action<string>? AfterShredForTesting { get; set; }

    /// <summary>
    /// Starts a new session: creates its directory (0700), takes its writer lock, writes the
    /// manifest with a fresh data key sealed under the device key, and creates the log.
    /// </summary>
    public SessionWriter Create(SessionStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        ManifestTokens.Validate(start.Backend, nameof(start.Backend));
        ArgumentNullException.ThrowIfNull(start.AllowApps);
        if (start.AllowApps.Any(app => app is null))
        {
            throw new ArgumentException("allow-apps entries must not be null", nameof(start));
        }
        if (start.Screen is { } screen && (screen.Width <= 0 || screen.Height <= 0))
        {
            throw new ArgumentException("screen size must be positive", nameof(start));
        }
        if (start.Capabilities is { } capabilities)
        {
            ValidateCapabilities(capabilities);
        }

        DataDirectory.EnsureExists(DataDirectoryPath);
        CreateDirectoryOrThrow(SessionsDirectory);
        for (var attempt = 0; attempt < MaxIdAttempts; attempt++)
        {
            var createdAt = _time.GetUtcNow();
            var id = SessionId.New(createdAt);
            var directory = Path.Combine(SessionsDirectory, id);
            if (Directory.Exists(directory))
            {
                // Never reuse a directory, even one whose lock file is gone: that would
                // overwrite another session's manifest and with it its data key.
                continue;
            }
            CreateDirectoryOrThrow(directory);
            var lockPath = Path.Combine(directory, SessionLock.FileName);
            SessionLock sessionLock;
            try
            {
                sessionLock = SessionLock.CreateNew(lockPath);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                // Another writer created the same id at the same instant: the lock file is the claim.
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StorageException($"cannot create {lockPath}: {ex.Message}", ex);
            }
            return Start(id, directory, createdAt, start, sessionLock);
        }
        throw new StorageException($"could not find an unused session id in {SessionsDirectory}");
    }

    private SessionWriter Start(string id, string directory, DateTimeOffset createdAt, SessionStartInfo start, SessionLock sessionLock)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyWrapping.DataKeySize);
        LogWriter? log = null;
        try
        {
            var manifest = new Manifest
            {
                FormatVersion = Manifest.CurrentFormatVersion,
                Id = id,
                CreatedAt = createdAt,
                Status = Manifest.RecordingStatus,
                Backend = start.Backend,
                Screen = start.Screen is { } size ? new ManifestScreen { Width = size.Width, Height = size.Height } : null,
                Capabilities = start.Capabilities is { } capabilities ? ToManifest(capabilities) : null,
                AllowApps = [.. start.AllowApps],
                DeviceKeyId = _deviceKey.KeyId,
                WrappedDataKey = Convert.ToBase64String(DataKeyWrapping.Wrap(_deviceKey, id, dataKey)),
            };
            ManifestFile.Write(directory, manifest);
            log = LogWriter.Create(Path.Combine(directory, LogFormat.FileName), id, dataKey, _wrapLogOutput);
            UnixNative.FsyncDirectory(directory);
            UnixNative.FsyncDirectory(SessionsDirectory);
            return new SessionWriter(id, directory, manifest, sessionLock, log, new SessionBlobStore(id, directory, dataKey, _wrapBlobOutput), _time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            log?.Dispose();
            sessionLock.Dispose();
            TryDeleteDirectory(directory);
            throw ex as StorageException ?? new StorageException($"cannot create session in {directory}: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>All sessions, oldest first. A session whose manifest cannot be read is listed as damaged, never thrown.</summary>
    public IReadOnlyList<SessionInfo> List()
    {
        if (!Directory.Exists(SessionsDirectory))
        {
            return [];
        }
        List<string> ids;
        try
        {
            ids = [.. Directory.EnumerateDirectories(SessionsDirectory).Select(Path.GetFileName).OfType<string>().Where(SessionId.IsValid)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot list {SessionsDirectory}: {ex.Message}", ex);
        }
        return
        [
            .. ids
                .Select(id => (Id: id, Directory: Path.Combine(SessionsDirectory, id)))
                .Where(session => Directory.Exists(session.Directory)) // deleted while listing
                .Select(session => Describe(session.Id, session.Directory))
                .OrderBy(info => info.CreatedAt)
                .ThenBy(info => info.Id, StringComparer.Ordinal),
        ];
    }

    public SessionInfo Get(string id) => Describe(id, ExistingSessionDirectory(id));

    /// <summary>All events of the session's valid prefix, and where and why it ends early if it does.</summary>
    public SessionReadResult Read(string id)
    {
        var directory = ExistingSessionDirectory(id);
        var info = Describe(id, directory);
        var manifest = ReadManifestForEvents(id, directory);
        var events = new List<SessionEvent>();
        using var reader = OpenLog(id, directory, manifest);
        while (reader.TryReadFrame(out var batch, out _))
        {
            events.AddRange(batch!);
        }
        return new SessionReadResult(info, events, reader.Damage ?? CompareWithManifest(manifest, reader), reader.FrameCount);
    }

    /// <summary>
    /// Streams the valid prefix frame by frame; <paramref name="onDamage"/> is called once at the
    /// end if the log stops early. A missing session, a foreign key or a broken manifest throw
    /// here, before enumeration starts.
    /// </summary>
    public IEnumerable<SessionEvent> ReadEvents(string id, Action<SessionDamage>? onDamage = null)
    {
        var directory = ExistingSessionDirectory(id);
        var manifest = ReadManifestForEvents(id, directory);
        // Check the key opens now rather than on the first MoveNext; it is unsealed again there.
        CryptographicOperations.ZeroMemory(UnwrapDataKey(id, manifest));
        return Stream(id, directory, manifest, onDamage);
    }

    private IEnumerable<SessionEvent> Stream(string id, string directory, Manifest manifest, Action<SessionDamage>? onDamage)
    {
        using var reader = OpenLog(id, directory, manifest);
        while (reader.TryReadFrame(out var batch, out _))
        {
            foreach (var sessionEvent in batch!)
            {
                yield return sessionEvent;
            }
        }
        var damage = reader.Damage ?? CompareWithManifest(manifest, reader);
        if (damage is not null)
        {
            onDamage?.Invoke(damage);
        }
    }

    /// <summary>
    /// The decrypted content of one blob of a session. A missing blob, one that does not
    /// authenticate (damaged, or moved from another id or session) and a foreign key each throw
    /// a <see cref="StorageException"/> naming the session and the blob.
    /// </summary>
    public byte[] ReadBlob(string sessionId, string blobId)
    {
        var directory = ExistingSessionDirectory(sessionId);
        if (!BlobFormat.IsValidId(blobId))
        {
            throw new StorageException($"invalid blob id: expected {BlobFormat.IdLength} lowercase hex digits");
        }
        var manifest = ReadManifestForEvents(sessionId, directory);
        var dataKey = UnwrapDataKey(sessionId, manifest);
        try
        {
            var (content, problem) = OpenBlob(directory, sessionId, blobId, dataKey);
            return content ?? throw new StorageException($"session {sessionId}: blob {blobId} {problem}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Checks the whole log, and every blob its frame events reference. Problems are reported,
    /// not thrown (only a missing session or an invalid id throw). Without this session's key
    /// the frames are checked for structure only and blobs not at all.
    /// </summary>
    public VerifyReport Verify(string id)
    {
        var directory = ExistingSessionDirectory(id);
        string? error = null;
        Manifest? manifest = null;
        var dataKey = Array.Empty<byte>();
        try
        {
            manifest = ManifestFile.Read(directory, id);
            dataKey = UnwrapDataKey(id, manifest);
        }
        catch (StorageException ex)
        {
            error = ex.Message;
        }

        try
        {
            using var reader = LogReader.Open(Path.Combine(directory, LogFormat.FileName), id, dataKey);
            long events = 0;
            var referencedBlobs = new SortedSet<string>(StringComparer.Ordinal);
            while (reader.TryReadFrame(out var batch, out var count))
            {
                events += count;
                foreach (var frame in (batch ?? []).Select(e => e.Payload).OfType<FramePayload>())
                {
                    referencedBlobs.Add(frame.Blob);
                    if (frame.Base is { } baseBlob)
                    {
                        referencedBlobs.Add(baseBlob);
                    }
                }
            }
            var missingBlobs = new List<string>();
            var damagedBlobs = new List<string>();
            if (dataKey.Length > 0)
            {
                foreach (var blobId in referencedBlobs)
                {
                    var (content, problem) = OpenBlob(directory, id, blobId, dataKey);
                    if (content is not null)
                    {
                        CryptographicOperations.ZeroMemory(content);
                    }
                    else if (problem == MissingBlob)
                    {
                        missingBlobs.Add(blobId);
                    }
                    else
                    {
                        damagedBlobs.Add(blobId);
                    }
                }
            }
            var damage = reader.Damage ?? (manifest is null ? null : CompareWithManifest(manifest, reader));
            return new VerifyReport(
                id,
                Ok: damage is null && error is null && missingBlobs.Count == 0 && damagedBlobs.Count == 0,
                Frames: reader.FrameCount,
                Events: events,
                Bytes: reader.FileLength,
                ValidBytes: reader.Offset,
                LastSeq: events > 0 ? events - 1 : null,
                Damage: damage,
                Error: error,
                Authenticated: dataKey.Length > 0)
            {
                BlobsChecked = dataKey.Length > 0 ? referencedBlobs.Count : 0,
                MissingBlobs = missingBlobs,
                DamagedBlobs = damagedBlobs,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private const string MissingBlob = "is missing";

    /// <summary>The decrypted blob, or null and why not. Ids that come from events are checked here, before any path is built.</summary>
    private static (byte[]? Content, string? Problem) OpenBlob(string directory, string sessionId, string blobId, byte[] dataKey)
    {
        if (!BlobFormat.IsValidId(blobId))
        {
            return (null, "is not a valid blob id");
        }
        var path = Path.Combine(directory, BlobFormat.FolderName, blobId);
        byte[] file;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            if (stream.Length > BlobFormat.MaxContentLength + BlobFormat.Overhead)
            {
                return (null, $"is {stream.Length} bytes, too large to be a blob");
            }
            file = new byte[stream.Length];
            stream.ReadExactly(file);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, MissingBlob);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot be read: {ex.Message}");
        }
        var content = BlobFormat.TryOpen(dataKey, sessionId, blobId, file, out var problem);
        return (content, problem);
    }

    /// <summary>
    /// Crypto-shreds, then deletes: the manifest (which holds the sealed data key) is overwritten
    /// with zeros and fsynced before any file is removed, so even if deletion stops halfway or
    /// the log's blocks survive on disk, the events can no longer be decrypted. Refused while
    /// the session is being recorded, and for a session recorded under another device key
    /// unless the caller insists (it might be the only copy someone can still read elsewhere).
    /// </summary>
    public void Delete(string id) => Delete(id, evenIfOtherDeviceKey: false);

    /// <inheritdoc cref="Delete(string)"/>
    public void Delete(string id, bool evenIfOtherDeviceKey)
    {
        var directory = ExistingSessionDirectory(id);
        var lockPath = Path.Combine(directory, SessionLock.FileName);
        SessionLock? held;
        try
        {
            held = SessionLock.TryAcquire(lockPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot lock session {id} to delete it: {ex.Message}", ex);
        }
        if (held is null)
        {
            throw new StorageException($"session {id} is being recorded; stop the recording before deleting it");
        }
        using (held)
        {
            if (!evenIfOtherDeviceKey && TryReadManifest(directory, id) is { } manifest && manifest.DeviceKeyId != _deviceKey.KeyId)
            {
                throw new StorageException($"{KeyMismatch(id, manifest.DeviceKeyId)}; refusing to delete it");
            }
            try
            {
                ManifestFile.Shred(directory);
                AfterShredForTesting?.Invoke(directory);
                Directory.Delete(directory, recursive: true);
                UnixNative.FsyncDirectory(SessionsDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StorageException($"cannot delete session {id} in {directory}: {ex.Message}", ex);
            }
        }
    }

    private string ExistingSessionDirectory(string id)
    {
        SessionId.Validate(id);
        var directory = Path.Combine(SessionsDirectory, id);
        if (!Directory.Exists(directory))
        {
            throw new SessionNotFoundException(id, SessionsDirectory);
        }
        return directory;
    }

    private SessionInfo Describe(string id, string directory)
    {
        long logBytes = 0;
        try
        {
            var log = new FileInfo(Path.Combine(directory, LogFormat.FileName));
            logBytes = log.Exists ? log.Length : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Size unknown; the manifest decides the rest.
        }

        bool lockHeld;
        try
        {
            lockHeld = SessionLock.IsHeld(Path.Combine(directory, SessionLock.FileName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Damaged(id, logBytes, $"cannot check the writer lock: {ex.Message}");
        }

        Manifest manifest;
        try
        {
            manifest = ManifestFile.Read(directory, id);
        }
        catch (StorageException ex)
        {
            // A writer that has taken the lock but not yet written the manifest is starting up;
            // a held lock with a broken manifest is a delete in progress, or real damage.
            var starting = lockHeld && !File.Exists(Path.Combine(directory, ManifestFile.FileName));
            return Damaged(id, logBytes, ex.Message) with { Status = starting ? SessionStatus.Recording : SessionStatus.Damaged };
        }

        var status = manifest.Status == Manifest.CompleteStatus ? SessionStatus.Complete
            : lockHeld ? SessionStatus.Recording
            : SessionStatus.Interrupted;
        return new SessionInfo(
            id,
            status,
            manifest.CreatedAt!.Value,
            manifest.EndedAt,
            manifest.Backend,
            manifest.Screen is { } screen ? new ScreenSize(screen.Width, screen.Height) : null,
            manifest.AllowApps!,
            manifest.EventCount,
            manifest.CountsByKind,
            manifest.DroppedInput,
            manifest.EndReason,
            logBytes,
            Error: null)
        {
            DeviceKeyId = manifest.DeviceKeyId,
            Capabilities = manifest.Capabilities is { } capabilities
                ? new SessionCapabilities(capabilities.Accessibility, capabilities.Frames, capabilities.FrameFormat, capabilities.FrameScale, capabilities.ScaleFactor)
                : null,
        };
    }

    // The manifest is plaintext: the frame format must be a short code, the numbers must be numbers JSON can hold.
    internal static void ValidateCapabilities(SessionCapabilities capabilities)
    {
        if (capabilities.FrameFormat is { } format)
        {
            ManifestTokens.Validate(format, nameof(capabilities.FrameFormat));
        }
        if (capabilities.FrameScale is { } scale && !(scale > 0 && scale <= 1))
        {
            throw new ArgumentException("frame scale must be in (0, 1]", nameof(capabilities));
        }
        if (!(double.IsFinite(capabilities.ScaleFactor) && capabilities.ScaleFactor > 0))
        {
            throw new ArgumentException("scale factor must be a positive number", nameof(capabilities));
        }
    }

    internal static ManifestCapabilities ToManifest(SessionCapabilities capabilities) => new()
    {
        Accessibility = capabilities.Accessibility,
        Frames = capabilities.Frames,
        FrameFormat = capabilities.FrameFormat,
        FrameScale = capabilities.FrameScale,
        ScaleFactor = capabilities.ScaleFactor,
    };

    private static SessionInfo Damaged(string id, long logBytes, string error) =>
        new(id, SessionStatus.Damaged, SessionId.StartOf(id), null, null, null, [], null, null, null, null, logBytes, error);

    private static Manifest? TryReadManifest(string directory, string id)
    {
        try
        {
            return ManifestFile.Read(directory, id);
        }
        catch (StorageException)
        {
            return null;
        }
    }

    private static Manifest ReadManifestForEvents(string id, string directory)
    {
        try
        {
            return ManifestFile.Read(directory, id);
        }
        catch (StorageException ex)
        {
            throw new StorageException($"session {id} cannot be read: {ex.Message}", ex);
        }
    }

    private LogReader OpenLog(string id, string directory, Manifest manifest)
    {
        var dataKey = UnwrapDataKey(id, manifest);
        try
        {
            return LogReader.Open(Path.Combine(directory, LogFormat.FileName), id, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The session's data key; the caller zeroes it. Every way it can fail has its own message.</summary>
    private byte[] UnwrapDataKey(string id, Manifest manifest)
    {
        if (manifest.DeviceKeyId != _deviceKey.KeyId)
        {
            throw new StorageException(KeyMismatch(id, manifest.DeviceKeyId));
        }
        byte[] wrapped;
        try
        {
            wrapped = Convert.FromBase64String(manifest.WrappedDataKey ?? "");
        }
        catch (FormatException)
        {
            throw new StorageException($"session {id}: wrapped_data_key in its manifest is not valid base64");
        }
        if (!wrapped.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw new StorageException($"session {id} has no data key (it was shredded); its events cannot be read");
        }
        var dataKey = new byte[DataKeyWrapping.DataKeySize];
        if (!DataKeyWrapping.TryUnwrap(_deviceKey, id, wrapped, dataKey))
        {
            throw new StorageException(
                $"session {id}: its data key does not open with device key {_deviceKey.KeyId} although the key ids match; wrapped_data_key in its manifest is damaged");
        }
        return dataKey;
    }

    private string KeyMismatch(string id, string? recordedWith) =>
        $"session {id} was recorded with device key {recordedWith ?? "(none)"}, this device has key {_deviceKey.KeyId}";

    /// <summary>A complete session's manifest knows how many events it has; a log that ends sooner lost frames at its end.</summary>
    private static SessionDamage? CompareWithManifest(Manifest manifest, LogReader reader)
    {
        if (manifest.Status != Manifest.CompleteStatus || manifest.EventCount is not { } expected || expected == reader.NextSeq)
        {
            return null;
        }
        var reason = reader.NextSeq < expected
            ? $"log ends after {reader.NextSeq} events but the manifest records {expected} (frames missing at the end)"
            : $"log holds {reader.NextSeq} events but the manifest records only {expected}";
        return new SessionDamage(reader.Offset, reason, reader.FrameCount);
    }

    private static void CreateDirectoryOrThrow(string path)
    {
        try
        {
            FilePermissions.CreatePrivateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot create directory {path}: {ex.Message}", ex);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort after a failed start: what is left holds no events, and the original error matters more.
        }
    }
}
