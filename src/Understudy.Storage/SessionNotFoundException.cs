namespace Understudy.Storage;

/// <summary>No session with the requested id exists in the data directory.</summary>
public sealed class SessionNotFoundException : StorageException
{
    public SessionNotFoundException()
    {
    }

    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    public SessionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SessionNotFoundException(string sessionId, string sessionsDirectory)
        : base($"no session {sessionId} in {sessionsDirectory}")
    {
        SessionId = sessionId;
    }

    public string? SessionId { get; }
}
