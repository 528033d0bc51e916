namespace Understudy.Core.Pipeline;

/// <summary>
/// Whether the person has paused recording (hotkey, command). Flipped from any thread; the scope
/// gate reads it on the pipeline thread and keeps only a <c>paused</c> gap for the paused time.
/// </summary>
public sealed class PauseSwitch(Func<long>? monoNs = null)
{
    private readonly Func<long> _monoNs = monoNs ?? Capture.MonotonicClock.NowNs;
    private int _paused;
    private long _changedAtNs = long.MinValue;

    /// <summary>
    /// When the last change happened (monotonic ns), so that the gate can drop what was captured
    /// during a pause however late the pipeline gets to it; <see cref="long.MinValue"/> before any.
    /// </summary>
    public long ChangedAtNs => Volatile.Read(ref _changedAtNs);

    public bool IsPaused => Volatile.Read(ref _paused) != 0;

    /// <summary>Raised after every change, on the thread that made it, with the new state.</summary>
    public event Action<bool>? Changed;

    public void Set(bool paused)
    {
        var now = _monoNs();
        if (Interlocked.Exchange(ref _paused, paused ? 1 : 0) != (paused ? 1 : 0))
        {
            Volatile.Write(ref _changedAtNs, now);
            Changed?.Invoke(paused);
        }
    }

    public bool Toggle()
    {
        while (true)
        {
            var now = _monoNs();
            var current = Volatile.Read(ref _paused);
            var next = current == 0 ? 1 : 0;
            if (Interlocked.CompareExchange(ref _paused, next, current) == current)
            {
                Volatile.Write(ref _changedAtNs, now);
                Changed?.Invoke(next != 0);
                return next != 0;
            }
        }
    }
}
