using Understudy.Core.Model;

namespace Understudy.Core.Guards;

/// <summary>
/// The screen areas of sensitive fields seen so far in the session, for the frame masker: the
/// guard adds them (pipeline thread), the frame source reads them (grab and encode threads). Each
/// area is kept relative to its window, so that it follows the window when it moves.
/// </summary>
public sealed class SensitiveRegions
{
    private const int MaxRegions = 256;
    private readonly Lock _gate = new();
    private readonly List<SensitiveRegion> _regions = [];
    private int _generation;

    /// <summary>Grows by one with every change: a frame masked under an older generation may miss a field.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public void Add(Rect bounds, long windowId, Rect? windowBounds)
    {
        if (bounds.Width <= 0 || bounds.Height <= 0)
        {
            return;
        }
        var region = windowBounds is { } w
            ? new SensitiveRegion(windowId, new Rect(bounds.X - w.X, bounds.Y - w.Y, bounds.Width, bounds.Height), true)
            : new SensitiveRegion(windowId, bounds, false);
        lock (_gate)
        {
            if (_regions.Contains(region))
            {
                return;
            }
            if (_regions.Count == MaxRegions)
            {
                _regions.RemoveAt(0);
            }
            _regions.Add(region);
            Interlocked.Increment(ref _generation);
        }
    }

    public SensitiveRegion[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _regions];
        }
    }
}

/// <summary>A sensitive field's bounds: relative to window <see cref="WindowId"/>'s origin when <see cref="RelativeToWindow"/>, else in screen pixels.</summary>
public readonly record struct SensitiveRegion(long WindowId, Rect Bounds, bool RelativeToWindow);
