using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Frames;
using Understudy.Platform.Fake;

namespace Understudy.Tests.Frames;

public sealed class ActionSelectionTests
{
    private static readonly long Ms = 1_000_000;

    private static SessionEvent At(long ms, EventPayload payload) =>
        new(0, 1_000_000_000 + (ms * Ms), DateTimeOffset.UnixEpoch, payload);

    private static KeyPayload Key(string key, Modifiers modifiers = Modifiers.None) => new(true, key, null, modifiers, 38);

    private static FrameSource NewSource() =>
        new(() => new FakeScreenGrabber(new ScreenSize(8, 8)), new FrameOptions(), new InMemoryBlobStore(), new ManualClock());

    [Fact]
    public void Clicks_get_frames_and_releases_do_not()
    {
        using var source = NewSource();
        Assert.True(source.WantsFrames(At(0, new ButtonPayload(true, MouseButton.Left, 1, 1, Modifiers.None))));
        Assert.False(source.WantsFrames(At(1, new ButtonPayload(false, MouseButton.Left, 1, 1, Modifiers.None))));
        Assert.True(source.WantsFrames(At(2, new ButtonPayload(true, MouseButton.Left, 1, 1, Modifiers.None))));
        Assert.False(source.WantsFrames(At(3, new PointerMovePayload(4, 4))));
    }

    [Fact]
    public void Only_the_first_key_of_a_typing_burst_gets_frames_unless_it_is_a_shortcut_or_a_boundary_key()
    {
        using var source = NewSource();
        Assert.True(source.WantsFrames(At(0, Key("a"))));
        Assert.False(source.WantsFrames(At(200, Key("b"))));
        Assert.False(source.WantsFrames(At(1100, Key("c"))));
        Assert.True(source.WantsFrames(At(1200, Key("s", Modifiers.Ctrl))));
        Assert.True(source.WantsFrames(At(1300, Key("Tab"))));
        Assert.True(source.WantsFrames(At(1400, Key("Return"))));
        Assert.True(source.WantsFrames(At(1500, Key("Escape"))));
        Assert.True(source.WantsFrames(At(1600, Key("F4", Modifiers.Alt))));
        Assert.False(source.WantsFrames(At(1700, Key("A", Modifiers.Shift))));
        Assert.True(source.WantsFrames(At(2700, Key("d"))));
        Assert.False(source.WantsFrames(At(2800, new KeyPayload(false, "d", null, Modifiers.None, 40))));
    }

    [Fact]
    public void Only_the_first_scroll_of_a_burst_gets_frames()
    {
        using var source = NewSource();
        Assert.True(source.WantsFrames(At(0, new ScrollPayload(0, 1, 5, 5, Modifiers.None))));
        Assert.False(source.WantsFrames(At(300, new ScrollPayload(0, 1, 5, 5, Modifiers.None))));
        Assert.False(source.WantsFrames(At(1200, new ScrollPayload(0, 1, 5, 5, Modifiers.None))));
        Assert.True(source.WantsFrames(At(2300, new ScrollPayload(0, -1, 5, 5, Modifiers.None))));
    }
}
