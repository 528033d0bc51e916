namespace Understudy.Storage;

public enum SessionStatus
{
    /// <summary>A writer holds the session's lock right now.</summary>
    Recording,

    /// <summary>Closed normally; the manifest has end time and counts.</summary>
    Complete,

    /// <summary>The manifest says recording but no writer holds the lock: the recorder died (crash, kill -9, power loss).</summary>
    Interrupted,

    /// <summary>The manifest is missing or unreadable; see <see cref="SessionInfo.Error"/>.</summary>
    Damaged,
}

public static class SessionStatusNames
{
    /// <summary>The spelling used in JSON output and by the CLI.</summary>
    public static string ToWireName(this SessionStatus status) => status switch
    {
        SessionStatus.Recording => "recording",
        SessionStatus.Complete => "complete",
        SessionStatus.Interrupted => "interrupted",
        SessionStatus.Damaged => "damaged",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown session status"),
    };
}
