using System.Security.Cryptography;
using System.Text;

namespace Understudy.Storage;

/// <summary>
/// Each session has its own random 32-byte data key; the manifest stores it sealed with
/// AES-256-GCM under the device key as nonce(12) | ciphertext(32) | tag(16). The AAD names the
/// session so a wrapped key copied into another session's manifest does not open.
/// </summary>
internal static class DataKeyWrapping
{
    internal const int DataKeySize = 32;
    internal const int NonceSize = 12;
    internal const int TagSize = 16;
    internal const int WrappedSize = NonceSize + DataKeySize + TagSize;
    private const string AadPrefix = "understudy-dek-v1|";

    internal static byte[] Wrap(DeviceKey deviceKey, string sessionId, ReadOnlySpan<byte> dataKey)
    {
        var wrapped = new byte[WrappedSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aead = new AesGcm(deviceKey.Material, TagSize);
        aead.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, DataKeySize), wrapped.AsSpan(NonceSize + DataKeySize, TagSize), Aad(sessionId));
        return wrapped;
    }

    /// <summary>Opens a wrapped key into <paramref name="dataKey"/>; false if it does not authenticate.</summary>
    internal static bool TryUnwrap(DeviceKey deviceKey, string sessionId, ReadOnlySpan<byte> wrapped, Span<byte> dataKey)
    {
        if (wrapped.Length != WrappedSize || dataKey.Length != DataKeySize)
        {
            return false;
        }
        using var aead = new AesGcm(deviceKey.Material, TagSize);
        try
        {
            aead.Decrypt(wrapped[..NonceSize], wrapped.Slice(NonceSize, DataKeySize), wrapped.Slice(NonceSize + DataKeySize, TagSize), dataKey, Aad(sessionId));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return false;
        }
    }

    private static byte[] Aad(string sessionId) => Encoding.UTF8.GetBytes(AadPrefix + sessionId);
}
