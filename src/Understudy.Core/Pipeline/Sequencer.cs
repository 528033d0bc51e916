using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Gives every kept event its session-wide number. Numbering happens after the scope gate
/// so that the stored sequence is gapless: a reader can tell a lost frame from a dropped event.
/// </summary>
public sealed class Sequencer
{
    private long _next;
    private long _lastMonoNs = long.MinValue;

    public long NextSeq => _next;

    public SessionEvent Assign(in CapturedEvent captured)
    {
        // The orderer already releases in time order; this guards the invariant for events
        // the gate creates (gaps are stamped at the moment scope resumes).
        var mono = Math.Max(captured.MonoNs, _lastMonoNs);
        _lastMonoNs = mono;
        return new SessionEvent(_next++, mono, captured.Wall, captured.Payload);
    }
}
