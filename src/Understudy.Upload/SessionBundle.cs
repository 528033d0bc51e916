using System.Buffers.Binary;
using System.Text;
using Understudy.Storage;

namespace Understudy.Upload;

/// <summary>One file of a bundle: the session's encrypted log, or one of its encrypted frame blobs.</summary>
public enum BundleEntryKind : byte
{
    EventLog = 1,
    Blob = 2,
}

/// <summary>
/// What travels for one session: its files exactly as the recorder stored them, which are
/// ciphertext already (events.log frames and blobs are AES-GCM under the session data key), in
/// one stream. The data key itself never travels in the bundle: it goes sealed to the collector
/// in the upload's metadata, so deleting that one record makes every copy of the bundle noise.
///
/// Layout (little-endian): magic "USBNDL01" (8) | u32 entry count, then per entry
/// u8 kind | u8 name length | name (ASCII) | u64 length | bytes. The event log comes first and
/// exactly once; blob names are blob ids (32 lowercase hex digits).
/// </summary>
public static class SessionBundle
{
    public const int MaxEntries = 1_000_000;
    private const int MaxNameLength = 64;
    private static ReadOnlySpan<byte> Magic => "USBNDL01"u8;

    /// <summary>Writes the bundle of a session directory to <paramref name="output"/>; returns the number of entries.</summary>
    internal static int Write(string sessionDirectory, Stream output)
    {
        var logPath = Path.Combine(sessionDirectory, LogFormat.FileName);
        var blobDirectory = Path.Combine(sessionDirectory, BlobFormat.FolderName);
        var blobs = Directory.Exists(blobDirectory)
            ? Directory.EnumerateFiles(blobDirectory).Select(Path.GetFileName).OfType<string>().Where(BlobFormat.IsValidId).Order(StringComparer.Ordinal).ToList()
            : [];
        Span<byte> header = stackalloc byte[12];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], checked((uint)(1 + blobs.Count)));
        output.Write(header);
        WriteEntry(output, BundleEntryKind.EventLog, LogFormat.FileName, logPath);
        foreach (var blob in blobs)
        {
            WriteEntry(output, BundleEntryKind.Blob, blob, Path.Combine(blobDirectory, blob));
        }
        return 1 + blobs.Count;
    }

    private static void WriteEntry(Stream output, BundleEntryKind kind, string name, string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var nameBytes = Encoding.ASCII.GetBytes(name);
        Span<byte> entryHeader = stackalloc byte[2 + MaxNameLength + 8];
        entryHeader[0] = (byte)kind;
        entryHeader[1] = (byte)nameBytes.Length;
        nameBytes.CopyTo(entryHeader[2..]);
        BinaryPrimitives.WriteUInt64LittleEndian(entryHeader[(2 + nameBytes.Length)..], (ulong)file.Length);
        output.Write(entryHeader[..(2 + nameBytes.Length + 8)]);
        file.CopyTo(output);
    }

    /// <summary>
    /// Reads a bundle entry by entry. Every length is checked against what can follow, so a
    /// truncated or hostile bundle is refused with a message, never read past its end.
    /// </summary>
    public static IEnumerable<BundleEntry> Read(Stream input, long totalLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = new byte[12];
        ReadExactly(input, header, "the bundle header");
        if (!header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new BundleFormatException("not an understudy session bundle (bad magic)");
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (count is 0 or > MaxEntries)
        {
            throw new BundleFormatException($"bundle declares {count} entries");
        }
        long position = 12;
        var entryHeader = new byte[2];
        var lengthBytes = new byte[8];
        for (var i = 0; i < count; i++)
        {
            ReadExactly(input, entryHeader, $"entry {i}");
            var kind = (BundleEntryKind)entryHeader[0];
            int nameLength = entryHeader[1];
            if (kind is not (BundleEntryKind.EventLog or BundleEntryKind.Blob) || nameLength is 0 or > MaxNameLength)
            {
                throw new BundleFormatException($"entry {i} has an unknown kind or a bad name length");
            }
            var nameBytes = new byte[nameLength];
            ReadExactly(input, nameBytes, $"entry {i}'s name");
            ReadExactly(input, lengthBytes, $"entry {i}'s length");
            position += 2 + nameLength + 8;
            var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (length > (ulong)(totalLength - position))
            {
                throw new BundleFormatException($"entry {i} claims {length} bytes but the bundle ends sooner");
            }
            var name = Encoding.ASCII.GetString(nameBytes);
            if ((i == 0) != (kind == BundleEntryKind.EventLog) ||
                (kind == BundleEntryKind.EventLog && name != LogFormat.FileName) ||
                (kind == BundleEntryKind.Blob && !BlobFormat.IsValidId(name)))
            {
                throw new BundleFormatException($"entry {i} is not where or what a bundle allows (the event log first, then blobs by id)");
            }
            var content = new BoundedReadStream(input, (long)length);
            yield return new BundleEntry(kind, name, (long)length, content);
            content.SkipRest();
            position += (long)length;
        }
        if (position != totalLength)
        {
            throw new BundleFormatException($"bundle has {totalLength - position} bytes after its last entry");
        }
    }

    private static void ReadExactly(Stream input, byte[] buffer, string what)
    {
        try
        {
            input.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new BundleFormatException($"bundle ends inside {what}");
        }
    }
}

/// <summary>One entry as read; <see cref="Content"/> is valid only until the next entry is read.</summary>
public sealed record BundleEntry(BundleEntryKind Kind, string Name, long Length, Stream Content);

public sealed class BundleFormatException(string message) : Exception(message);

/// <summary>A read-only window of the next <c>length</c> bytes of a stream.</summary>
internal sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0)
        {
            return 0;
        }
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        if (read == 0)
        {
            throw new BundleFormatException("bundle ends inside an entry");
        }
        _remaining -= read;
        return read;
    }

    internal void SkipRest()
    {
        var scratch = new byte[Math.Min(_remaining, 81920)];
        while (_remaining > 0)
        {
            _ = Read(scratch);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
