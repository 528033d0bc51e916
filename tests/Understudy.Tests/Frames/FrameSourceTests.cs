using SkiaSharp;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Frames;

namespace Understudy.Tests.Frames;

public sealed class FrameSourceTests
{
    private const uint Red = 0xFFFF_0000;
    private const uint Blue = 0xFF00_00FF;
    private const uint Green = 0xFF00_FF00;
    private const uint White = 0xFFFF_FFFF;

    private static uint PixelAt(SKBitmap bitmap, int x, int y) => (uint)bitmap.GetPixel(x, y);

    [Fact]
    public void Before_frame_is_never_one_grabbed_after_the_action()
    {
        using var harness = new FrameHarness().Start();
        harness.Screen.Fill(new Rect(0, 0, 320, 200), Red);
        harness.Step();
        var actionAt = harness.Clock.MonoNs;
        var click = harness.Click();
        // The click's effect lands at once and is grabbed before the source may even have seen the click.
        harness.Screen.Fill(new Rect(0, 0, 320, 200), Blue);
        harness.Step();

        var before = harness.WaitForFrame(click, FrameRoles.Before);

        Assert.True(before.GrabbedMonoNs <= actionAt);
        using var screen = harness.Compose(before);
        Assert.Equal(Red, PixelAt(screen, 100, 100));
        var after = harness.StepUntilFrame(click, FrameRoles.After);
        using var afterScreen = harness.Compose(after);
        Assert.Equal(Blue, PixelAt(afterScreen, 100, 100));
    }

    [Fact]
    public void After_frame_waits_until_the_screen_has_been_quiet()
    {
        using var harness = new FrameHarness().Start();
        var click = harness.Click();
        long lastChangeGrab = 0;
        foreach (var color in new[] { Red, Green, Blue })
        {
            harness.Screen.Fill(new Rect(10, 10, 50, 50), color);
            harness.Step();
            lastChangeGrab = harness.Clock.MonoNs;
        }
        // Still changing 60 ms ago: no after-frame may exist yet.
        Assert.Null(harness.TryWaitFrame(click, FrameRoles.After, TimeSpan.FromMilliseconds(100)));

        var after = harness.StepUntilFrame(click, FrameRoles.After);

        Assert.Equal(lastChangeGrab, after.GrabbedMonoNs);
        using var screen = harness.Compose(after);
        Assert.Equal(Blue, PixelAt(screen, 20, 20));
        Assert.True(harness.Clock.MonoNs - lastChangeGrab >= (long)harness.Options.SettleQuiet.TotalNanoseconds);
    }

    [Fact]
    public void After_frame_is_taken_at_the_timeout_when_the_screen_never_settles()
    {
        using var harness = new FrameHarness().Start();
        var actionAt = harness.Clock.MonoNs;
        var click = harness.Click();
        FramePayload? after = null;
        for (var i = 0; i < 100 && after is null; i++)
        {
            harness.Screen.Fill(new Rect(0, 0, 10, 10), (i % 2 == 0) ? Red : Green);
            harness.Step();
            after = harness.TryWaitFrame(click, FrameRoles.After, TimeSpan.FromMilliseconds(20));
        }

        Assert.NotNull(after);
        Assert.True(harness.Clock.MonoNs - actionAt >= (long)harness.Options.SettleTimeout.TotalNanoseconds);
    }

    [Fact]
    public void An_action_before_the_previous_one_settled_gives_it_its_after_frame()
    {
        using var harness = new FrameHarness().Start();
        var first = harness.Click();
        harness.Screen.Fill(new Rect(0, 0, 40, 40), Red);
        harness.Step();
        var second = harness.Click();

        var firstAfter = harness.WaitForFrame(first, FrameRoles.After);
        var secondBefore = harness.WaitForFrame(second, FrameRoles.Before);

        Assert.Equal(secondBefore.Blob, firstAfter.Blob);
        using var screen = harness.Compose(firstAfter);
        Assert.Equal(Red, PixelAt(screen, 5, 5));
    }

    [Fact]
    public void Identical_frames_are_stored_once()
    {
        using var harness = new FrameHarness().Start();
        var click = harness.Click();
        var before = harness.WaitForFrame(click, FrameRoles.Before);
        var after = harness.StepUntilFrame(click, FrameRoles.After);
        var next = harness.Click();
        var nextBefore = harness.WaitForFrame(next, FrameRoles.Before);

        Assert.Equal(before.Blob, after.Blob);
        Assert.Equal(before.Blob, nextBefore.Blob);
        Assert.Equal(1, harness.Store.Count);
        Assert.Equal(1, harness.Store.Puts);
    }

    [Fact]
    public void Patch_covers_exactly_the_changed_rectangle_and_composes_back_to_the_screen()
    {
        using var harness = new FrameHarness().Start();
        harness.Screen.Fill(new Rect(0, 0, 320, 100), White);
        harness.Step();
        var first = harness.Click();
        var keyframe = harness.WaitForFrame(first, FrameRoles.Before);
        harness.Screen.Fill(new Rect(100, 50, 30, 20), Red);
        harness.Screen.Fill(new Rect(140, 60, 5, 25), Green);
        harness.Step();
        var second = harness.Click();

        var patch = harness.WaitForFrame(second, FrameRoles.Before);

        Assert.Null(keyframe.Base);
        Assert.Equal(new Rect(0, 0, 320, 200), keyframe.Region);
        Assert.Equal(keyframe.Blob, patch.Base);
        Assert.Equal(new Rect(100, 50, 45, 35), patch.Region);
        Assert.Equal((45, 35), (patch.Width, patch.Height));
        using var composed = harness.Compose(patch);
        var expected = new FakeScreenPixels(harness);
        for (var y = 0; y < 200; y += 3)
        {
            for (var x = 0; x < 320; x += 3)
            {
                Assert.Equal(expected.At(x, y), PixelAt(composed, x, y));
            }
        }
    }

    [Fact]
    public void Each_patch_holds_only_what_changed_since_the_previous_frame_and_the_chain_composes_to_the_screen()
    {
        using var harness = new FrameHarness().Start();
        harness.Screen.Fill(new Rect(0, 0, 320, 200), White);
        harness.Step();
        var keyframe = harness.WaitForFrame(harness.Click(), FrameRoles.Before);
        harness.Screen.Fill(new Rect(10, 10, 20, 10), Red);
        harness.Step();
        var first = harness.WaitForFrame(harness.Click(), FrameRoles.Before);
        // Far from the first change: a patch against the keyframe would span both.
        harness.Screen.Fill(new Rect(280, 170, 10, 20), Green);
        harness.Step();
        var second = harness.WaitForFrame(harness.Click(), FrameRoles.Before);

        Assert.Equal(keyframe.Blob, first.Base);
        Assert.Equal(new Rect(10, 10, 20, 10), first.Region);
        Assert.Equal(first.Blob, second.Base);
        Assert.Equal(new Rect(280, 170, 10, 20), second.Region);
        using var composed = harness.Compose(second);
        var expected = new FakeScreenPixels(harness);
        for (var y = 0; y < 200; y += 2)
        {
            for (var x = 0; x < 320; x += 2)
            {
                Assert.Equal(expected.At(x, y), PixelAt(composed, x, y));
            }
        }
    }

    [Fact]
    public void A_change_over_half_the_screen_is_stored_as_a_full_frame()
    {
        using var harness = new FrameHarness().Start();
        var first = harness.Click();
        var keyframe = harness.WaitForFrame(first, FrameRoles.Before);
        harness.Screen.Fill(new Rect(0, 0, 320, 150), Red);
        harness.Step();
        var second = harness.Click();

        var next = harness.WaitForFrame(second, FrameRoles.Before);

        Assert.Null(next.Base);
        Assert.NotEqual(keyframe.Blob, next.Blob);
        Assert.Equal(new Rect(0, 0, 320, 200), next.Region);
    }

    [Fact]
    public void A_full_frame_follows_every_thirty_patches()
    {
        using var harness = new FrameHarness().Start();
        var bases = new List<string?>();
        for (var i = 0; i < FrameEncoder.PatchesPerKeyframe + 2; i++)
        {
            harness.Screen.Fill(new Rect(i * 2, 0, 2, 2), Red);
            harness.Step();
            var click = harness.Click();
            bases.Add(harness.WaitForFrame(click, FrameRoles.Before).Base);
        }

        Assert.Null(bases[0]);
        Assert.All(bases.Skip(1).Take(FrameEncoder.PatchesPerKeyframe), b => Assert.NotNull(b));
        Assert.Null(bases[FrameEncoder.PatchesPerKeyframe + 1]);
    }

    [Fact]
    public void A_frame_that_cannot_be_stored_becomes_a_frame_lost_gap_and_leaves_nothing()
    {
        using var harness = new FrameHarness();
        harness.Store.FailPuts = true;
        harness.Start();
        var click = harness.Click();

        FrameHarness.WaitUntil(() => harness.Sink.Gaps.Sum(g => g.Dropped) >= 1, "a frame_lost gap");

        Assert.All(harness.Sink.Gaps, g => Assert.Equal(GapReasons.FrameLost, g.Reason));
        Assert.Equal(0, harness.Store.Count);
        Assert.Empty(harness.Sink.Frames);
        Assert.True(harness.Source.FramesLost >= 1);
        Assert.Null(harness.TryWaitFrame(click, FrameRoles.Before, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void A_screen_size_change_continues_with_a_full_frame_of_the_new_size()
    {
        using var harness = new FrameHarness().Start();
        var first = harness.Click();
        harness.WaitForFrame(first, FrameRoles.Before);
        harness.Screen.Resize(new ScreenSize(400, 300));
        harness.Screen.Fill(new Rect(0, 0, 4, 4), Red);
        harness.Step();
        harness.Step();
        var second = harness.Click();

        var frame = harness.WaitForFrame(second, FrameRoles.Before);

        Assert.Null(frame.Base);
        Assert.Equal(new Rect(0, 0, 400, 300), frame.Region);
        Assert.Equal((400, 300), (frame.Width, frame.Height));
        using var decoded = harness.Decode(frame.Blob);
        Assert.Equal((400, 300), (decoded.Width, decoded.Height));
        Assert.Equal(Red, PixelAt(decoded, 1, 1));
    }

    [Fact]
    public void A_lost_display_stops_grabbing_quietly()
    {
        using var harness = new FrameHarness().Start();
        harness.Screen.LoseDisplay();
        harness.Clock.Advance(harness.Options.GrabInterval);

        FrameHarness.WaitUntil(() => !harness.Source.IsGrabbing, "the grab thread to end");
        harness.Source.Stop();

        Assert.Empty(harness.Sink.Faults);
        Assert.True(harness.Screen.Disposed);
    }

    [Theory]
    [InlineData(FrameFormat.Jpeg, 1.0, "jpeg")]
    [InlineData(FrameFormat.Png, 1.0, "png")]
    [InlineData(FrameFormat.Webp, 1.0, "webp")]
    [InlineData(FrameFormat.Jpeg, 0.5, "jpeg")]
    [InlineData(FrameFormat.Webp, 0.5, "webp")]
    public void Stored_frames_decode_to_the_announced_size(FrameFormat format, double scale, string wireName)
    {
        var options = new FrameOptions { Format = format, Scale = scale, GrabInterval = TimeSpan.FromMilliseconds(20), IdleGrabInterval = TimeSpan.FromMilliseconds(20) };
        using var harness = new FrameHarness(options).Start();
        var click = harness.Click();

        var frame = harness.WaitForFrame(click, FrameRoles.Before);

        Assert.Equal(wireName, frame.Format);
        Assert.Equal(scale, frame.Scale);
        Assert.Equal(((int)(320 * scale), (int)(200 * scale)), (frame.Width, frame.Height));
        using var decoded = harness.Decode(frame.Blob);
        Assert.Equal((frame.Width, frame.Height), (decoded.Width, decoded.Height));
        using var codec = SKCodec.Create(new SKMemoryStream(harness.Store.Get(frame.Blob)));
        var expected = format switch
        {
            FrameFormat.Jpeg => SKEncodedImageFormat.Jpeg,
            FrameFormat.Png => SKEncodedImageFormat.Png,
            _ => SKEncodedImageFormat.Webp,
        };
        Assert.Equal(expected, codec.EncodedFormat);
    }

    [Fact]
    public void Stop_posts_nothing_more_and_returns_the_grabber()
    {
        using var harness = new FrameHarness().Start();
        harness.Source.Stop();
        var posted = harness.Sink.Events.Count;
        harness.Click();
        Thread.Sleep(50);

        Assert.Equal(posted, harness.Sink.Events.Count);
        Assert.True(harness.Screen.Disposed);
    }

    [Fact]
    public void Without_input_the_screen_is_grabbed_slowly_and_the_first_input_brings_the_fast_rate_back()
    {
        var options = new FrameOptions
        {
            Format = FrameFormat.Png,
            GrabInterval = TimeSpan.FromMilliseconds(20),
            IdleGrabInterval = TimeSpan.FromMilliseconds(200),
            IdleAfter = TimeSpan.FromMilliseconds(500),
        };
        using var harness = new FrameHarness(options).Start();
        var grabs = harness.Source.GrabsCompleted;

        // Idle: ten fast intervals pass with no grab, the slow interval brings one.
        for (var i = 0; i < 9; i++)
        {
            harness.Clock.Advance(TimeSpan.FromMilliseconds(20));
            Thread.Sleep(20);
        }
        Assert.Equal(grabs, harness.Source.GrabsCompleted);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(25));
        FrameHarness.WaitUntil(() => harness.Source.GrabsCompleted > grabs, "the idle grab");

        // A pointer move: fast again, grab after grab.
        harness.Record(new PointerMovePayload(10, 10));
        grabs = harness.Source.GrabsCompleted;
        harness.Steps(3);
        Assert.True(harness.Source.GrabsCompleted >= grabs + 3);
    }

    [Fact]
    public void Actions_recorded_before_stop_still_get_their_before_and_after_frames()
    {
        using var harness = new FrameHarness().Start();
        harness.Screen.Fill(new Rect(0, 0, 320, 200), White);
        harness.Step();
        var clicks = Enumerable.Range(0, 6).Select(_ => harness.Click()).ToList();

        harness.Source.Stop();

        foreach (var seq in clicks)
        {
            Assert.Contains(harness.Sink.Frames, f => f.ForSeq == seq && f.Role == FrameRoles.Before);
        }
        Assert.Contains(harness.Sink.Frames, f => f.ForSeq == clicks[^1] && f.Role == FrameRoles.After);
        Assert.Empty(harness.Sink.Gaps);
    }

    /// <summary>The fake screen's current pixels, read by grabbing it once more.</summary>
    private sealed class FakeScreenPixels
    {
        private readonly byte[] _bgra;
        private readonly int _width;

        public FakeScreenPixels(FrameHarness harness)
        {
            _width = harness.Screen.Size.Width;
            _bgra = new byte[_width * harness.Screen.Size.Height * 4];
            Assert.True(harness.Screen.TryGrab(_bgra));
        }

        public uint At(int x, int y) => BitConverter.ToUInt32(_bgra, ((y * _width) + x) * 4);
    }
}
