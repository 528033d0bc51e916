using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// The compact binary form of a batch of events (the plaintext of one log frame).
///
/// A batch is self-contained: all delta state starts from zero at its first event, so any
/// frame decodes on its own. Seq is not stored: event i of a batch has seq firstSeq + i, and
/// the frame header carries firstSeq and the count. Integers are LEB128 varints; "zz" marks
/// zig-zag signed varints. Per event:
///
///   tag     u8   bits 0-4 kind (EventKind), bit 5 wall offset follows, bit 6 modifiers follow, bit 7 zero
///   mono    zz   MonoNs − previous MonoNs (previous = 0 at batch start)
///   wall    zz   Wall.UtcTicks − (previous UtcTicks + monoDelta / 100): ~0 when the clocks agree
///   offset  zz   Wall.Offset in minutes, only if tag bit 5 (Wall is normally UTC)
///   payload by kind:
///     key_down/key_up  key:str, text:str?, [modifiers:varint], key_code:zz
///     pointer_move     x:zz, y:zz                       (deltas from the previous pointer position)
///     button_down/up   button:u8, x:zz, y:zz, [modifiers]
///     scroll           dx:zz, dy:zz, x:zz, y:zz, [modifiers]  (x, y are deltas; dx, dy as given)
///     focus            flags:u8 (bit 0 pid, bit 1 bounds), app:str, instance:str?, title:str?,
///                      [pid:zz], [bounds x,y,w,h: zz×4], window_id:zz
///     gap              reason:str, duration_ns:zz, dropped:zz
///     marker           marker:str, label:str?
///   str: varint h; h = 0 is null, otherwise h − 1 = byteLength &lt;&lt; 1 | isUtf16, then the bytes.
///        Strings are UTF-8; only ill-formed UTF-16 (a lone surrogate) is stored as raw UTF-16LE,
///        so every string round-trips exactly.
///   The previous pointer position (for x/y deltas) starts at (0, 0) and is updated by
///   pointer_move, button and scroll events.
///
/// All arithmetic wraps, so any input value round-trips, not just plausible ones.
/// </summary>
public static class EventCodec
{
    /// <summary>Encodes events whose seqs are consecutive. The result is plaintext: clear it when done.</summary>
    public static byte[] Encode(IReadOnlyList<SessionEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var encoder = new EventBatchEncoder();
        foreach (var sessionEvent in events)
        {
            encoder.Append(sessionEvent);
        }
        return encoder.Encoded.ToArray();
    }

    /// <summary>
    /// Decodes exactly <paramref name="eventCount"/> events numbered from <paramref name="firstSeq"/>.
    /// Malformed input throws <see cref="FormatException"/>; it never reads out of bounds and never
    /// allocates more than a small multiple of the input size.
    /// </summary>
    public static IReadOnlyList<SessionEvent> Decode(ReadOnlySpan<byte> encoded, long firstSeq, int eventCount) =>
        EventBatchDecoder.Decode(encoded, firstSeq, eventCount);
}
