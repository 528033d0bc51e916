using Understudy.Cli.Infrastructure;
using Understudy.Storage;

namespace Understudy.Cli.Recording;

/// <summary>
/// The policy's <c>retention.local_days</c>: before a recording starts, sessions on this machine
/// that began longer ago than that are deleted (crypto-shredded). A session still being recorded
/// by another process is never touched.
/// </summary>
internal static class LocalRetention
{
    public static int Apply(SessionStore store, int localDays, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        var cutoff = now - TimeSpan.FromDays(localDays);
        var deleted = 0;
        foreach (var session in store.List())
        {
            if (session.Status == SessionStatus.Recording || session.CreatedAt >= cutoff)
            {
                continue;
            }
            try
            {
                store.Delete(session.Id);
                deleted++;
            }
            catch (StorageException ex)
            {
                ErrorReporter.Warn($"retention: session {session.Id} could not be deleted: {ex.Message}");
            }
        }
        if (deleted > 0)
        {
            ErrorReporter.Warn($"retention: deleted {deleted} local session(s) older than {localDays} days, as the policy says");
        }
        return deleted;
    }
}
