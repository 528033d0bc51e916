using Understudy.Core.Capture;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Puts events from several sources into one time order. Sources run on their own threads
/// and deliver with small, different delays, so events are held for a short window and then
/// released oldest first. An event that arrives later than the window is clamped to the last
/// released time rather than breaking the session's monotonic order; such events are counted.
/// </summary>
public sealed class EventOrderer(long windowNs)
{
    private readonly PriorityQueue<CapturedEvent, (long MonoNs, long Arrival)> _pending = new();
    private long _arrivals;
    private long _lastReleasedNs = long.MinValue;

    public long ClampedLateEvents { get; private set; }

    public int PendingCount => _pending.Count;

    /// <summary>When the oldest held event becomes due for release, or null when nothing is held.</summary>
    public long? NextReleaseNs => _pending.TryPeek(out _, out var priority) ? priority.MonoNs + windowNs : null;

    public void Add(in CapturedEvent captured)
    {
        var item = captured;
        if (item.MonoNs < _lastReleasedNs)
        {
            ClampedLateEvents++;
            item = item with { MonoNs = _lastReleasedNs };
        }
        _pending.Enqueue(item, (item.MonoNs, _arrivals++));
    }

    /// <summary>Moves every event older than <paramref name="nowNs"/> minus the window to <paramref name="output"/>.</summary>
    public void Release(long nowNs, List<CapturedEvent> output) => ReleaseUpTo(nowNs - windowNs, output);

    public void ReleaseAll(List<CapturedEvent> output) => ReleaseUpTo(long.MaxValue, output);

    private void ReleaseUpTo(long limitNs, List<CapturedEvent> output)
    {
        while (_pending.TryPeek(out var next, out var priority) && priority.MonoNs <= limitNs)
        {
            _pending.Dequeue();
            _lastReleasedNs = next.MonoNs;
            output.Add(next);
        }
    }
}
