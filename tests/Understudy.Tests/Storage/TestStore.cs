using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

/// <summary>A store in a temporary directory with its own device key, for one test.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public TestStore(TimeProvider? time = null, Func<Stream, Stream>? wrapLogOutput = null, Func<Stream, Stream>? wrapBlobOutput = null)
    {
        KeyPath = _root.Combine("config", "understudy", "device.key");
        DataPath = _root.Combine("data", "understudy");
        Key = DeviceKeyStore.LoadOrCreate(KeyPath);
        Store = new SessionStore(DataPath, Key, time ?? TimeProvider.System, wrapLogOutput, wrapBlobOutput);
    }

    public string Root => _root.Path;

    public string KeyPath { get; }

    public string DataPath { get; }

    public DeviceKey Key { get; }

    public SessionStore Store { get; }

    public static SessionStartInfo Start { get; } = new("x11", new ScreenSize(1920, 1080), ["firefox", "org.gnome.TextEditor"]);

    public string SessionDirectory(string id) => Path.Combine(DataPath, "sessions", id);

    public string LogPath(string id) => Path.Combine(SessionDirectory(id), "events.log");

    public string BlobPath(string id, string blobId) => Path.Combine(SessionDirectory(id), "blobs", blobId);

    public string ManifestPath(string id) => Path.Combine(SessionDirectory(id), "manifest.json");

    /// <summary>Records <paramref name="events"/> closing a frame after each group of <paramref name="eventsPerFrame"/>; returns the id and the log offset after each frame.</summary>
    public (string Id, List<long> FrameEnds) Record(IReadOnlyList<SessionEvent> events, int eventsPerFrame, bool close = true)
    {
        var frameEnds = new List<long>();
        var writer = Store.Create(Start);
        for (var i = 0; i < events.Count; i++)
        {
            writer.Append(events[i]);
            if ((i + 1) % eventsPerFrame == 0 || i == events.Count - 1)
            {
                writer.Flush();
                frameEnds.Add(writer.BytesWritten);
            }
        }
        if (close)
        {
            writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        }
        else
        {
            writer.SimulateCrash();
        }
        return (writer.Id, frameEnds);
    }

    public void Dispose()
    {
        Key.Dispose();
        _root.Dispose();
    }
}
