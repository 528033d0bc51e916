using Understudy.Core.Model;

namespace Understudy.Core.Guards;

/// <summary>
/// Gives events their stored numbers after the guard. Observers (elements, frames) saw the events
/// earlier under provisional numbers, and their results name those; this maps them to stored ones.
/// Events the guard folded into one (keystrokes in a sensitive field) all map to the event that
/// stands for them. The map keeps a window of recent numbers, far more than any observer lags.
/// </summary>
public sealed class SeqRemap
{
    private const int WindowBits = 17;
    private const int Window = 1 << WindowBits;
    private readonly long[] _provisional = new long[Window];
    private readonly long[] _final = new long[Window];
    private long _next;
    private long _lastMonoNs = long.MinValue;

    public SeqRemap()
    {
        Array.Fill(_provisional, -1);
    }

    public long NextSeq => _next;

    /// <summary>Numbers <paramref name="item"/> and rewrites the numbers its payload refers to.</summary>
    public SessionEvent Assign(GuardedEvent item)
    {
        var seq = _next++;
        if (item.ProvisionalSeq >= 0)
        {
            Remember(item.ProvisionalSeq, seq);
        }
        if (item.Covers is { } covered)
        {
            foreach (var provisional in covered)
            {
                Remember(provisional, seq);
            }
        }
        var mono = Math.Max(item.MonoNs, _lastMonoNs);
        _lastMonoNs = mono;
        return new SessionEvent(seq, mono, item.Wall, Rewrite(item.Payload));
    }

    /// <summary>The stored number of provisional event <paramref name="provisional"/>, if it is still in the window.</summary>
    public long? Map(long provisional)
    {
        if (provisional < 0)
        {
            return null;
        }
        var slot = (int)(provisional & (Window - 1));
        return _provisional[slot] == provisional ? _final[slot] : null;
    }

    private void Remember(long provisional, long final)
    {
        var slot = (int)(provisional & (Window - 1));
        _provisional[slot] = provisional;
        _final[slot] = final;
    }

    private EventPayload Rewrite(EventPayload payload) => payload switch
    {
        // An element whose action fell out of the window (never in practice: observers lag by
        // milliseconds) says so with -1 rather than pointing at an unrelated event.
        ElementPayload element => element with { ForSeq = Map(element.ForSeq) ?? -1 },
        FramePayload { ForSeq: { } forSeq } frame => frame with { ForSeq = Map(forSeq) },
        RedactionPayload redaction => redaction with
        {
            FromSeq = redaction.FromSeq is { } from ? Map(from) : null,
            ToSeq = redaction.ToSeq is { } to ? Map(to) : null,
        },
        _ => payload,
    };
}

/// <summary>
/// An event on its way from the guard to the writer. <see cref="ProvisionalSeq"/> is the number
/// observers knew it by (-1 for events the guard created); <see cref="Covers"/> lists the
/// provisional numbers of events it stands in for.
/// </summary>
public readonly record struct GuardedEvent(long ProvisionalSeq, long MonoNs, DateTimeOffset Wall, EventPayload Payload, long[]? Covers = null);
