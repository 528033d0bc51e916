using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// Passes events on to the real writer and keeps live counters that other threads read while
/// the recorder runs, so that each burst can be accounted for on its own.
/// </summary>
internal sealed class CountingEventWriter(IEventWriter inner) : IEventWriter
{
    private long _pointerMoves;
    private long _overflowDropped;
    private long _events;
    private long _flushes;

    public long PointerMoves => Volatile.Read(ref _pointerMoves);

    /// <summary>Sum of <c>dropped</c> over the input_overflow gaps written so far.</summary>
    public long OverflowDropped => Volatile.Read(ref _overflowDropped);

    public long Events => Volatile.Read(ref _events);

    public long Flushes => Volatile.Read(ref _flushes);

    public void Append(SessionEvent sessionEvent)
    {
        inner.Append(sessionEvent);
        switch (sessionEvent.Payload)
        {
            case PointerMovePayload:
                Interlocked.Increment(ref _pointerMoves);
                break;
            case GapPayload { Reason: GapReasons.InputOverflow } gap:
                Interlocked.Add(ref _overflowDropped, gap.Dropped);
                break;
        }
        Interlocked.Increment(ref _events);
    }

    public void Flush()
    {
        inner.Flush();
        Interlocked.Increment(ref _flushes);
    }

    public void Sync() => inner.Sync();
}
