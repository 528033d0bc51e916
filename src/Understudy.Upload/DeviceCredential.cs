using System.Text.Json;
using Understudy.Storage;

namespace Understudy.Upload;

/// <summary>
/// What enrolment gives a device: its id, its secret credential, the collector key it seals to,
/// and the collector's TLS key pin when its certificate is self-signed.
/// </summary>
public sealed record DeviceCredential(string Server, string DeviceId, string Credential, string CollectorPublicKey, string CollectorKeyId, string? TlsPin = null);

/// <summary>
/// The device credential lives beside the device key and under the same rules
/// (<see cref="DeviceKeyStore"/>): in the config directory rather than the data directory, so a
/// copy of the recordings does not carry the right to upload; created 0600 from its first byte
/// under a temporary name, fsynced, renamed; refused when group or others may read it.
/// </summary>
public static class DeviceCredentialStore
{
    public const string EnvironmentVariable = "UNDERSTUDY_DEVICE_CREDENTIAL_FILE";
    public const string FileName = "collector.credential";
    private const int MaxFileSize = 16 * 1024;

    public static string ResolvePath(string? overridePath)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return Path.GetFullPath(overridePath);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        var keyDirectory = Path.GetDirectoryName(DeviceKeyStore.ResolvePath(null)) ?? throw new StorageException("the device key path has no directory");
        return Path.Combine(keyDirectory, FileName);
    }

    public static void Save(string path, DeviceCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var directory = Path.GetDirectoryName(path) ?? throw new StorageException($"credential path {path} has no parent directory");
        FilePermissions.CreatePrivateDirectory(directory);
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var file = FilePermissions.CreatePrivateFile(temporary))
            {
                JsonSerializer.Serialize(file, credential, ProtocolJson.Options);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            UnixNative.FsyncDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new StorageException($"cannot write device credential {path}: {ex.Message}", ex);
        }
    }

    /// <summary>The stored credential, or null when the device was never enrolled.</summary>
    public static DeviceCredential? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & FilePermissions.GroupOrOther) != 0)
        {
            throw new StorageException($"device credential {path} is accessible to other users (mode {FilePermissions.Octal(mode)}); refusing to use it; fix with: chmod 600 {path}");
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > MaxFileSize)
        {
            throw new StorageException($"device credential {path} is {bytes.Length} bytes; refusing to read it");
        }
        try
        {
            return JsonSerializer.Deserialize<DeviceCredential>(bytes, ProtocolJson.Options)
                ?? throw new StorageException($"device credential {path} is empty");
        }
        catch (JsonException ex)
        {
            throw new StorageException($"device credential {path} is damaged: {ex.Message}", ex);
        }
    }
}
