using System.Diagnostics;
using SkiaSharp;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Frames;
using Understudy.Platform.X11.Replay;
using Understudy.Platform.X11.Screen;
using Understudy.Tests.Frames;

namespace Understudy.Desktop.Tests.Frames;

/// <summary>A desktop of the frame tests' own: they change its size, which other tests must not see.</summary>
public sealed class FramesDesktopFixture : IDisposable
{
    public VirtualDesktop Desktop { get; } = VirtualDesktop.Start("1280x800");

    public void Dispose() => Desktop.Dispose();
}

[CollectionDefinition("frames-desktop")]
public sealed class FramesDesktopCollection : ICollectionFixture<FramesDesktopFixture>
{
}

/// <summary>Frames from the real X server through MIT-SHM, around real XTest clicks.</summary>
[Collection("frames-desktop")]
public sealed class FramesDesktopTests(FramesDesktopFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly VirtualDesktop _desktop = fixture.Desktop;

    [Fact]
    public void Grabs_have_the_screen_size_and_opaque_pixels()
    {
        using var grabber = XShmScreenGrabber.Open(_desktop.Display);
        var size = grabber.Size;
        var pixels = new byte[size.Width * size.Height * 4];

        Assert.True(Retry(() => grabber.TryGrab(pixels)));

        Assert.True(size.Width >= 640 && size.Height >= 480);
        for (var i = 3; i < pixels.Length; i += 4 * 997)
        {
            Assert.Equal(255, pixels[i]);
        }
    }

    [Fact]
    public void The_frame_before_a_click_shows_the_window_before_it_and_the_frame_after_shows_the_result()
    {
        using var window = ClickTargetWindow.Show(_desktop.Display, Patience);
        var centre = (X: window.Origin.X + (window.Width / 2), Y: window.Origin.Y + (window.Height / 2));
        using var probe = XShmScreenGrabber.Open(_desktop.Display);
        WaitFor(() => ColourAt(probe, centre.X, centre.Y) is var c && IsWhite(c), "the window to be drawn white");
        var store = new InMemoryBlobStore();
        var sink = new CollectingSink();
        var options = new FrameOptions { Format = FrameFormat.Jpeg, Quality = 90 };
        using var source = new FrameSource(() => XShmScreenGrabber.Open(_desktop.Display), options, store, SystemClock.Instance);
        source.Start(sink);
        using var mouse = XTestDriver.Open(_desktop.Display);
        mouse.MoveTo(centre.X, centre.Y);
        mouse.Sync();
        var grabs = source.GrabsCompleted;
        WaitFor(() => source.GrabsCompleted >= grabs + 2, "the ring to hold the white window");

        var clickedAt = MonotonicClock.NowNs();
        mouse.Button(1, press: true);
        mouse.Sync();
        mouse.Button(1, press: false);
        mouse.Sync();
        source.OnRecorded(new SessionEvent(7, clickedAt, DateTimeOffset.UtcNow, new ButtonPayload(true, MouseButton.Left, centre.X, centre.Y, Modifiers.None)));
        WaitFor(() => window.Presses >= 1, "the window to see the click");

        var before = WaitForFrame(sink, 7, FrameRoles.Before);
        var after = WaitForFrame(sink, 7, FrameRoles.After);

        Assert.True(before.GrabbedMonoNs <= clickedAt);
        using var beforeScreen = Compose(store, before);
        using var afterScreen = Compose(store, after);
        Assert.Equal((probe.Size.Width, probe.Size.Height), (beforeScreen.Width, beforeScreen.Height));
        Assert.Equal((probe.Size.Width, probe.Size.Height), (afterScreen.Width, afterScreen.Height));
        Assert.True(IsWhite(beforeScreen.GetPixel(centre.X, centre.Y)), $"before: {beforeScreen.GetPixel(centre.X, centre.Y)}");
        Assert.True(IsRed(afterScreen.GetPixel(centre.X, centre.Y)), $"after: {afterScreen.GetPixel(centre.X, centre.Y)}");
    }

    [Fact]
    public void A_screen_size_change_mid_recording_gives_a_full_frame_of_the_new_size()
    {
        var store = new InMemoryBlobStore();
        var sink = new CollectingSink();
        using var source = new FrameSource(() => XShmScreenGrabber.Open(_desktop.Display), new FrameOptions(), store, SystemClock.Instance);
        source.Start(sink);
        WaitFor(() => source.GrabsCompleted >= 1, "the first grab");
        var seq = 0L;
        source.OnRecorded(Click(seq));
        var first = WaitForFrame(sink, seq, FrameRoles.Before);
        try
        {
            // Xvfb changes the framebuffer but then complains that its one output no longer fits: the exit code says nothing.
            _desktop.TryRunTool(VirtualDesktop.DefaultToolTimeout, "xrandr", "--fb", "1024x700");
            FramePayload? resized = null;
            WaitFor(
                () =>
                {
                    source.OnRecorded(Click(++seq));
                    Thread.Sleep(300);
                    resized = sink.Frames.FirstOrDefault(f => f.Role == FrameRoles.Before && f.Width == 1024);
                    return resized is not null;
                },
                "a frame of the new size");

            Assert.Equal((1280, 800), (first.Width, first.Height));
            Assert.Null(resized!.Base);
            Assert.Equal(new Rect(0, 0, 1024, 700), resized.Region);
            using var decoded = SKBitmap.Decode(store.Get(resized.Blob));
            Assert.Equal((1024, 700), (decoded.Width, decoded.Height));
            Assert.True(source.IsGrabbing);
        }
        finally
        {
            _desktop.TryRunTool(VirtualDesktop.DefaultToolTimeout, "xrandr", "--fb", "1280x800");
        }
    }

    private static SessionEvent Click(long seq) =>
        new(seq, MonotonicClock.NowNs(), DateTimeOffset.UtcNow, new ButtonPayload(true, MouseButton.Left, 1, 1, Modifiers.None));

    private static bool IsWhite(SKColor c) => c.Red > 200 && c.Green > 200 && c.Blue > 200;

    private static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 60 && c.Blue < 60;

    private static SKColor ColourAt(XShmScreenGrabber grabber, int x, int y)
    {
        var pixels = new byte[grabber.Size.Width * grabber.Size.Height * 4];
        if (!grabber.TryGrab(pixels))
        {
            return SKColors.Transparent;
        }
        var i = ((y * grabber.Size.Width) + x) * 4;
        return new SKColor(pixels[i + 2], pixels[i + 1], pixels[i], pixels[i + 3]);
    }

    private static SKBitmap Compose(InMemoryBlobStore store, FramePayload frame)
    {
        var image = SKBitmap.Decode(store.Get(frame.Blob));
        if (frame.Base is null)
        {
            return image;
        }
        using (image)
        {
            var screen = SKBitmap.Decode(store.Get(frame.Base));
            for (var y = 0; y < image.Height; y++)
            {
                for (var x = 0; x < image.Width; x++)
                {
                    screen.SetPixel(frame.Region.X + x, frame.Region.Y + y, image.GetPixel(x, y));
                }
            }
            return screen;
        }
    }

    private static FramePayload WaitForFrame(CollectingSink sink, long seq, string role)
    {
        FramePayload? found = null;
        WaitFor(() => (found = sink.Frames.FirstOrDefault(f => f.ForSeq == seq && f.Role == role)) is not null, $"the {role} frame of action {seq}");
        return found!;
    }

    private static bool Retry(Func<bool> attempt)
    {
        for (var i = 0; i < 3; i++)
        {
            if (attempt())
            {
                return true;
            }
        }
        return false;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            Thread.Sleep(10);
        }
    }
}
