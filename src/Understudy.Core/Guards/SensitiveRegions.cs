using Understudy.Core.Model;

namespace Understudy.Core.Guards;

/// <summary>
/// What frames must hide beyond the scope, shared between the guard (pipeline thread) and the frame
/// source (grab and encode threads):
/// <list type="bullet">
/// <item>regions: sensitive fields, fields whose typed text was redacted, elements whose name was;
/// kept relative to their window (so they follow it) and as they were on screen;</item>
/// <item>a watermark: the time up to which the guard has decided every piece of typing. A frame
/// grabbed later may show text not yet judged, so it is encoded only once the watermark passes its
/// grab time; waiting too long, it is masked over the fields still being judged, or dropped.</item>
/// </list>
/// </summary>
public sealed class SensitiveRegions
{
    private const int MaxRegions = 256;
    private readonly Lock _gate = new();
    private readonly List<SensitiveRegion> _regions = [];
    private readonly object _watermarkGate = new();
    private Rect?[] _pending = [];
    private bool _pendingUnknown;
    private int _generation;
    private long _decidedThrough = long.MinValue;

    /// <summary>Grows by one with every change of the regions.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public long DecidedThroughMonoNs => Interlocked.Read(ref _decidedThrough);

    public void Add(Rect bounds, long windowId, Rect? windowBounds)
    {
        if (bounds.Width <= 0 || bounds.Height <= 0)
        {
            return;
        }
        var region = windowBounds is { } w
            ? new SensitiveRegion(windowId, new Rect(bounds.X - w.X, bounds.Y - w.Y, bounds.Width, bounds.Height), true, bounds)
            : new SensitiveRegion(windowId, bounds, false, bounds);
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

    /// <summary>
    /// Called by the guard after every step: typing is judged up to <paramref name="monoNs"/>;
    /// <paramref name="pendingFields"/> are the fields of pieces still being judged (null bounds: unknown field).
    /// </summary>
    public void Advance(long monoNs, IReadOnlyList<Rect?> pendingFields)
    {
        ArgumentNullException.ThrowIfNull(pendingFields);
        lock (_watermarkGate)
        {
            _pending = [.. pendingFields];
            _pendingUnknown = pendingFields.Any(f => f is null);
            if (monoNs > _decidedThrough)
            {
                Interlocked.Exchange(ref _decidedThrough, monoNs);
            }
            Monitor.PulseAll(_watermarkGate);
        }
    }

    /// <summary>Nothing more will be typed: every frame may be encoded with the regions as they are.</summary>
    public void Complete() => Advance(long.MaxValue, []);

    /// <summary>
    /// Waits until typing is judged up to <paramref name="monoNs"/>. When it is not within
    /// <paramref name="timeout"/>, returns the fields still being judged (to be masked), or null when
    /// one of them has no known bounds (the frame must then be dropped).
    /// </summary>
    public IReadOnlyList<Rect>? WaitDecided(long monoNs, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_watermarkGate)
        {
            while (Interlocked.Read(ref _decidedThrough) < monoNs)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return _pendingUnknown ? null : [.. _pending.Select(r => r!.Value)];
                }
                Monitor.Wait(_watermarkGate, TimeSpan.FromMilliseconds(left));
            }
            return [];
        }
    }
}

/// <summary>
/// A region to hide: <see cref="Bounds"/> relative to window <see cref="WindowId"/>'s origin when
/// <see cref="RelativeToWindow"/>, else in screen pixels; <see cref="ScreenBounds"/> where it was on screen when seen.
/// </summary>
public readonly record struct SensitiveRegion(long WindowId, Rect Bounds, bool RelativeToWindow, Rect ScreenBounds);
