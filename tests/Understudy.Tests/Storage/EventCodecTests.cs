using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed class EventCodecTests
{
    /// <summary>Record equality compares DateTimeOffset as an instant; round-tripping must also keep its offset.</summary>
    private static bool Identical(IReadOnlyList<SessionEvent> expected, IReadOnlyList<SessionEvent> actual) =>
        expected.Count == actual.Count
        && expected.Zip(actual).All(pair => pair.First == pair.Second && pair.First.Wall.Offset == pair.Second.Wall.Offset);

    [Property(MaxTest = 400)]
    public Property Any_batch_of_any_events_round_trips_exactly() =>
        Prop.ForAll(EventGenerators.Batch.ToArbitrary(), batch =>
        {
            var firstSeq = batch.Length > 0 ? batch[0].Seq : 0;
            var decoded = EventCodec.Decode(EventCodec.Encode(batch), firstSeq, batch.Length);
            return Identical(batch, decoded);
        });

    [Fact]
    public void Every_kind_with_awkward_values_round_trips()
    {
        var events = SampleEvents.Timed(SampleEvents.EveryKind(), firstSeq: 41);
        var decoded = EventCodec.Decode(EventCodec.Encode(events), 41, events.Count);
        Assert.True(Identical(events, decoded));
        Assert.Equal(events, decoded);
    }

    [Fact]
    public void Nulls_stay_null_and_empty_stays_empty()
    {
        var events = SampleEvents.Timed(
        [
            new FocusPayload("", null, null, null, null, 0),
            new FocusPayload("a", "", "", 0, new Rect(0, 0, 0, 0), -1),
            new KeyPayload(true, "k", null, Modifiers.None, 0),
            new KeyPayload(true, "k", "", Modifiers.None, 0),
            new MarkerPayload("m", null),
            new MarkerPayload("m", ""),
        ]);
        var decoded = EventCodec.Decode(EventCodec.Encode(events), 0, events.Count);

        var absent = Assert.IsType<FocusPayload>(decoded[0].Payload);
        Assert.Null(absent.Instance);
        Assert.Null(absent.Title);
        Assert.Null(absent.Pid);
        Assert.Null(absent.Bounds);
        var present = Assert.IsType<FocusPayload>(decoded[1].Payload);
        Assert.Equal("", present.Instance);
        Assert.Equal(0, present.Pid);
        Assert.Equal(new Rect(0, 0, 0, 0), present.Bounds);
        Assert.Null(Assert.IsType<KeyPayload>(decoded[2].Payload).Text);
        Assert.Equal("", Assert.IsType<KeyPayload>(decoded[3].Payload).Text);
        Assert.Null(Assert.IsType<MarkerPayload>(decoded[4].Payload).Label);
        Assert.Equal("", Assert.IsType<MarkerPayload>(decoded[5].Payload).Label);
    }

    [Fact]
    public void Wall_time_keeps_its_offset_and_extremes()
    {
        var events = new List<SessionEvent>
        {
            new(0, long.MinValue, DateTimeOffset.MinValue, new PointerMovePayload(0, 0)),
            new(1, long.MaxValue, DateTimeOffset.MaxValue, new PointerMovePayload(0, 0)),
            new(2, 0, new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.FromHours(1)), new PointerMovePayload(0, 0)),
            new(3, -5, new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.FromMinutes(-570)), new PointerMovePayload(0, 0)),
        };
        var decoded = EventCodec.Decode(EventCodec.Encode(events), 0, events.Count);
        Assert.True(Identical(events, decoded));
        Assert.Equal(TimeSpan.FromHours(1), decoded[2].Wall.Offset);
    }

    [Fact]
    public void Typical_events_are_small()
    {
        var events = SampleEvents.Timed(
        [
            new PointerMovePayload(960, 540),
            new PointerMovePayload(963, 538),
            new KeyPayload(true, "a", "a", Modifiers.None, 38),
            new KeyPayload(false, "a", null, Modifiers.None, 38),
        ]);
        var first = EventCodec.Encode(events.Take(1).ToList()).Length;
        var all = EventCodec.Encode(events).Length;
        // The first event carries absolute clocks and position; the rest are deltas.
        Assert.True(all - first <= 9 + 12 + 11, $"three delta-coded events took {all - first} bytes");
    }

    [Fact]
    public void Seqs_in_a_batch_must_be_consecutive()
    {
        var events = SampleEvents.Timed([new PointerMovePayload(1, 1), new PointerMovePayload(2, 2)]);
        var gap = new[] { events[0], events[1] with { Seq = 5 } };
        Assert.Throws<ArgumentException>(() => EventCodec.Encode(gap));
    }

    [Fact]
    public void A_payload_type_the_codec_does_not_know_is_refused()
    {
        var events = new[] { new SessionEvent(0, 0, SampleEvents.Start, new UnknownPayload()) };
        Assert.Throws<ArgumentException>(() => EventCodec.Encode(events));
    }

    private sealed record UnknownPayload : EventPayload
    {
        public override EventKind Kind => (EventKind)30;
    }

    [Fact]
    public void Every_truncation_of_a_batch_is_a_format_error()
    {
        var events = SampleEvents.Timed(SampleEvents.EveryKind());
        var encoded = EventCodec.Encode(events);
        for (var length = 0; length < encoded.Length; length++)
        {
            var cut = encoded[..length];
            Assert.Throws<FormatException>(() => EventCodec.Decode(cut, 0, events.Count));
        }
    }

    [Fact]
    public void Trailing_bytes_and_wrong_counts_are_format_errors()
    {
        var events = SampleEvents.Timed([new PointerMovePayload(1, 2), new PointerMovePayload(3, 4)]);
        var encoded = EventCodec.Encode(events);
        Assert.Throws<FormatException>(() => EventCodec.Decode([.. encoded, 0], 0, 2));
        Assert.Throws<FormatException>(() => EventCodec.Decode(encoded, 0, 1));
        Assert.Throws<FormatException>(() => EventCodec.Decode(encoded, 0, 3));
    }

    [Fact]
    public void A_huge_claimed_count_is_refused_before_allocating()
    {
        var error = Assert.Throws<FormatException>(() => EventCodec.Decode(new byte[16], 0, int.MaxValue));
        Assert.Contains("cannot hold", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => EventCodec.Decode(new byte[16], long.MaxValue, 2));
    }

    [Fact]
    public void A_string_longer_than_the_batch_is_refused()
    {
        // tag key_down, mono 0, wall 0, key string claiming 2^40 bytes of UTF-8.
        byte[] hostile = [(byte)EventKind.KeyDown, 0, 0, 0x81, 0x80, 0x80, 0x80, 0x80, 0x40];
        Assert.Throws<FormatException>(() => EventCodec.Decode(hostile, 0, 1));
    }

    [Property(MaxTest = 2000)]
    public bool Arbitrary_bytes_decode_or_fail_with_a_format_error(byte[] bytes, byte count)
    {
        try
        {
            EventCodec.Decode(bytes ?? [], 0, count % 8);
            return true;
        }
        catch (FormatException)
        {
            return true;
        }
    }

    [Property(MaxTest = 300)]
    public Property A_corrupted_valid_batch_decodes_or_fails_with_a_format_error() =>
        Prop.ForAll(
            EventGenerators.Batch.Where(batch => batch.Length > 0).ToArbitrary(),
            ArbMap.Default.ArbFor<int>(),
            ArbMap.Default.ArbFor<byte>(),
            (batch, position, value) =>
            {
                var encoded = EventCodec.Encode(batch);
                encoded[(int)((uint)position % (uint)encoded.Length)] ^= (byte)(value | 1);
                try
                {
                    EventCodec.Decode(encoded, batch[0].Seq, batch.Length);
                }
                catch (FormatException)
                {
                }
            });
}
