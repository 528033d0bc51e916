using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Storage;

/// <summary>Connects the recorder to a session in the store, turning storage failures into the pipeline's contract.</summary>
public sealed class SessionEventWriter(SessionWriter writer) : IEventWriter
{
    public void Append(SessionEvent sessionEvent) => Guard(() => writer.Append(sessionEvent));

    public void Flush() => Guard(writer.Flush);

    public void Sync() => Guard(writer.Sync);

    private static void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (StorageException ex)
        {
            throw new EventWriteException(ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new EventWriteException(ex.Message, ex);
        }
    }
}
