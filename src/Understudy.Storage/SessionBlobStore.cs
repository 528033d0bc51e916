using System.Security.Cryptography;
using Understudy.Core.Capture;

namespace Understudy.Storage;

/// <summary>
/// The encrypted, content-addressed blobs (encoded frames) of the session being recorded, in
/// &lt;session&gt;/blobs/ (layout in <see cref="BlobFormat"/>). Thread-safe: frame encoders on
/// several threads put blobs while the recorder appends events. A blob is written to a private
/// temporary file, fsynced and renamed into place, so it is either complete or absent.
/// </summary>
internal sealed class SessionBlobStore : IBlobStore, IDisposable
{
    private const int EnoSpc = 28;
    private const int EDQuot = 122;
    private const string TemporaryPrefix = ".tmp-";

    private readonly string _sessionId;
    private readonly string _sessionDirectory;
    private readonly byte[] _dataKey;
    private readonly byte[] _idKey;
    private readonly Func<Stream, Stream>? _wrapOutput;

    // Readers are puts and lookups; Dispose takes it for writing so that it never zeroes the keys under a put in flight.
    private readonly ReaderWriterLockSlim _keysInUse = new();
    private readonly Lock _directoryGate = new();
    private volatile bool _directoryReady;
    private bool _disposed;

    internal SessionBlobStore(string sessionId, string sessionDirectory, ReadOnlySpan<byte> dataKey, Func<Stream, Stream>? wrapOutput)
    {
        _sessionId = sessionId;
        _sessionDirectory = sessionDirectory;
        DirectoryPath = Path.Combine(sessionDirectory, BlobFormat.FolderName);
        _dataKey = dataKey.ToArray();
        _idKey = BlobFormat.DeriveIdKey(dataKey);
        _wrapOutput = wrapOutput;
    }

    internal string DirectoryPath { get; }

    public string IdFor(ReadOnlySpan<byte> content)
    {
        EnterKeys();
        try
        {
            return BlobFormat.ComputeId(_idKey, content);
        }
        finally
        {
            _keysInUse.ExitReadLock();
        }
    }

    public bool Contains(string id)
    {
        BlobFormat.ValidateId(id, nameof(id));
        return File.Exists(Path.Combine(DirectoryPath, id));
    }

    public void Put(string id, ReadOnlySpan<byte> content)
    {
        BlobFormat.ValidateId(id, nameof(id));
        EnterKeys();
        try
        {
            var path = Path.Combine(DirectoryPath, id);
            if (File.Exists(path))
            {
                return;
            }
            var sealedFile = BlobFormat.Seal(_dataKey, _sessionId, id, content);
            EnsureDirectory(id);
            WriteAtomically(id, path, sealedFile);
        }
        finally
        {
            _keysInUse.ExitReadLock();
        }
    }

    private void WriteAtomically(string id, string path, byte[] sealedFile)
    {
        var temporaryPath = Path.Combine(DirectoryPath, TemporaryPrefix + id + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        try
        {
            using (var file = FilePermissions.CreatePrivateFile(temporaryPath))
            {
                var output = _wrapOutput?.Invoke(file) ?? file;
                try
                {
                    output.Write(sealedFile);
                }
                finally
                {
                    if (!ReferenceEquals(output, file))
                    {
                        output.Dispose();
                    }
                }
                file.Flush(flushToDisk: true);
            }
            // Two encoders putting the same frame at once both write complete files of the same
            // content; whichever rename lands last wins, and either is a whole blob.
            File.Move(temporaryPath, path, overwrite: true);
            UnixNative.FsyncDirectory(DirectoryPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            TryDelete(temporaryPath);
            var diskFull = ex is IOException { HResult: EnoSpc or EDQuot };
            throw new BlobWriteException(
                diskFull ? $"disk full while writing blob {id} to {DirectoryPath}" : $"cannot write blob {id} to {DirectoryPath}: {ex.Message.ReplaceLineEndings(" ")}",
                ex);
        }
    }

    // Created on the first put, so sessions without frames have no blobs directory at all.
    private void EnsureDirectory(string id)
    {
        if (_directoryReady)
        {
            return;
        }
        lock (_directoryGate)
        {
            if (_directoryReady)
            {
                return;
            }
            try
            {
                FilePermissions.CreatePrivateDirectory(DirectoryPath);
                UnixNative.FsyncDirectory(_sessionDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
            {
                throw new BlobWriteException($"cannot create {DirectoryPath} for blob {id}: {ex.Message.ReplaceLineEndings(" ")}", ex);
            }
            _directoryReady = true;
        }
    }

    private void EnterKeys()
    {
        _keysInUse.EnterReadLock();
        if (_disposed)
        {
            _keysInUse.ExitReadLock();
            throw new ObjectDisposedException(nameof(SessionBlobStore), $"session {_sessionId} is closed; its blobs can no longer be written");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the write error is what the caller needs; a leftover temporary holds only ciphertext.
        }
    }

    public void Dispose()
    {
        _keysInUse.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            CryptographicOperations.ZeroMemory(_dataKey);
            CryptographicOperations.ZeroMemory(_idKey);
        }
        finally
        {
            _keysInUse.ExitWriteLock();
        }
    }
}
