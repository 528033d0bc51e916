using System.Security.Cryptography;

namespace Understudy.Storage;

/// <summary>
/// The per-device key-encryption key: 32 random bytes that wrap every session's data key.
/// Only its <see cref="KeyId"/> is ever shown or written next to data.
/// </summary>
public sealed class DeviceKey : IDisposable
{
    public const int SizeInBytes = 32;
    internal const int KeyIdSizeInBytes = 8;

    private readonly byte[] _material;
    private bool _disposed;

    internal DeviceKey(ReadOnlySpan<byte> material)
    {
        if (material.Length != SizeInBytes)
        {
            throw new ArgumentException($"a device key is {SizeInBytes} bytes", nameof(material));
        }
        _material = material.ToArray();
        KeyId = ComputeKeyId(material);
    }

    /// <summary>First 8 bytes of SHA-256 of the key, lowercase hex: names the key without revealing it.</summary>
    public string KeyId { get; }

    internal ReadOnlySpan<byte> Material
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _material;
        }
    }

    internal static DeviceKey Generate()
    {
        Span<byte> material = stackalloc byte[SizeInBytes];
        RandomNumberGenerator.Fill(material);
        try
        {
            return new DeviceKey(material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    internal static string ComputeKeyId(ReadOnlySpan<byte> material) => Convert.ToHexStringLower(KeyIdBytes(material));

    internal static byte[] KeyIdBytes(ReadOnlySpan<byte> material) => SHA256.HashData(material)[..KeyIdSizeInBytes];

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_material);
            _disposed = true;
        }
    }

    public override string ToString() => $"device key {KeyId}";
}
