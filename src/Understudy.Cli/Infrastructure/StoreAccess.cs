using Understudy.Storage;

namespace Understudy.Cli.Infrastructure;

/// <summary>Opens the session store a command works on: <c>--data</c>, then UNDERSTUDY_DATA, then the XDG default.</summary>
internal static class StoreAccess
{
    public static SessionStore Open(string? dataOption, bool create)
    {
        string directory;
        try
        {
            directory = DataDirectory.Resolve(dataOption);
            // Reading commands on a machine that never recorded see an empty store, not an error.
            if (create)
            {
                DataDirectory.EnsureExists(directory);
            }
            return new SessionStore(directory, DeviceKeyStore.LoadOrCreate(null));
        }
        catch (StorageException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
