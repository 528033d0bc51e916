using System.Buffers.Binary;
using System.Text;

namespace Understudy.Storage;

/// <summary>
/// Byte layout of events.log (all integers little-endian):
///
///   file header, 16 bytes, plaintext, nothing secret:
///     0  8  magic "USEVLOG1"
///     8  2  format version (1)
///    10  2  header size (16)
///    12  4  reserved, zero
///   then frames, back to back, each one batch of events:
///     0  4  payload length n (bytes of ciphertext)
///     4  8  first_seq: seq of the frame's first event
///    12  4  event_count (≥ 1)
///    16  4  frame_index: 0, 1, 2, … within the session
///    20 12  nonce
///    32  n  ciphertext: AES-256-GCM of the <see cref="EventCodec"/> encoding of the events
///  32+n 16  GCM tag
///
/// The GCM key is the session's data key. The AAD is
///   "USEVLOG1" | u8 length of session id | session id (ASCII) | u32 frame_index | u64 first_seq | u32 event_count
/// so a frame does not authenticate in another session, at another position, or with its
/// header edited. A reader expects frame_index to count up from 0 and each first_seq to continue
/// from the previous frame; any mismatch is damage at that frame's offset, which is how a frame
/// dropped from the middle or moved is detected (the tag alone cannot see a missing frame).
///
/// Nonces are 12 random bytes, not a counter. A counter (e.g. frame_index) would repeat if the
/// writer had to undo a failed write and then wrote that frame_index again with different
/// events; a repeated nonce under one GCM key leaks the XOR of plaintexts and the
/// authentication key. Random 96-bit nonces need no state to get wrong; the chance of any
/// repeat among q frames is about q²/2^97 (2^-65 for 2^16 frames, 4.5 hours at 4 frames/s),
/// and the NIST limit of 2^32 random nonces per key is far beyond any session.
///
/// Frames are not compressed: measured on typical input (pointer moves, keys, clicks),
/// Brotli and Deflate made 5- and 20-event frames larger, and only saved ~10% at 80 events.
/// </summary>
internal static class LogFormat
{
    internal const string FileName = "events.log";
    internal const int FileHeaderSize = 16;
    internal const ushort Version = 1;
    internal const int FrameHeaderSize = 32;
    internal const int NonceOffset = 20;
    internal const int NonceSize = 12;
    internal const int TagSize = 16;
    internal const int FrameOverhead = FrameHeaderSize + TagSize;

    /// <summary>A reader refuses to allocate for a frame claiming more than this.</summary>
    internal const int MaxPayloadLength = 16 * 1024 * 1024;

    /// <summary>The writer starts a new frame before one grows past these, far below the maxima.</summary>
    internal const int FlushThresholdBytes = 1024 * 1024;
    internal const int MaxEventsPerFrame = 65536;

    private const int MaxAadLength = 64;

    internal static ReadOnlySpan<byte> Magic => "USEVLOG1"u8;

    internal static void WriteFileHeader(Span<byte> destination)
    {
        destination[..FileHeaderSize].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], FileHeaderSize);
    }

    /// <summary>Null if the header is good, else why not.</summary>
    internal static string? CheckFileHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..8].SequenceEqual(Magic))
        {
            return "not an understudy event log (bad magic)";
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != Version)
        {
            return $"unsupported event log version {version}";
        }
        var size = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        if (size != FileHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != 0)
        {
            return "event log header is damaged";
        }
        return null;
    }

    internal readonly record struct FrameHeader(uint PayloadLength, long FirstSeq, uint EventCount, uint FrameIndex);

    internal static void WriteFrameHeader(Span<byte> destination, FrameHeader header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, header.PayloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], header.FirstSeq);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], header.EventCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], header.FrameIndex);
    }

    internal static FrameHeader ReadFrameHeader(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadInt64LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[16..]));

    /// <summary>Builds the AAD into a caller buffer of at least 64 bytes and returns it.</summary>
    internal static ReadOnlySpan<byte> BuildAad(Span<byte> destination, string sessionId, FrameHeader header)
    {
        // Session ids are validated ASCII of fixed length, so this always fits.
        var idLength = Encoding.ASCII.GetByteCount(sessionId);
        if (idLength > MaxAadLength - 8 - 1 - 16)
        {
            throw new ArgumentException("session id too long for the frame AAD", nameof(sessionId));
        }
        Magic.CopyTo(destination);
        destination[8] = (byte)idLength;
        Encoding.ASCII.GetBytes(sessionId, destination[9..]);
        var position = 9 + idLength;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[position..], header.FrameIndex);
        BinaryPrimitives.WriteInt64LittleEndian(destination[(position + 4)..], header.FirstSeq);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(position + 12)..], header.EventCount);
        return destination[..(position + 16)];
    }

    internal const int AadBufferSize = MaxAadLength;
}
