using System.Security.Cryptography;
using System.Text;
using Understudy.Storage;

namespace Understudy.Collector.Security;

/// <summary>
/// The collector's secrets, each a 0600 file in &lt;data&gt;/keys (0700), created on first start:
/// the P-256 key that sessions are sealed to, the pseudonym key (donor ids are HMACs of account
/// names under it, so the database alone cannot be joined back to people), and the audit key
/// (the chain is HMACed under it). None of them is ever in the database or the blob store.
/// </summary>
public sealed class CollectorKeys : IDisposable
{
    private const string SealingKeyFile = "sealing-p256.pkcs8";
    private const string PseudonymKeyFile = "pseudonym.key";
    private const string AuditKeyFile = "audit.key";

    private readonly byte[] _pseudonymKey;

    private CollectorKeys(ECDiffieHellman sealingKey, byte[] pseudonymKey, byte[] auditKey)
    {
        SealingKey = sealingKey;
        _pseudonymKey = pseudonymKey;
        AuditKey = auditKey;
        PublicKeyInfo = sealingKey.ExportSubjectPublicKeyInfo();
        KeyId = Understudy.Upload.SealedKeyEnvelope.KeyId(PublicKeyInfo);
    }

    public ECDiffieHellman SealingKey { get; }

    public byte[] PublicKeyInfo { get; }

    public string KeyId { get; }

    internal byte[] AuditKey { get; }

    /// <summary>The donor id of an account name: HMAC-SHA256 under the pseudonym key, hex.</summary>
    public string Pseudonym(string accountName) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_pseudonymKey, Encoding.UTF8.GetBytes(accountName.Trim().ToLowerInvariant())));

    public static CollectorKeys LoadOrCreate(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "keys");
        FilePermissions.CreatePrivateDirectory(directory);
        var sealing = ECDiffieHellman.Create();
        var material = LoadOrCreateFile(Path.Combine(directory, SealingKeyFile), () =>
        {
            using var fresh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            return fresh.ExportPkcs8PrivateKey();
        });
        sealing.ImportPkcs8PrivateKey(material, out _);
        CryptographicOperations.ZeroMemory(material);
        return new CollectorKeys(
            sealing,
            LoadOrCreateFile(Path.Combine(directory, PseudonymKeyFile), () => RandomNumberGenerator.GetBytes(32)),
            LoadOrCreateFile(Path.Combine(directory, AuditKeyFile), () => RandomNumberGenerator.GetBytes(32)));
    }

    private static byte[] LoadOrCreateFile(string path, Func<byte[]> create)
    {
        if (!File.Exists(path))
        {
            var fresh = create();
            var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
            using (var file = FilePermissions.CreatePrivateFile(temporary))
            {
                file.Write(fresh);
                file.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first: use theirs.
                File.Delete(temporary);
            }
            UnixNative.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & FilePermissions.GroupOrOther) != 0)
        {
            throw new StorageException($"collector key {path} is accessible to other users (mode {FilePermissions.Octal(mode)}); refusing to use it; fix with: chmod 600 {path}");
        }
        return File.ReadAllBytes(path);
    }

    public void Dispose()
    {
        SealingKey.Dispose();
        CryptographicOperations.ZeroMemory(_pseudonymKey);
        CryptographicOperations.ZeroMemory(AuditKey);
    }
}
