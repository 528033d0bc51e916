using FsCheck.Xunit;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Tests.Pipeline;

public sealed class EventOrdererTests
{
    [Property(MaxTest = 200)]
    public bool Releases_every_event_once_in_non_decreasing_time_order(int[] offsetsMs)
    {
        var orderer = new EventOrderer(windowNs: 30_000_000);
        var output = new List<CapturedEvent>();
        var now = 0L;
        var i = 0;
        foreach (var offset in offsetsMs)
        {
            // Arrival jitter of up to ±25 ms around a clock that moves forward 5 ms per event.
            now += 5_000_000;
            var stamp = now + ((long)(offset % 25) * 1_000_000);
            orderer.Add(new CapturedEvent(stamp, DateTimeOffset.UnixEpoch, new MarkerPayload("m", (i++).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            orderer.Release(now, output);
        }
        orderer.ReleaseAll(output);
        var monotonic = output.Zip(output.Skip(1)).All(pair => pair.First.MonoNs <= pair.Second.MonoNs);
        var complete = output.Select(e => ((MarkerPayload)e.Payload).Label).Order().SequenceEqual(Enumerable.Range(0, offsetsMs.Length).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order());
        return monotonic && complete && orderer.PendingCount == 0;
    }

    [Fact]
    public void Holds_events_for_the_window_so_a_slower_source_can_slot_in()
    {
        var orderer = new EventOrderer(windowNs: 30_000_000);
        var output = new List<CapturedEvent>();
        orderer.Add(new CapturedEvent(100_000_000, DateTimeOffset.UnixEpoch, new PointerMovePayload(1, 1)));
        orderer.Release(110_000_000, output);
        Assert.Empty(output);
        orderer.Add(new CapturedEvent(90_000_000, DateTimeOffset.UnixEpoch, new PointerMovePayload(0, 0)));
        orderer.Release(140_000_000, output);
        Assert.Equal([0, 1], output.Select(e => ((PointerMovePayload)e.Payload).X));
    }

    [Fact]
    public void A_straggler_later_than_the_window_is_clamped_not_reordered()
    {
        var orderer = new EventOrderer(windowNs: 10);
        var output = new List<CapturedEvent>();
        orderer.Add(new CapturedEvent(1000, DateTimeOffset.UnixEpoch, new PointerMovePayload(1, 1)));
        orderer.Release(2000, output);
        orderer.Add(new CapturedEvent(500, DateTimeOffset.UnixEpoch, new PointerMovePayload(2, 2)));
        orderer.ReleaseAll(output);
        Assert.Equal([1000L, 1000L], output.Select(e => e.MonoNs));
        Assert.Equal(1, orderer.ClampedLateEvents);
    }
}
