using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Collector.Tests.Support;

/// <summary>A real recorder store (device key file, encrypted sessions) in a temporary directory.</summary>
internal sealed class TestRecorder : IDisposable
{
    private readonly TemporaryDirectory _root = new();
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 6, 30, 0, TimeSpan.Zero);

    public TestRecorder()
    {
        DataPath = _root.Combine("data");
        ConfigHome = _root.Combine("config");
        CredentialPath = _root.Combine("config", "understudy", "collector.credential");
        // Where the command line finds them with XDG_CONFIG_HOME=ConfigHome.
        Key = DeviceKeyStore.LoadOrCreate(_root.Combine("config", "understudy", "device.key"));
        Store = new SessionStore(DataPath, Key);
    }

    public string DataPath { get; }

    public string CredentialPath { get; }

    public string ConfigHome { get; }

    public DeviceKey Key { get; }

    public SessionStore Store { get; }

    /// <summary>Records a complete session of <paramref name="eventCount"/> events, with <paramref name="frames"/> frame blobs.</summary>
    public string Record(int eventCount, int frames = 0, int seed = 1)
    {
        var random = new Random(seed);
        using var writer = Store.Create(new SessionStartInfo("x11", new ScreenSize(1920, 1080), ["yad"]));
        long mono = 1_000_000_000;
        for (var i = 0; i < eventCount; i++)
        {
            mono += random.Next(1_000_000, 30_000_000);
            EventPayload payload = (i % 5) switch
            {
                0 => new KeyPayload(true, "a", "a", Modifiers.None, 38),
                1 => new KeyPayload(false, "a", null, Modifiers.None, 38),
                2 => new ButtonPayload(true, MouseButton.Left, random.Next(1920), random.Next(1080), Modifiers.None),
                _ => new PointerMovePayload(random.Next(1920), random.Next(1080)),
            };
            writer.Append(new SessionEvent(i, mono, Start.AddTicks(mono / 100), payload));
        }
        for (var f = 0; f < frames; f++)
        {
            var image = new byte[2048 + f];
            random.NextBytes(image);
            var blob = writer.Blobs.IdFor(image);
            writer.Blobs.Put(blob, image);
            mono += 1_000_000;
            writer.Append(new SessionEvent(eventCount + f, mono, Start.AddTicks(mono / 100),
                new FramePayload(blob, mono - 10, new Rect(0, 0, 1920, 1080), 0.5, 960, 540, "jpeg", null, FrameRoles.Before, null)));
        }
        writer.Close(new SessionEndInfo(EndReasons.User, 0));
        return writer.Id;
    }

    public void Dispose()
    {
        Key.Dispose();
        _root.Dispose();
    }
}
