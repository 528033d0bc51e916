using System.Security.Cryptography;
using System.Text;

namespace Understudy.Upload;

/// <summary>
/// A session data key sealed to the collector's public key (ECIES on P-256): an ephemeral
/// ECDH key pair per session, HKDF-SHA256 over the raw shared secret, AES-256-GCM over the
/// 32-byte data key. Only the holder of the collector's private key can open it, and the
/// session id is bound into both the key derivation and the AAD, so an envelope copied onto
/// another session does not open.
///
/// Layout: magic "USK1" (4) | u8 n | ephemeral public key, SubjectPublicKeyInfo (n) |
/// nonce (12) | ciphertext (32) | tag (16).
/// </summary>
public static class SealedKeyEnvelope
{
    public const int DataKeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxPublicKeySize = 200;
    private const string KdfInfoPrefix = "understudy-upload-key-v1|";
    private const string AadPrefix = "understudy-upload-dek-v1|";
    private static ReadOnlySpan<byte> Magic => "USK1"u8;

    /// <summary>The largest envelope this format produces; anything longer is refused before parsing.</summary>
    public const int MaxSize = 4 + 1 + MaxPublicKeySize + NonceSize + DataKeySize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> dataKey, string sessionId, ReadOnlySpan<byte> collectorPublicKeyInfo)
    {
        if (dataKey.Length != DataKeySize)
        {
            throw new ArgumentException($"a data key is {DataKeySize} bytes", nameof(dataKey));
        }
        using var recipient = ECDiffieHellman.Create();
        recipient.ImportSubjectPublicKeyInfo(collectorPublicKeyInfo, out _);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralPublic = ephemeral.ExportSubjectPublicKeyInfo();
        var kek = DeriveKeyEncryptionKey(ephemeral, recipient.PublicKey, ephemeralPublic, collectorPublicKeyInfo, sessionId);
        try
        {
            var envelope = new byte[4 + 1 + ephemeralPublic.Length + NonceSize + DataKeySize + TagSize];
            Magic.CopyTo(envelope);
            envelope[4] = checked((byte)ephemeralPublic.Length);
            ephemeralPublic.CopyTo(envelope.AsSpan(5));
            var offset = 5 + ephemeralPublic.Length;
            var nonce = envelope.AsSpan(offset, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aead = new AesGcm(kek, TagSize);
            aead.Encrypt(nonce, dataKey, envelope.AsSpan(offset + NonceSize, DataKeySize), envelope.AsSpan(offset + NonceSize + DataKeySize, TagSize), Aad(sessionId));
            return envelope;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Opens an envelope into <paramref name="dataKey"/>; false for anything malformed or not sealed to this key for this session.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> envelope, string sessionId, ECDiffieHellman collectorKey, Span<byte> dataKey)
    {
        ArgumentNullException.ThrowIfNull(collectorKey);
        if (dataKey.Length != DataKeySize || envelope.Length < 5 || envelope.Length > MaxSize || !envelope[..4].SequenceEqual(Magic))
        {
            return false;
        }
        int publicLength = envelope[4];
        if (envelope.Length != 5 + publicLength + NonceSize + DataKeySize + TagSize)
        {
            return false;
        }
        var ephemeralPublic = envelope.Slice(5, publicLength);
        byte[] kek;
        try
        {
            using var ephemeral = ECDiffieHellman.Create();
            ephemeral.ImportSubjectPublicKeyInfo(ephemeralPublic, out var read);
            if (read != publicLength || ephemeral.KeySize != collectorKey.KeySize)
            {
                return false;
            }
            kek = DeriveKeyEncryptionKey(collectorKey, ephemeral.PublicKey, ephemeralPublic, collectorKey.ExportSubjectPublicKeyInfo(), sessionId);
        }
        catch (CryptographicException)
        {
            return false;
        }
        try
        {
            var offset = 5 + publicLength;
            using var aead = new AesGcm(kek, TagSize);
            aead.Decrypt(envelope.Slice(offset, NonceSize), envelope.Slice(offset + NonceSize, DataKeySize), envelope.Slice(offset + NonceSize + DataKeySize, TagSize), dataKey, Aad(sessionId));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>First 8 bytes of SHA-256 of the public key, hex: how a recorder names the collector key it pinned.</summary>
    public static string KeyId(ReadOnlySpan<byte> publicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(publicKeyInfo)[..8]);

    private static byte[] DeriveKeyEncryptionKey(ECDiffieHellman own, ECDiffieHellmanPublicKey other, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic, string sessionId)
    {
        var shared = own.DeriveRawSecretAgreement(other);
        try
        {
            // The salt binds both public keys, so the derived key belongs to this exact exchange.
            var salt = SHA256.HashData([.. ephemeralPublic, .. recipientPublic]);
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, DataKeySize, salt, Encoding.UTF8.GetBytes(KdfInfoPrefix + sessionId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    private static byte[] Aad(string sessionId) => Encoding.UTF8.GetBytes(AadPrefix + sessionId);
}
