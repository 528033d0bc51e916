using System.Globalization;
using System.Security.Cryptography;
using Understudy.Storage;

namespace Understudy.Upload;

/// <summary>A session sealed into the outbox: its bundle file and the request that opens its upload.</summary>
public sealed record SealedSession(string BundlePath, CreateUploadRequest Request);

/// <summary>
/// Seals a complete local session for the collector: its data key is unwrapped with the device
/// key only long enough to be sealed again to the collector's public key, and its encrypted
/// files are copied as they are into one bundle. Nothing is decrypted; the wire and the outbox
/// carry only ciphertext and counts.
/// </summary>
public static class SessionSealer
{
    public const int DefaultChunkSize = 1024 * 1024;

    public static SealedSession Seal(SessionStore store, DeviceKey deviceKey, string sessionId, DeviceCredential credential, string outboxDirectory, int chunkSize = DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(deviceKey);
        ArgumentNullException.ThrowIfNull(credential);
        SessionId.Validate(sessionId);
        var directory = Path.Combine(store.SessionsDirectory, sessionId);
        var manifest = ManifestFile.Read(directory, sessionId);
        if (manifest.Status != Manifest.CompleteStatus || manifest.EndedAt is null || manifest.EventCount is null)
        {
            throw new StorageException($"session {sessionId} is not complete; only complete sessions are uploaded");
        }
        if (manifest.DeviceKeyId != deviceKey.KeyId)
        {
            throw new StorageException($"session {sessionId} was recorded with device key {manifest.DeviceKeyId}, not this device's {deviceKey.KeyId}");
        }
        var dataKey = new byte[DataKeyWrapping.DataKeySize];
        byte[] sealedKey;
        try
        {
            if (!DataKeyWrapping.TryUnwrap(deviceKey, sessionId, Convert.FromBase64String(manifest.WrappedDataKey ?? ""), dataKey))
            {
                throw new StorageException($"session {sessionId}: its data key does not open with this device key (shredded or damaged)");
            }
            sealedKey = SealedKeyEnvelope.Seal(dataKey, sessionId, Convert.FromBase64String(credential.CollectorPublicKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        FilePermissions.CreatePrivateDirectory(outboxDirectory);
        var bundlePath = Path.Combine(outboxDirectory, sessionId + ".bundle");
        var temporary = bundlePath + ".tmp";
        string sha256;
        long length;
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.ReadWrite, UnixCreateMode = FilePermissions.PrivateFile, BufferSize = 1 << 16 }))
        {
            SessionBundle.Write(directory, file);
            file.Flush(flushToDisk: true);
            length = file.Length;
            file.Position = 0;
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        }
        File.Move(temporary, bundlePath, overwrite: true);
        UnixNative.FsyncDirectory(outboxDirectory);
        var request = new CreateUploadRequest(sessionId, manifest.CreatedAt!.Value, manifest.EndedAt.Value, manifest.EventCount.Value,
            length, chunkSize, sha256, Convert.ToBase64String(sealedKey), credential.CollectorKeyId);
        return new SealedSession(bundlePath, request);
    }

    public static int ChunkCount(long totalBytes, int chunkSize) =>
        checked((int)((totalBytes + chunkSize - 1) / chunkSize));

    public static string Describe(SealedSession sealedSession) =>
        string.Create(CultureInfo.InvariantCulture, $"{sealedSession.Request.SessionId}: {sealedSession.Request.TotalBytes} bytes, {ChunkCount(sealedSession.Request.TotalBytes, sealedSession.Request.ChunkSize)} chunks");
}
