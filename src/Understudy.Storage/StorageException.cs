namespace Understudy.Storage;

/// <summary>
/// The store refused to do something or could not do it. The message is one line that names
/// the path or session concerned and never contains recorded content.
/// </summary>
public class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
