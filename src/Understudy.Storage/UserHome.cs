namespace Understudy.Storage;

internal static class UserHome
{
    internal static string Find(Func<string, string?> environment)
    {
        var home = environment("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }
        if (string.IsNullOrWhiteSpace(home))
        {
            throw new StorageException("cannot find the home directory: HOME is not set; pass --data or set UNDERSTUDY_DATA");
        }
        return home;
    }
}
