using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Understudy.Storage;

/// <summary>
/// A blob file under &lt;session&gt;/blobs/&lt;id&gt;: header (16) | nonce (12) | AES-256-GCM
/// ciphertext | tag (16), under the session data key. The AAD is the header, the session id and
/// the blob id, so a blob renamed to another id or copied into another session does not open.
/// </summary>
internal static partial class BlobFormat
{
    internal const string FolderName = "blobs";
    internal const ushort Version = 1;
    internal const int HeaderSize = 16;
    internal const int NonceSize = 12;
    internal const int TagSize = 16;
    internal const int Overhead = HeaderSize + NonceSize + TagSize;
    internal const int IdLength = 32;

    // Encoded frames of a large screen are a few MiB; this only stops a damaged file from costing memory.
    internal const int MaxContentLength = 256 * 1024 * 1024;

    private const string IdKeyInfo = "understudy-blob-id-v1";
    private const int IdBytes = IdLength / 2;
    private static ReadOnlySpan<byte> Magic => "USBLOB01"u8;

    internal static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    internal static void ValidateId(string? id, string parameterName)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException($"blob id must be {IdLength} lowercase hex digits", parameterName);
        }
    }

    /// <summary>The key ids are computed with: a subkey, so the data key itself never keys a MAC.</summary>
    internal static byte[] DeriveIdKey(ReadOnlySpan<byte> dataKey)
    {
        var idKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, idKey, salt: [], info: Encoding.ASCII.GetBytes(IdKeyInfo));
        return idKey;
    }

    internal static string ComputeId(ReadOnlySpan<byte> idKey, ReadOnlySpan<byte> content)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(idKey, content, mac);
        return Convert.ToHexStringLower(mac[..IdBytes]);
    }

    /// <summary>The whole file for <paramref name="content"/>: ciphertext only, nothing in it needs zeroing.</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> dataKey, string sessionId, string blobId, ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxContentLength)
        {
            throw new ArgumentException($"blob is {content.Length} bytes, more than the {MaxContentLength} a blob may hold", nameof(content));
        }
        var file = new byte[Overhead + content.Length];
        WriteHeader(file);
        var nonce = file.AsSpan(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aead = new AesGcm(dataKey, TagSize);
        aead.Encrypt(
            nonce,
            content,
            file.AsSpan(HeaderSize + NonceSize, content.Length),
            file.AsSpan(HeaderSize + NonceSize + content.Length, TagSize),
            Aad(file.AsSpan(0, HeaderSize), sessionId, blobId));
        return file;
    }

    /// <summary>Decrypts a blob file; null with a reason when it is malformed or does not authenticate.</summary>
    internal static byte[]? TryOpen(ReadOnlySpan<byte> dataKey, string sessionId, string blobId, ReadOnlySpan<byte> file, out string? problem)
    {
        if (file.Length < Overhead)
        {
            problem = $"is {file.Length} bytes, shorter than a blob header";
            return null;
        }
        if (!file[..Magic.Length].SequenceEqual(Magic))
        {
            problem = "does not start with USBLOB01";
            return null;
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(file[10..]);
        if (version != Version || headerSize != HeaderSize)
        {
            problem = $"has unsupported version {version} or header size {headerSize}";
            return null;
        }
        var contentLength = file.Length - Overhead;
        var content = new byte[contentLength];
        using var aead = new AesGcm(dataKey, TagSize);
        try
        {
            aead.Decrypt(
                file.Slice(HeaderSize, NonceSize),
                file.Slice(HeaderSize + NonceSize, contentLength),
                file.Slice(HeaderSize + NonceSize + contentLength, TagSize),
                content,
                Aad(file[..HeaderSize], sessionId, blobId));
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(content);
            problem = "does not authenticate (damaged, or moved from another id or session)";
            return null;
        }
        problem = null;
        return content;
    }

    private static void WriteHeader(Span<byte> header)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
    }

    // header (16) | u8 len(session id) | session id | blob id, all ASCII (both ids are validated).
    private static byte[] Aad(ReadOnlySpan<byte> header, string sessionId, string blobId)
    {
        var aad = new byte[HeaderSize + 1 + sessionId.Length + blobId.Length];
        header.CopyTo(aad);
        aad[HeaderSize] = checked((byte)sessionId.Length);
        Encoding.ASCII.GetBytes(sessionId, aad.AsSpan(HeaderSize + 1));
        Encoding.ASCII.GetBytes(blobId, aad.AsSpan(HeaderSize + 1 + sessionId.Length));
        return aad;
    }

    // \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
