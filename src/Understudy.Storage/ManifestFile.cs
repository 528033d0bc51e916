using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Understudy.Storage;

/// <summary>Reading, atomically replacing and shredding manifest.json.</summary>
internal static class ManifestFile
{
    internal const string FileName = "manifest.json";
    private const string TemporaryPrefix = FileName + ".tmp-";

    // Real manifests are well under 4 KiB; this only stops a damaged one from costing memory.
    private const int MaxSize = 1024 * 1024;

    // The default encoder escapes '+' in base64 and every non-ASCII letter of an app name as
    // \uXXXX; the manifest is a file for people and tools, never embedded in HTML.
    private static readonly JsonTypeInfo<Manifest> WriteTypeInfo = (JsonTypeInfo<Manifest>)new JsonSerializerOptions(ManifestJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.GetTypeInfo(typeof(Manifest));

    /// <summary>Reads and validates a manifest; any problem is a <see cref="StorageException"/> saying what is wrong.</summary>
    internal static Manifest Read(string sessionDirectory, string expectedId)
    {
        var path = Path.Combine(sessionDirectory, FileName);
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            if (file.Length > MaxSize)
            {
                throw new StorageException($"{path} is {file.Length} bytes, too large to be a manifest");
            }
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (FileNotFoundException)
        {
            throw new StorageException($"{path} is missing");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot read {path}: {ex.Message}", ex);
        }

        if (bytes.Length > 0 && !bytes.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw new StorageException($"{path} was shredded by an unfinished delete; delete the session again");
        }
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.Manifest);
        }
        catch (JsonException ex)
        {
            throw new StorageException($"{path} is not valid JSON: {ex.Message}", ex);
        }
        if (manifest is null)
        {
            throw new StorageException($"{path} is empty");
        }
        var problem = Validate(manifest, expectedId);
        if (problem is not null)
        {
            throw new StorageException($"{path} {problem}");
        }
        return manifest;
    }

    private static string? Validate(Manifest manifest, string expectedId)
    {
        if (manifest.FormatVersion != Manifest.CurrentFormatVersion)
        {
            return $"has unsupported format_version {manifest.FormatVersion}";
        }
        if (manifest.Id != expectedId)
        {
            return "names a different session id than its directory";
        }
        if (manifest.Status is not (Manifest.RecordingStatus or Manifest.CompleteStatus))
        {
            return "has an unknown status";
        }
        if (manifest.CreatedAt is null || string.IsNullOrEmpty(manifest.Backend) || manifest.AllowApps is null || string.IsNullOrEmpty(manifest.DeviceKeyId))
        {
            return "lacks a required field (created_at, backend, allow_apps or device_key_id)";
        }
        return null;
    }

    /// <summary>
    /// Replaces the manifest atomically: write a private temporary file in the same directory,
    /// fsync it, rename it over the old one, fsync the directory. The temporary file holds the
    /// same metadata as the manifest and nothing else.
    /// </summary>
    internal static void Write(string sessionDirectory, Manifest manifest)
    {
        var path = Path.Combine(sessionDirectory, FileName);
        var temporaryPath = Path.Combine(sessionDirectory, TemporaryPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)));
        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, WriteTypeInfo);
            using (var file = FilePermissions.CreatePrivateFile(temporaryPath))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporaryPath, path, overwrite: true);
            UnixNative.FsyncDirectory(sessionDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporaryPath);
            throw new StorageException($"cannot write {path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Overwrites every manifest file in the directory (the manifest and any temporary left by a
    /// crash) with zeros in place and fsyncs it, so the sealed data key is gone before any other
    /// file is deleted. In place rather than by rename, so the old blocks themselves are
    /// overwritten (on ext4/xfs; copy-on-write filesystems and SSD remapping may keep old copies,
    /// which is why the key is also sealed under the device key).
    /// </summary>
    internal static void Shred(string sessionDirectory)
    {
        foreach (var path in Directory.EnumerateFiles(sessionDirectory, FileName + "*"))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            var zeros = new byte[Math.Min(file.Length, MaxSize)];
            for (long written = 0; written < file.Length; written += zeros.Length)
            {
                file.Write(zeros, 0, (int)Math.Min(zeros.Length, file.Length - written));
            }
            file.Flush(flushToDisk: true);
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
            // Best effort; the write error is what matters. A leftover temporary is shredded by Delete.
        }
    }
}
