using System.Buffers;
using System.Security.Cryptography;

namespace Understudy.Storage;

/// <summary>
/// A growable byte buffer for plaintext event data. Every byte it stops using — on growth,
/// truncation, clearing, disposal — is zeroed before the array goes back to the pool, so
/// recorded content does not linger in memory any longer than a frame.
/// </summary>
internal sealed class SensitiveBuffer : IDisposable
{
    // Far above any frame the store writes; a guard against arithmetic overflow, not a policy.
    private const int MaxCapacity = 1 << 30;

    private byte[] _array;

    internal SensitiveBuffer(int initialCapacity = 512)
    {
        _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    internal int Length { get; private set; }

    internal ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    internal Span<byte> GetSpan(int sizeHint)
    {
        EnsureCapacity((long)Length + sizeHint);
        return _array.AsSpan(Length);
    }

    /// <summary>A span of exactly <paramref name="length"/> bytes at the start, for decrypting into.</summary>
    internal Span<byte> Resize(int length)
    {
        if (length < Length)
        {
            Truncate(length);
        }
        else
        {
            EnsureCapacity(length);
            Length = length;
        }
        return _array.AsSpan(0, length);
    }

    internal void Advance(int count)
    {
        if (count < 0 || Length + count > _array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        Length += count;
    }

    internal void Truncate(int length)
    {
        if (length < 0 || length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
        CryptographicOperations.ZeroMemory(_array.AsSpan(length, Length - length));
        Length = length;
    }

    internal void Clear() => Truncate(0);

    private void EnsureCapacity(long needed)
    {
        if (needed <= _array.Length)
        {
            return;
        }
        if (needed > MaxCapacity)
        {
            throw new InvalidOperationException($"buffer would exceed {MaxCapacity} bytes");
        }
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(MaxCapacity, Math.Max(needed, (long)_array.Length * 2)));
        _array.AsSpan(0, Length).CopyTo(bigger);
        CryptographicOperations.ZeroMemory(_array.AsSpan(0, Length));
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length == 0)
        {
            return;
        }
        CryptographicOperations.ZeroMemory(_array.AsSpan(0, Length));
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }
}
