using System.Buffers.Binary;
using System.Text;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// Encodes events one at a time into a <see cref="SensitiveBuffer"/> (see <see cref="EventCodec"/>
/// for the format). The writer appends into it as events arrive, so a frame's plaintext exists
/// once, in one buffer that is zeroed after encryption.
/// </summary>
internal sealed class EventBatchEncoder : IDisposable
{
    private const int MaxVarIntBytes = 10;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly SensitiveBuffer _buffer = new();
    private EventCodecFormat.State _state;

    internal int Count { get; private set; }

    internal long FirstSeq { get; private set; }

    internal ReadOnlySpan<byte> Encoded => _buffer.WrittenSpan;

    internal int Length => _buffer.Length;

    /// <summary>
    /// Appends one event. If it fails, or the batch would grow past <paramref name="maxLength"/>
    /// bytes, the batch is left exactly as it was and an <see cref="ArgumentException"/> is thrown.
    /// </summary>
    internal void Append(SessionEvent sessionEvent, int maxLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(sessionEvent);
        if (Count > 0 && sessionEvent.Seq != unchecked(FirstSeq + Count))
        {
            throw new ArgumentException(
                $"event seq {sessionEvent.Seq} does not follow seq {FirstSeq + Count - 1}: a batch holds consecutive events",
                nameof(sessionEvent));
        }
        var savedState = _state;
        var savedLength = _buffer.Length;
        try
        {
            Write(sessionEvent);
            if (_buffer.Length > maxLength)
            {
                throw new ArgumentException(
                    $"event seq {sessionEvent.Seq} is too large to store ({_buffer.Length - savedLength} bytes encoded)",
                    nameof(sessionEvent));
            }
        }
        catch
        {
            _state = savedState;
            _buffer.Truncate(savedLength);
            throw;
        }
        if (Count == 0)
        {
            FirstSeq = sessionEvent.Seq;
        }
        Count++;
    }

    /// <summary>Starts a new batch; the old plaintext is zeroed.</summary>
    internal void Reset()
    {
        _buffer.Clear();
        _state = default;
        Count = 0;
        FirstSeq = 0;
    }

    public void Dispose() => _buffer.Dispose();

    private void Write(SessionEvent sessionEvent)
    {
        var payload = sessionEvent.Payload ?? throw new ArgumentException($"event seq {sessionEvent.Seq} has no payload", nameof(sessionEvent));
        var kind = payload.Kind;
        var modifiers = payload switch
        {
            KeyPayload key => key.Modifiers,
            ButtonPayload button => button.Modifiers,
            ScrollPayload scroll => scroll.Modifiers,
            _ => Modifiers.None,
        };
        var offsetMinutes = sessionEvent.Wall.Offset.Ticks / TimeSpan.TicksPerMinute;

        var tag = (byte)kind;
        if (tag == 0 || tag > EventCodecFormat.KindMask)
        {
            throw new ArgumentException($"event kind {kind} cannot be encoded", nameof(sessionEvent));
        }
        if (offsetMinutes != 0)
        {
            tag |= EventCodecFormat.HasWallOffset;
        }
        if (modifiers != Modifiers.None)
        {
            tag |= EventCodecFormat.HasModifiers;
        }
        WriteByte(tag);

        var monoDelta = unchecked(sessionEvent.MonoNs - _state.PreviousMonoNs);
        var wallTicks = sessionEvent.Wall.UtcTicks;
        var predictedWall = unchecked(_state.PreviousWallTicks + (monoDelta / EventCodecFormat.MonoNanosecondsPerWallTick));
        WriteZigZag(monoDelta);
        WriteZigZag(unchecked(wallTicks - predictedWall));
        if (offsetMinutes != 0)
        {
            WriteZigZag(offsetMinutes);
        }
        _state.PreviousMonoNs = sessionEvent.MonoNs;
        _state.PreviousWallTicks = wallTicks;

        switch (payload)
        {
            case KeyPayload key:
                WriteString(key.Key ?? throw MissingString(sessionEvent, nameof(KeyPayload.Key)));
                WriteString(key.Text);
                WriteModifiers(modifiers);
                WriteZigZag(key.KeyCode);
                break;
            case PointerMovePayload move:
                WritePosition(move.X, move.Y);
                break;
            case ButtonPayload button:
                WriteByte((byte)button.Button);
                WritePosition(button.X, button.Y);
                WriteModifiers(modifiers);
                break;
            case ScrollPayload scroll:
                WriteZigZag(scroll.Dx);
                WriteZigZag(scroll.Dy);
                WritePosition(scroll.X, scroll.Y);
                WriteModifiers(modifiers);
                break;
            case FocusPayload focus:
                var flags = (byte)((focus.Pid.HasValue ? EventCodecFormat.FocusHasPid : 0) | (focus.Bounds.HasValue ? EventCodecFormat.FocusHasBounds : 0));
                WriteByte(flags);
                WriteString(focus.App ?? throw MissingString(sessionEvent, nameof(FocusPayload.App)));
                WriteString(focus.Instance);
                WriteString(focus.Title);
                if (focus.Pid is { } pid)
                {
                    WriteZigZag(pid);
                }
                if (focus.Bounds is { } bounds)
                {
                    WriteZigZag(bounds.X);
                    WriteZigZag(bounds.Y);
                    WriteZigZag(bounds.Width);
                    WriteZigZag(bounds.Height);
                }
                WriteZigZag(focus.WindowId);
                break;
            case GapPayload gap:
                WriteString(gap.Reason ?? throw MissingString(sessionEvent, nameof(GapPayload.Reason)));
                WriteZigZag(gap.DurationNs);
                WriteZigZag(gap.Dropped);
                break;
            case MarkerPayload marker:
                WriteString(marker.Marker ?? throw MissingString(sessionEvent, nameof(MarkerPayload.Marker)));
                WriteString(marker.Label);
                break;
            case ElementPayload element:
                WriteZigZag(element.ForSeq);
                WriteString(element.Trigger ?? throw MissingString(sessionEvent, nameof(ElementPayload.Trigger)));
                WriteString(element.Role ?? throw MissingString(sessionEvent, nameof(ElementPayload.Role)));
                WriteString(element.Name);
                WriteString(element.Label);
                WriteStrings(sessionEvent, element.States);
                WriteByte((byte)((element.Pid.HasValue ? EventCodecFormat.FocusHasPid : 0) | (element.Bounds.HasValue ? EventCodecFormat.FocusHasBounds : 0)));
                if (element.Bounds is { } elementBounds)
                {
                    WriteRect(elementBounds);
                }
                WriteString(element.App);
                if (element.Pid is { } elementPid)
                {
                    WriteZigZag(elementPid);
                }
                WriteVarUInt((ulong)element.Path.Count);
                foreach (var ancestor in element.Path)
                {
                    WriteString(ancestor?.Role ?? throw MissingString(sessionEvent, nameof(ElementAncestor.Role)));
                    WriteString(ancestor.Name);
                }
                break;
            case UiPayload ui:
                WriteString(ui.Action ?? throw MissingString(sessionEvent, nameof(UiPayload.Action)));
                WriteString(ui.Control);
                WriteString(ui.ControlRole);
                WriteString(ui.Value);
                WriteStrings(sessionEvent, ui.Path);
                WriteByte(ui.Checked switch { null => 0, false => 1, true => 2 });
                WriteString(ui.App);
                break;
            case FramePayload frame:
                WriteString(frame.Blob ?? throw MissingString(sessionEvent, nameof(FramePayload.Blob)));
                WriteZigZag(unchecked(sessionEvent.MonoNs - frame.GrabbedMonoNs));
                WriteRect(frame.Region);
                BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), frame.Scale);
                _buffer.Advance(8);
                WriteZigZag(frame.Width);
                WriteZigZag(frame.Height);
                WriteString(frame.Format ?? throw MissingString(sessionEvent, nameof(FramePayload.Format)));
                WriteByte(frame.ForSeq.HasValue ? (byte)1 : (byte)0);
                if (frame.ForSeq is { } forSeq)
                {
                    WriteZigZag(forSeq);
                }
                WriteString(frame.Role ?? throw MissingString(sessionEvent, nameof(FramePayload.Role)));
                WriteString(frame.Base);
                break;
            case RedactionPayload redaction:
                WriteString(redaction.Target ?? throw MissingString(sessionEvent, nameof(RedactionPayload.Target)));
                WriteString(redaction.Type ?? throw MissingString(sessionEvent, nameof(RedactionPayload.Type)));
                WriteZigZag(redaction.Count);
                WriteOptionalSeq(redaction.FromSeq);
                WriteOptionalSeq(redaction.ToSeq);
                break;
            default:
                throw new ArgumentException($"event seq {sessionEvent.Seq}: payload type {payload.GetType().Name} cannot be encoded", nameof(sessionEvent));
        }
    }

    private static ArgumentException MissingString(SessionEvent sessionEvent, string field) =>
        new($"event seq {sessionEvent.Seq}: {field} must not be null", nameof(sessionEvent));

    private void WriteOptionalSeq(long? seq)
    {
        WriteByte(seq.HasValue ? (byte)1 : (byte)0);
        if (seq is { } value)
        {
            WriteZigZag(value);
        }
    }

    private void WriteRect(Rect rect)
    {
        WriteZigZag(rect.X);
        WriteZigZag(rect.Y);
        WriteZigZag(rect.Width);
        WriteZigZag(rect.Height);
    }

    private void WriteStrings(SessionEvent sessionEvent, ValueList<string> values)
    {
        WriteVarUInt((ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(value ?? throw MissingString(sessionEvent, "list item"));
        }
    }

    private void WritePosition(int x, int y)
    {
        WriteZigZag((long)x - _state.PreviousX);
        WriteZigZag((long)y - _state.PreviousY);
        _state.PreviousX = x;
        _state.PreviousY = y;
    }

    private void WriteModifiers(Modifiers modifiers)
    {
        if (modifiers != Modifiers.None)
        {
            WriteVarUInt((ushort)modifiers);
        }
    }

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    private void WriteZigZag(long value) => WriteVarUInt(unchecked((ulong)((value << 1) ^ (value >> 63))));

    private void WriteVarUInt(ulong value)
    {
        var span = _buffer.GetSpan(MaxVarIntBytes);
        var written = 0;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[written++] = (byte)value;
        _buffer.Advance(written);
    }

    private void WriteString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt(0);
            return;
        }
        if (value.Length > EventCodecFormat.MaxStringChars)
        {
            throw new ArgumentException($"a string of {value.Length} characters is too long to store", nameof(value));
        }
        int utf8Length;
        try
        {
            utf8Length = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            WriteUtf16(value);
            return;
        }
        WriteVarUInt(((ulong)utf8Length << 1) + 1);
        var written = StrictUtf8.GetBytes(value, _buffer.GetSpan(utf8Length));
        _buffer.Advance(written);
    }

    // Only for strings that are not valid UTF-16 (lone surrogates), which UTF-8 cannot carry.
    private void WriteUtf16(string value)
    {
        var byteLength = (ulong)value.Length * 2;
        WriteVarUInt((byteLength << 1 | 1) + 1);
        var span = _buffer.GetSpan(value.Length * 2);
        for (var i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[(i * 2)..], value[i]);
        }
        _buffer.Advance(value.Length * 2);
    }
}
