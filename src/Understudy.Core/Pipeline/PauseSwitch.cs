namespace Understudy.Core.Pipeline;

/// <summary>
/// Whether the person has paused recording (hotkey, command). Flipped from any thread; the scope
/// gate reads it on the pipeline thread and keeps only a <c>paused</c> gap for the paused time.
/// </summary>
public sealed class PauseSwitch
{
    private int _paused;

    public bool IsPaused => Volatile.Read(ref _paused) != 0;

    /// <summary>Raised after every change, on the thread that made it, with the new state.</summary>
    public event Action<bool>? Changed;

    public void Set(bool paused)
    {
        if (Interlocked.Exchange(ref _paused, paused ? 1 : 0) != (paused ? 1 : 0))
        {
            Changed?.Invoke(paused);
        }
    }

    public bool Toggle()
    {
        while (true)
        {
            var current = Volatile.Read(ref _paused);
            var next = current == 0 ? 1 : 0;
            if (Interlocked.CompareExchange(ref _paused, next, current) == current)
            {
                Changed?.Invoke(next != 0);
                return next != 0;
            }
        }
    }
}
