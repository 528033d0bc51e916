using System.Buffers.Binary;
using System.Text;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// Decodes a batch written by <see cref="EventBatchEncoder"/>. Input is authenticated before it
/// gets here, so malformed input means a bug; it is still handled as hostile: every read is
/// bounds-checked and every failure is a <see cref="FormatException"/> that names the event,
/// never the content.
/// </summary>
internal static class EventBatchDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static IReadOnlyList<SessionEvent> Decode(ReadOnlySpan<byte> encoded, long firstSeq, int eventCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventCount);
        // Bounding the count by the input size bounds the allocation below by the input size.
        if (eventCount > encoded.Length / EventCodecFormat.MinimumEncodedEventSize)
        {
            throw new FormatException($"a batch of {encoded.Length} bytes cannot hold {eventCount} events");
        }
        if (firstSeq > long.MaxValue - eventCount)
        {
            throw new FormatException($"seq overflows: first seq {firstSeq} with {eventCount} events");
        }

        var events = new List<SessionEvent>(eventCount);
        var reader = new Reader(encoded);
        var state = default(EventCodecFormat.State);
        for (var i = 0; i < eventCount; i++)
        {
            reader.EventIndex = i;
            events.Add(ReadEvent(ref reader, ref state, firstSeq + i));
        }
        if (!reader.AtEnd)
        {
            throw new FormatException($"{reader.Remaining} unexpected bytes after {eventCount} events");
        }
        return events;
    }

    private static SessionEvent ReadEvent(ref Reader reader, ref EventCodecFormat.State state, long seq)
    {
        var tag = reader.ReadByte();
        if ((tag & EventCodecFormat.ReservedTagBit) != 0)
        {
            throw reader.Error("reserved tag bit is set");
        }
        var kind = (EventKind)(tag & EventCodecFormat.KindMask);
        var hasModifiers = (tag & EventCodecFormat.HasModifiers) != 0;
        if (hasModifiers && !EventCodecFormat.CarriesModifiers(kind))
        {
            throw reader.Error($"modifiers flag on kind {(int)kind}");
        }

        var monoDelta = reader.ReadZigZag();
        var monoNs = unchecked(state.PreviousMonoNs + monoDelta);
        var predictedWall = unchecked(state.PreviousWallTicks + (monoDelta / EventCodecFormat.MonoNanosecondsPerWallTick));
        var wallTicks = unchecked(predictedWall + reader.ReadZigZag());
        var offsetMinutes = (tag & EventCodecFormat.HasWallOffset) != 0 ? reader.ReadZigZag() : 0;
        var wall = ToWall(ref reader, wallTicks, offsetMinutes);
        state.PreviousMonoNs = monoNs;
        state.PreviousWallTicks = wallTicks;

        EventPayload payload;
        switch (kind)
        {
            case EventKind.KeyDown:
            case EventKind.KeyUp:
                {
                    var key = reader.ReadRequiredString();
                    var text = reader.ReadString();
                    var modifiers = ReadModifiers(ref reader, hasModifiers);
                    var keyCode = reader.ReadInt32();
                    payload = new KeyPayload(kind == EventKind.KeyDown, key, text, modifiers, keyCode);
                    break;
                }
            case EventKind.PointerMove:
                {
                    var (x, y) = ReadPosition(ref reader, ref state);
                    payload = new PointerMovePayload(x, y);
                    break;
                }
            case EventKind.ButtonDown:
            case EventKind.ButtonUp:
                {
                    var button = (MouseButton)reader.ReadByte();
                    var (x, y) = ReadPosition(ref reader, ref state);
                    var modifiers = ReadModifiers(ref reader, hasModifiers);
                    payload = new ButtonPayload(kind == EventKind.ButtonDown, button, x, y, modifiers);
                    break;
                }
            case EventKind.Scroll:
                {
                    var dx = reader.ReadInt32();
                    var dy = reader.ReadInt32();
                    var (x, y) = ReadPosition(ref reader, ref state);
                    var modifiers = ReadModifiers(ref reader, hasModifiers);
                    payload = new ScrollPayload(dx, dy, x, y, modifiers);
                    break;
                }
            case EventKind.Focus:
                {
                    var flags = reader.ReadByte();
                    if ((flags & ~EventCodecFormat.FocusKnownFlags) != 0)
                    {
                        throw reader.Error("unknown focus flags");
                    }
                    var app = reader.ReadRequiredString();
                    var instance = reader.ReadString();
                    var title = reader.ReadString();
                    int? pid = (flags & EventCodecFormat.FocusHasPid) != 0 ? reader.ReadInt32() : null;
                    Rect? bounds = (flags & EventCodecFormat.FocusHasBounds) != 0
                        ? new Rect(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32())
                        : null;
                    var windowId = reader.ReadZigZag();
                    payload = new FocusPayload(app, instance, title, pid, bounds, windowId);
                    break;
                }
            case EventKind.Gap:
                {
                    var reason = reader.ReadRequiredString();
                    var durationNs = reader.ReadZigZag();
                    var dropped = reader.ReadZigZag();
                    payload = new GapPayload(reason, durationNs, dropped);
                    break;
                }
            case EventKind.Marker:
                {
                    var marker = reader.ReadRequiredString();
                    var label = reader.ReadString();
                    payload = new MarkerPayload(marker, label);
                    break;
                }
            case EventKind.Element:
                {
                    var forSeq = reader.ReadZigZag();
                    var trigger = reader.ReadRequiredString();
                    var role = reader.ReadRequiredString();
                    var name = reader.ReadString();
                    var label = reader.ReadString();
                    var states = ReadStrings(ref reader);
                    var flags = reader.ReadByte();
                    if ((flags & ~EventCodecFormat.FocusKnownFlags) != 0)
                    {
                        throw reader.Error($"unknown element flags {flags}");
                    }
                    Rect? bounds = (flags & EventCodecFormat.FocusHasBounds) != 0 ? ReadRect(ref reader) : null;
                    var app = reader.ReadString();
                    int? pid = (flags & EventCodecFormat.FocusHasPid) != 0 ? reader.ReadInt32() : null;
                    var count = ReadCount(ref reader);
                    var path = new ElementAncestor[count];
                    for (var i = 0; i < count; i++)
                    {
                        path[i] = new ElementAncestor(reader.ReadRequiredString(), reader.ReadString());
                    }
                    payload = new ElementPayload(forSeq, trigger, role, name, label, states, bounds, app, pid, path);
                    break;
                }
            case EventKind.Ui:
                {
                    var action = reader.ReadRequiredString();
                    var control = reader.ReadString();
                    var controlRole = reader.ReadString();
                    var value = reader.ReadString();
                    var path = ReadStrings(ref reader);
                    bool? isChecked = reader.ReadByte() switch
                    {
                        0 => null,
                        1 => false,
                        2 => true,
                        var other => throw reader.Error($"checked flag {other}"),
                    };
                    var app = reader.ReadString();
                    payload = new UiPayload(action, control, controlRole, value, path, isChecked, app);
                    break;
                }
            case EventKind.Frame:
                {
                    var blob = reader.ReadRequiredString();
                    var grabbed = unchecked(monoNs - reader.ReadZigZag());
                    var region = ReadRect(ref reader);
                    var scale = reader.ReadDouble();
                    var width = reader.ReadInt32();
                    var height = reader.ReadInt32();
                    var format = reader.ReadRequiredString();
                    long? forSeq = reader.ReadByte() switch
                    {
                        0 => null,
                        1 => reader.ReadZigZag(),
                        var other => throw reader.Error($"for_seq flag {other}"),
                    };
                    var role = reader.ReadRequiredString();
                    var baseBlob = reader.ReadString();
                    payload = new FramePayload(blob, grabbed, region, scale, width, height, format, forSeq, role, baseBlob);
                    break;
                }
            case EventKind.Redaction:
                {
                    var target = reader.ReadRequiredString();
                    var type = reader.ReadRequiredString();
                    var count = reader.ReadInt32();
                    var fromSeq = ReadOptionalSeq(ref reader);
                    var toSeq = ReadOptionalSeq(ref reader);
                    payload = new RedactionPayload(target, type, count, fromSeq, toSeq);
                    break;
                }
            default:
                throw reader.Error($"unknown event kind {(int)kind}");
        }
        return new SessionEvent(seq, monoNs, wall, payload);
    }

    private static DateTimeOffset ToWall(ref Reader reader, long utcTicks, long offsetMinutes)
    {
        const long MaxOffsetMinutes = 14 * 60;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            throw reader.Error("wall time out of range");
        }
        if (offsetMinutes is < -MaxOffsetMinutes or > MaxOffsetMinutes)
        {
            throw reader.Error("wall offset out of range");
        }
        try
        {
            return new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        }
        catch (ArgumentException)
        {
            throw reader.Error("wall time out of range for its offset");
        }
    }

    private static long? ReadOptionalSeq(ref Reader reader) => reader.ReadByte() switch
    {
        0 => null,
        1 => reader.ReadZigZag(),
        var other => throw reader.Error($"seq flag {other}"),
    };

    private static Rect ReadRect(ref Reader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());

    private static int ReadCount(ref Reader reader)
    {
        var count = reader.ReadVarUInt();
        // Every item takes at least one byte, so a count beyond what is left is corrupt.
        if (count > (ulong)reader.Remaining)
        {
            throw reader.Error($"list of {count} items in {reader.Remaining} bytes");
        }
        return (int)count;
    }

    private static string[] ReadStrings(ref Reader reader)
    {
        var count = ReadCount(ref reader);
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadRequiredString();
        }
        return values;
    }

    private static (int X, int Y) ReadPosition(ref Reader reader, ref EventCodecFormat.State state)
    {
        var x = (long)state.PreviousX + reader.ReadZigZag();
        var y = (long)state.PreviousY + reader.ReadZigZag();
        if (x is < int.MinValue or > int.MaxValue || y is < int.MinValue or > int.MaxValue)
        {
            throw reader.Error("pointer position out of range");
        }
        state.PreviousX = (int)x;
        state.PreviousY = (int)y;
        return ((int)x, (int)y);
    }

    private static Modifiers ReadModifiers(ref Reader reader, bool present)
    {
        if (!present)
        {
            return Modifiers.None;
        }
        var value = reader.ReadVarUInt();
        if (value is 0 or > ushort.MaxValue)
        {
            throw reader.Error("modifiers out of range");
        }
        return (Modifiers)(ushort)value;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        internal int EventIndex { get; set; }

        internal readonly bool AtEnd => _position == _data.Length;

        internal readonly int Remaining => _data.Length - _position;

        internal readonly FormatException Error(string what) => new($"event {EventIndex} at byte {_position}: {what}");

        internal byte ReadByte()
        {
            if (_position >= _data.Length)
            {
                throw Error("unexpected end of batch");
            }
            return _data[_position++];
        }

        internal ulong ReadVarUInt()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = ReadByte();
                // The tenth byte may only contribute the top bit of a 64-bit value.
                if (shift == 63 && b > 1)
                {
                    throw Error("varint overflows 64 bits");
                }
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
            throw Error("varint longer than 10 bytes");
        }

        internal double ReadDouble()
        {
            if (Remaining < 8)
            {
                throw Error("unexpected end of batch");
            }
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        internal long ReadZigZag()
        {
            var raw = ReadVarUInt();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        internal int ReadInt32()
        {
            var value = ReadZigZag();
            if (value is < int.MinValue or > int.MaxValue)
            {
                throw Error("32-bit value out of range");
            }
            return (int)value;
        }

        internal string ReadRequiredString() => ReadString() ?? throw Error("null where a string is required");

        internal string? ReadString()
        {
            var header = ReadVarUInt();
            if (header == 0)
            {
                return null;
            }
            var isUtf16 = ((header - 1) & 1) != 0;
            var byteLength = (header - 1) >> 1;
            if (byteLength > (ulong)Remaining)
            {
                throw Error("string runs past the end of the batch");
            }
            var bytes = _data.Slice(_position, (int)byteLength);
            _position += (int)byteLength;
            if (isUtf16)
            {
                if (bytes.Length % 2 != 0)
                {
                    throw Error("odd UTF-16 byte length");
                }
                var chars = new char[bytes.Length / 2];
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
                }
                return new string(chars);
            }
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Error("invalid UTF-8");
            }
        }
    }
}
