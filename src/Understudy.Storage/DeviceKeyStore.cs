using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Understudy.Storage;

/// <summary>
/// Loads the device key, creating it on first use.
///
/// Why the key lives outside the data directory ($XDG_CONFIG_HOME/understudy/device.key by
/// default): a copy of the data directory alone — a backup, a sync folder, a tarball sent for
/// debugging — holds only sealed session keys and ciphertext, so it is unreadable without this
/// file. Keep the two apart and losing one is not losing the recordings' content.
///
/// File format (52 bytes, fixed):
///   0  8  magic "USDEVKEY"
///   8  1  version (1)
///   9  3  reserved, zero
///  12  8  key id: first 8 bytes of SHA-256(key) (also catches a damaged file)
///  20 32  key
/// </summary>
public static class DeviceKeyStore
{
    public const string EnvironmentVariable = "UNDERSTUDY_DEVICE_KEY_FILE";
    internal const int FileSize = 52;
    private const byte CurrentVersion = 1;
    private static ReadOnlySpan<byte> Magic => "USDEVKEY"u8;

    /// <summary>The key file path: the override, else $UNDERSTUDY_DEVICE_KEY_FILE, else $XDG_CONFIG_HOME/understudy/device.key, else ~/.config/understudy/device.key.</summary>
    public static string ResolvePath(string? keyFileOverride) => ResolvePath(keyFileOverride, Environment.GetEnvironmentVariable);

    internal static string ResolvePath(string? keyFileOverride, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(keyFileOverride))
        {
            return Path.GetFullPath(keyFileOverride);
        }
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        var xdgConfigHome = environment("XDG_CONFIG_HOME");
        var configHome = !string.IsNullOrWhiteSpace(xdgConfigHome) && Path.IsPathRooted(xdgConfigHome)
            ? xdgConfigHome
            : Path.Combine(UserHome.Find(environment), ".config");
        return Path.GetFullPath(Path.Combine(configHome, "understudy", "device.key"));
    }

    public static DeviceKey LoadOrCreate(string? keyFileOverride) => LoadOrCreateAt(ResolvePath(keyFileOverride));

    internal static DeviceKey LoadOrCreateAt(string path)
    {
        if (File.Exists(path))
        {
            return Load(path);
        }
        return Create(path);
    }

    internal static DeviceKey Load(string path)
    {
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot read device key file {path}: {ex.Message}", ex);
        }
        if ((mode & FilePermissions.GroupOrOther) != 0)
        {
            throw new StorageException(
                $"device key file {path} is accessible to other users (mode {FilePermissions.Octal(mode)}); refusing to use it; fix with: chmod 600 {path}");
        }

        Span<byte> contents = stackalloc byte[FileSize];
        try
        {
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            {
                if (file.Length != FileSize)
                {
                    throw new StorageException($"device key file {path} is {file.Length} bytes, expected {FileSize}; refusing to use it");
                }
                file.ReadExactly(contents);
            }
            return Parse(path, contents);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot read device key file {path}: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    private static DeviceKey Parse(string path, ReadOnlySpan<byte> contents)
    {
        if (!contents[..8].SequenceEqual(Magic))
        {
            throw new StorageException($"device key file {path} is not an understudy device key (bad magic)");
        }
        if (contents[8] != CurrentVersion)
        {
            throw new StorageException($"device key file {path} has unsupported version {contents[8]}");
        }
        if (contents[9] != 0 || contents[10] != 0 || contents[11] != 0)
        {
            throw new StorageException($"device key file {path} is damaged (reserved bytes are not zero)");
        }
        var material = contents.Slice(20, DeviceKey.SizeInBytes);
        if (!contents.Slice(12, DeviceKey.KeyIdSizeInBytes).SequenceEqual(DeviceKey.KeyIdBytes(material)))
        {
            throw new StorageException($"device key file {path} is damaged (its key id does not match its key)");
        }
        return new DeviceKey(material);
    }

    private static DeviceKey Create(string path)
    {
        var directory = Path.GetDirectoryName(path) ?? throw new StorageException($"device key path {path} has no parent directory");
        try
        {
            FilePermissions.CreatePrivateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot create directory {directory} for the device key: {ex.Message}", ex);
        }

        using var key = DeviceKey.Generate();
        Span<byte> contents = stackalloc byte[FileSize];
        var temporaryPath = $"{path}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        try
        {
            Magic.CopyTo(contents);
            contents[8] = CurrentVersion;
            DeviceKey.KeyIdBytes(key.Material).CopyTo(contents[12..]);
            key.Material.CopyTo(contents[20..]);

            // Written under a temporary name, then linked into place without overwriting: a
            // reader never sees a half-written key, and if another process created the key at
            // the same moment, both end up using the one that won.
            using (var file = FilePermissions.CreatePrivateFile(temporaryPath))
            {
                file.Write(contents);
                file.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporaryPath, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                ShredQuietly(temporaryPath);
                return Load(path);
            }
            UnixNative.FsyncDirectory(directory);
            return new DeviceKey(key.Material);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ShredQuietly(temporaryPath);
            throw new StorageException($"cannot create device key file {path}: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    private static void ShredQuietly(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    file.Write(new byte[file.Length]);
                    file.Flush(flushToDisk: true);
                }
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort on an error path; the original error is what the user needs to see.
        }
    }
}
