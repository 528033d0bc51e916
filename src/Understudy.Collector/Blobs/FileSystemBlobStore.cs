using Understudy.Storage;

namespace Understudy.Collector.Blobs;

/// <summary>
/// Blobs as files under one root (0700 directories, 0600 files). A put writes a private
/// temporary file, fsyncs it, renames it into place and fsyncs the directory, so after a crash
/// an object is either whole or absent — never a torn chunk that looks stored.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const string TemporaryPrefix = ".tmp-";

    public FileSystemBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        FilePermissions.CreatePrivateDirectory(Root);
    }

    public string Root { get; }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellation) =>
        PutCoreAsync(key, async file => await file.WriteAsync(content, cancellation).ConfigureAwait(false), cancellation);

    public Task PutStreamAsync(string key, Stream content, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(content);
        return PutCoreAsync(key, file => content.CopyToAsync(file, 1 << 20, cancellation), cancellation);
    }

    private async Task PutCoreAsync(string key, Func<FileStream, Task> write, CancellationToken cancellation)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            CreateDirectories(directory);
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FilePermissions.PrivateFile,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            }))
            {
                await write(file).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            cancellation.ThrowIfCancellationRequested();
            File.Move(temporary, path, overwrite: true);
            UnixNative.FsyncDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            TryDelete(temporary);
            throw new BlobStoreException($"blob store {Root}: cannot write {key}: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellation)
    {
        var path = PathOf(key);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException($"blob store {Root}: cannot read {key}: {ex.Message}", ex);
        }
    }

    public Task<long?> LengthAsync(string key, CancellationToken cancellation)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult<long?>(info.Exists ? info.Length : null);
    }

    public Task DeleteAsync(string key, CancellationToken cancellation)
    {
        try
        {
            File.Delete(PathOf(key));
            return Task.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException($"blob store {Root}: cannot delete {key}: {ex.Message}", ex);
        }
    }

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellation)
    {
        var path = PathOf(prefix);
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
                UnixNative.FsyncDirectory(Path.GetDirectoryName(path)!);
            }
            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            throw new BlobStoreException($"blob store {Root}: cannot delete {prefix}/: {ex.Message}", ex);
        }
    }

    private string PathOf(string key)
    {
        if (!BlobKeys.IsValid(key))
        {
            throw new ArgumentException($"invalid blob key '{key}'", nameof(key));
        }
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private void CreateDirectories(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory);
        if (parent is not null && parent.Length >= Root.Length)
        {
            CreateDirectories(parent);
        }
        FilePermissions.CreatePrivateDirectory(directory);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort on an error path: a leftover temporary name is never read as an object.
        }
    }
}
