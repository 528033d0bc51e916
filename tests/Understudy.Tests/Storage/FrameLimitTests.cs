using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

/// <summary>A caller that never flushes still gets frames a reader accepts.</summary>
public sealed class FrameLimitTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_frame_is_flushed_on_its_own_when_it_reaches_the_event_limit()
    {
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(65_536 + 10));
        var writer = _store.Store.Create(TestStore.Start);
        foreach (var sessionEvent in events)
        {
            writer.Append(sessionEvent);
        }
        Assert.Equal(65_536, writer.EventsWritten);
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));

        var result = _store.Store.Read(writer.Id);
        Assert.Null(result.Damage);
        Assert.Equal(2, result.Frames);
        Assert.Equal(events.Count, result.Events.Count);
    }

    [Fact]
    public void A_frame_is_flushed_on_its_own_when_it_reaches_the_byte_limit()
    {
        var title = new string('t', 200_000);
        var events = SampleEvents.Timed(Enumerable.Range(0, 8).Select(i => (EventPayload)new FocusPayload("app", null, title + i, i, null, i)));
        var writer = _store.Store.Create(TestStore.Start);
        foreach (var sessionEvent in events)
        {
            writer.Append(sessionEvent);
        }
        Assert.True(writer.EventsWritten > 0, "nothing was flushed although the frame passed 1 MiB");
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        Assert.Equal(events, _store.Store.Read(writer.Id).Events);
    }

    [Fact]
    public void An_event_too_large_for_any_frame_is_refused_and_the_writer_goes_on()
    {
        var events = SampleEvents.Timed(
        [
            new PointerMovePayload(1, 1),
            new FocusPayload("app", null, new string('x', 17 * 1024 * 1024), null, null, 1),
            new PointerMovePayload(2, 2),
        ]);
        var writer = _store.Store.Create(TestStore.Start);
        writer.Append(events[0]);
        Assert.Throws<ArgumentException>(() => writer.Append(events[1]));
        writer.Append(events[2] with { Seq = 1 });
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));

        var read = _store.Store.Read(writer.Id).Events;
        Assert.Equal([events[0], events[2] with { Seq = 1 }], read);
    }
}
