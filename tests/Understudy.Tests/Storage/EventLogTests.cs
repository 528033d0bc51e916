using System.Buffers.Binary;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

/// <summary>The events.log frame layer: round trip, crash truncation, corruption, reordering.</summary>
public sealed class EventLogTests : IDisposable
{
    private const int FileHeaderSize = 16;
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static List<SessionEvent> SmallSession() =>
        SampleEvents.Timed(SampleEvents.EveryKind().Concat(SampleEvents.TypicalInput(10)));

    [Fact]
    public void Frames_round_trip_through_writer_and_reader()
    {
        var sessionId = "20261123T063000Z-abcdef";
        var path = Path.Combine(_store.Root, "events.log");
        var dataKey = new byte[32];
        Random.Shared.NextBytes(dataKey);
        var batches = new[] { SmallSession()[..3], SmallSession()[3..4], SmallSession()[4..] };
        for (var i = 1; i < batches.Length; i++)
        {
            batches[i] = SampleEvents.Timed(batches[i].Select(e => e.Payload), firstSeq: batches[i - 1][^1].Seq + 1);
        }

        using (var writer = LogWriter.Create(path, sessionId, dataKey, wrapOutput: null))
        {
            foreach (var batch in batches)
            {
                writer.WriteFrame(EventCodec.Encode(batch), batch[0].Seq, batch.Count);
            }
            Assert.Equal(new FileInfo(path).Length, writer.Length);
        }

        using var reader = LogReader.Open(path, sessionId, dataKey);
        foreach (var batch in batches)
        {
            Assert.True(reader.TryReadFrame(out var events, out var count));
            Assert.Equal(batch.Count, count);
            Assert.Equal(batch, events);
        }
        Assert.False(reader.TryReadFrame(out _, out _));
        Assert.Null(reader.Damage);
        Assert.Equal(3, reader.FrameCount);
    }

    [Fact]
    public void The_log_header_and_frame_headers_have_the_documented_layout()
    {
        var events = SmallSession();
        var (id, frameEnds) = _store.Record(events, eventsPerFrame: 7);
        var log = File.ReadAllBytes(_store.LogPath(id));

        Assert.Equal("USEVLOG1"u8.ToArray(), log[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(log.AsSpan(8)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(log.AsSpan(10)));

        long offset = FileHeaderSize;
        for (var frame = 0; frame < frameEnds.Count; frame++)
        {
            var header = log.AsSpan((int)offset);
            var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(header);
            Assert.Equal(frame * 7L, BinaryPrimitives.ReadInt64LittleEndian(header[4..]));
            Assert.Equal((uint)Math.Min(7, events.Count - frame * 7), BinaryPrimitives.ReadUInt32LittleEndian(header[12..]));
            Assert.Equal((uint)frame, BinaryPrimitives.ReadUInt32LittleEndian(header[16..]));
            offset += 32 + payloadLength + 16;
            Assert.Equal(frameEnds[frame], offset);
        }
        Assert.Equal(log.Length, offset);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Truncation_at_every_byte_keeps_exactly_the_whole_frames_before_it(bool closed)
    {
        var events = SmallSession();
        var (id, frameEnds) = _store.Record(events, eventsPerFrame: 6, close: closed);
        var logPath = _store.LogPath(id);
        var log = File.ReadAllBytes(logPath);
        Assert.Equal(log.Length, frameEnds[^1]);

        for (var cut = 0; cut <= log.Length; cut++)
        {
            File.WriteAllBytes(logPath, log[..cut]);
            var result = _store.Store.Read(id);

            var wholeFrames = frameEnds.Count(end => end <= cut);
            var expectedEvents = Math.Min(events.Count, wholeFrames * 6);
            Assert.Equal(events.Take(expectedEvents), result.Events);

            var lastGoodEnd = cut < FileHeaderSize ? 0 : wholeFrames == 0 ? FileHeaderSize : frameEnds[wholeFrames - 1];
            if (cut == log.Length)
            {
                Assert.Null(result.Damage);
            }
            else if (cut == lastGoodEnd && cut >= FileHeaderSize && !closed)
            {
                // A crash between frames: nothing is known to be missing.
                Assert.Null(result.Damage);
            }
            else
            {
                // A torn frame, or (for a closed session) fewer events than the manifest records.
                Assert.NotNull(result.Damage);
                Assert.Equal(lastGoodEnd, result.Damage.Offset);
                Assert.Equal(cut < FileHeaderSize ? 0 : wholeFrames, result.Damage.FrameIndex);
            }
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_detected_and_the_prefix_kept()
    {
        var events = SmallSession();
        var (id, frameEnds) = _store.Record(events, eventsPerFrame: 8);
        var logPath = _store.LogPath(id);
        var log = File.ReadAllBytes(logPath);
        var frameStarts = new List<long> { FileHeaderSize };
        frameStarts.AddRange(frameEnds[..^1]);

        for (var position = 0; position < log.Length; position++)
        {
            var damaged = (byte[])log.Clone();
            damaged[position] ^= (byte)(1 << (position % 8));
            File.WriteAllBytes(logPath, damaged);

            var result = _store.Store.Read(id);
            Assert.NotNull(result.Damage);
            var frame = position < FileHeaderSize ? -1 : frameStarts.FindLastIndex(start => start <= position);
            var expectedOffset = frame < 0 ? 0 : frameStarts[frame];
            Assert.Equal(expectedOffset, result.Damage.Offset);
            Assert.Equal(events.Take(Math.Max(0, frame) * 8), result.Events);

            var report = _store.Store.Verify(id);
            Assert.False(report.Ok);
            Assert.Equal(expectedOffset, report.Damage!.Offset);
        }
    }

    private (string Id, byte[] Log, List<(int Start, int End)> Frames) ThreeOrMoreFrames()
    {
        var events = SmallSession();
        var (id, frameEnds) = _store.Record(events, eventsPerFrame: 5);
        var log = File.ReadAllBytes(_store.LogPath(id));
        var frames = new List<(int, int)>();
        var start = FileHeaderSize;
        foreach (var end in frameEnds)
        {
            frames.Add((start, (int)end));
            start = (int)end;
        }
        Assert.True(frames.Count >= 4);
        return (id, log, frames);
    }

    private static byte[] Slice(byte[] log, (int Start, int End) frame) => log[frame.Start..frame.End];

    [Fact]
    public void Swapped_middle_frames_are_detected_at_the_first_one()
    {
        var (id, log, frames) = ThreeOrMoreFrames();
        byte[] swapped = [.. log[..frames[1].Start], .. Slice(log, frames[2]), .. Slice(log, frames[1]), .. log[frames[2].End..]];
        File.WriteAllBytes(_store.LogPath(id), swapped);

        var result = _store.Store.Read(id);
        Assert.Equal(frames[1].Start, result.Damage!.Offset);
        Assert.Equal(1, result.Damage.FrameIndex);
        Assert.Contains("frame index is 2, expected 1", result.Damage.Reason, StringComparison.Ordinal);
        Assert.Equal(5, result.Events.Count);
    }

    [Fact]
    public void A_dropped_middle_frame_is_detected_even_with_its_successors_headers_rewritten()
    {
        var (id, log, frames) = ThreeOrMoreFrames();
        byte[] dropped = [.. log[..frames[1].Start], .. log[frames[2].Start..]];
        File.WriteAllBytes(_store.LogPath(id), dropped);
        var result = _store.Store.Read(id);
        Assert.Equal(frames[1].Start, result.Damage!.Offset);
        Assert.Equal(5, result.Events.Count);

        // Renumber the following frames so the headers look continuous: the AAD still binds
        // each frame to its original index and seq, so authentication fails.
        var forged = (byte[])dropped.Clone();
        var offset = frames[1].Start;
        for (var i = 2; i < frames.Count; i++)
        {
            var header = forged.AsSpan(offset);
            BinaryPrimitives.WriteInt64LittleEndian(header[4..], (i - 1) * 5L);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)(i - 1));
            offset += frames[i].End - frames[i].Start;
        }
        File.WriteAllBytes(_store.LogPath(id), forged);
        result = _store.Store.Read(id);
        Assert.Equal(frames[1].Start, result.Damage!.Offset);
        Assert.Contains("authentication", result.Damage.Reason, StringComparison.Ordinal);
        Assert.Equal(5, result.Events.Count);
    }

    [Fact]
    public void A_frame_spliced_in_from_another_session_does_not_authenticate()
    {
        var (first, firstLog, firstFrames) = ThreeOrMoreFrames();
        var (_, otherLog, otherFrames) = ThreeOrMoreFrames();
        // Same position, same index and seq in both sessions: only the key and AAD differ.
        byte[] spliced = [.. firstLog[..firstFrames[1].Start], .. Slice(otherLog, otherFrames[1]), .. firstLog[firstFrames[1].End..]];
        File.WriteAllBytes(_store.LogPath(first), spliced);

        var result = _store.Store.Read(first);
        Assert.Equal(firstFrames[1].Start, result.Damage!.Offset);
        Assert.Contains("authentication", result.Damage.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_complete_session_missing_its_last_frame_is_damaged()
    {
        var (id, log, frames) = ThreeOrMoreFrames();
        File.WriteAllBytes(_store.LogPath(id), log[..frames[^1].Start]);
        var result = _store.Store.Read(id);
        Assert.Equal(frames[^1].Start, result.Damage!.Offset);
        Assert.Contains("manifest records", result.Damage.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEvents_streams_the_valid_prefix_and_reports_damage_once()
    {
        var (id, log, frames) = ThreeOrMoreFrames();
        File.WriteAllBytes(_store.LogPath(id), log[..(frames[2].Start + 40)]);
        var damages = new List<SessionDamage>();
        var streamed = _store.Store.ReadEvents(id, damages.Add).ToList();
        Assert.Equal(10, streamed.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), streamed.Select(e => e.Seq));
        var damage = Assert.Single(damages);
        Assert.Equal(frames[2].Start, damage.Offset);
        Assert.Equal(2, damage.FrameIndex);
        Assert.Contains("truncated", damage.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_counts_frames_events_and_bytes_of_a_good_log()
    {
        // Without frame events: the sample frames reference blobs that were never stored.
        var events = SampleEvents.Timed(SampleEvents.EveryKind().Where(payload => payload is not FramePayload).Concat(SampleEvents.TypicalInput(10)));
        var (id, frameEnds) = _store.Record(events, eventsPerFrame: 4);
        var report = _store.Store.Verify(id);
        Assert.True(report.Ok, report.Damage?.Reason ?? report.Error);
        Assert.True(report.Authenticated);
        Assert.Equal(frameEnds.Count, report.Frames);
        Assert.Equal(events.Count, report.Events);
        Assert.Equal(events.Count - 1, report.LastSeq);
        Assert.Equal(frameEnds[^1], report.Bytes);
        Assert.Equal(report.Bytes, report.ValidBytes);
    }
}
