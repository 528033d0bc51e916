namespace Understudy.Core.Model;

/// <summary>
/// An event as stored: <see cref="Seq"/> is session-wide and gapless from 0,
/// <see cref="MonoNs"/> is a monotonic clock reading in nanoseconds (never goes back
/// within a session), <see cref="Wall"/> is UTC wall-clock time when it was captured.
/// </summary>
public sealed record SessionEvent(long Seq, long MonoNs, DateTimeOffset Wall, EventPayload Payload)
{
    public EventKind Kind => Payload.Kind;
}
