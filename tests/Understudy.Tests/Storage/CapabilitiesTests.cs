using System.Text.Json;
using System.Text.Json.Nodes;
using Understudy.Core.Capture;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed class CapabilitiesTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Capabilities_round_trip_through_the_manifest()
    {
        var capabilities = new SessionCapabilities(Accessibility: true, Frames: true, FrameFormat: "webp", FrameScale: 0.5, ScaleFactor: 2.0);
        var writer = _store.Store.Create(TestStore.Start with { Capabilities = capabilities });
        Assert.Equal(capabilities, _store.Store.Get(writer.Id).Capabilities);
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));

        Assert.Equal(capabilities, _store.Store.Get(writer.Id).Capabilities);
        var manifest = JsonNode.Parse(File.ReadAllText(_store.ManifestPath(writer.Id)))!.AsObject();
        var stored = manifest["capabilities"]!;
        Assert.True(stored["accessibility"]!.GetValue<bool>());
        Assert.Equal("webp", stored["frame_format"]!.GetValue<string>());
        Assert.Equal(0.5, stored["frame_scale"]!.GetValue<double>());
        Assert.Equal(2.0, stored["scale_factor"]!.GetValue<double>());
        // Written next to the screen, where a person reading the manifest looks for it.
        var names = manifest.Select(pair => pair.Key).ToList();
        Assert.Equal(names.IndexOf("screen") + 1, names.IndexOf("capabilities"));
    }

    [Fact]
    public void Without_frames_the_frame_fields_are_null()
    {
        var capabilities = new SessionCapabilities(Accessibility: false, Frames: false, FrameFormat: null, FrameScale: null, ScaleFactor: 1.0);
        using var writer = _store.Store.Create(TestStore.Start with { Capabilities = capabilities });
        Assert.Equal(capabilities, _store.Store.Get(writer.Id).Capabilities);
    }

    [Fact]
    public void A_manifest_written_before_capabilities_still_opens()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(30)), eventsPerFrame: 10);
        var manifest = JsonNode.Parse(File.ReadAllText(_store.ManifestPath(id)))!.AsObject();
        Assert.True(manifest.Remove("capabilities"));
        File.WriteAllText(_store.ManifestPath(id), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var info = _store.Store.Get(id);
        Assert.Equal(SessionStatus.Complete, info.Status);
        Assert.Null(info.Capabilities);
        Assert.Equal(30, _store.Store.Read(id).Events.Count);
    }

    [Theory]
    [InlineData("jpeg\n", 0.5, 1.0)]
    [InlineData("Café receipt", 0.5, 1.0)]
    [InlineData("png", 0.0, 1.0)]
    [InlineData("png", 1.5, 1.0)]
    [InlineData("png", 1.0, double.NaN)]
    [InlineData("png", 1.0, 0.0)]
    public void Capabilities_that_do_not_belong_in_a_manifest_are_refused(string format, double scale, double scaleFactor)
    {
        var capabilities = new SessionCapabilities(true, true, format, scale, scaleFactor);
        Assert.Throws<ArgumentException>(() => _store.Store.Create(TestStore.Start with { Capabilities = capabilities }));
    }
}
