using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Where the recorder puts numbered events. Called from the recorder's pipeline thread only.
/// Every failure to store is reported as <see cref="EventWriteException"/>.
/// </summary>
public interface IEventWriter
{
    void Append(SessionEvent sessionEvent);

    /// <summary>Makes appended events durable against a process crash (written to the OS).</summary>
    void Flush();

    /// <summary>Makes flushed events durable against power loss (fsync).</summary>
    void Sync();
}

/// <summary>The events could not be stored (disk full, permissions, device gone). The message names the path.</summary>
public sealed class EventWriteException(string message, Exception? inner = null) : Exception(message, inner);
