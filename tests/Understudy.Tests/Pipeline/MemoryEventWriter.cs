using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Tests.Pipeline;

/// <summary>Keeps written events in memory; can be told to fail like a full disk.</summary>
internal sealed class MemoryEventWriter : IEventWriter
{
    private readonly List<SessionEvent> _events = [];

    public int FailAfterEvents { get; init; } = int.MaxValue;

    public int Flushes { get; private set; }

    public IReadOnlyList<SessionEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Append(SessionEvent sessionEvent)
    {
        lock (_events)
        {
            if (_events.Count >= FailAfterEvents)
            {
                throw new EventWriteException("disk full while writing /tmp/test/events.log");
            }
            _events.Add(sessionEvent);
        }
    }

    public void Flush() => Flushes++;

    public void Sync()
    {
    }
}
