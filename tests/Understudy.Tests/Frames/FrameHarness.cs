using System.Collections.Concurrent;
using System.Diagnostics;
using SkiaSharp;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Frames;
using Understudy.Platform.Fake;

namespace Understudy.Tests.Frames;

/// <summary>
/// A frame source on a fake screen with a manual clock: time moves only in <see cref="Step"/>,
/// which makes the source grab exactly once, so tests decide which grab happens before and after
/// each action no matter how busy the machine is.
/// </summary>
internal sealed class FrameHarness : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    public static readonly ScreenSize DefaultSize = new(320, 200);

    private long _nextSeq;

    public FrameHarness(FrameOptions? options = null, ScreenSize? size = null)
    {
        Options = options ?? new FrameOptions
        {
            Format = FrameFormat.Png,
            GrabInterval = TimeSpan.FromMilliseconds(20),
            IdleGrabInterval = TimeSpan.FromMilliseconds(20),
            SettleQuiet = TimeSpan.FromMilliseconds(100),
            SettleTimeout = TimeSpan.FromMilliseconds(400),
        };
        Screen = new FakeScreenGrabber(size ?? DefaultSize);
        Source = new FrameSource(() => Screen, Options, Store, Clock);
    }

    public FrameOptions Options { get; }

    public ManualClock Clock { get; } = new();

    public FakeScreenGrabber Screen { get; }

    public InMemoryBlobStore Store { get; } = new();

    public CollectingSink Sink { get; } = new();

    public FrameSource Source { get; }

    /// <summary>Starts the source and waits for its first grab.</summary>
    public FrameHarness Start()
    {
        Source.Start(Sink);
        WaitUntil(() => Source.GrabsCompleted >= 1, "the first grab");
        return this;
    }

    /// <summary>Moves the clock one grab interval and waits for the grab that follows.</summary>
    public void Step()
    {
        var grabs = Source.GrabsCompleted;
        Clock.Advance(Options.GrabInterval);
        WaitUntil(() => Source.GrabsCompleted > grabs, "a grab");
    }

    public void Steps(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Step();
        }
    }

    /// <summary>Records a left click now and hands it to the source; returns its seq.</summary>
    public long Click() => Record(new ButtonPayload(true, MouseButton.Left, 5, 5, Modifiers.None));

    public long Record(EventPayload payload)
    {
        var seq = _nextSeq++;
        Source.OnRecorded(new SessionEvent(seq, Clock.MonoNs, Clock.UtcNow, payload));
        return seq;
    }

    /// <summary>Steps the clock until the frame for <paramref name="seq"/> in <paramref name="role"/> arrives.</summary>
    public FramePayload StepUntilFrame(long seq, string role, int maxSteps = 100)
    {
        for (var i = 0; i <= maxSteps; i++)
        {
            if (TryWaitFrame(seq, role, TimeSpan.FromMilliseconds(i == 0 ? 0 : 50)) is { } frame)
            {
                return frame;
            }
            Step();
        }
        return WaitForFrame(seq, role);
    }

    public FramePayload WaitForFrame(long seq, string role)
    {
        FramePayload? found = null;
        WaitUntil(() => (found = Find(seq, role)) is not null, $"the {role} frame of action {seq}");
        return found!;
    }

    public FramePayload? TryWaitFrame(long seq, string role, TimeSpan wait)
    {
        var watch = Stopwatch.StartNew();
        do
        {
            if (Find(seq, role) is { } frame)
            {
                return frame;
            }
            Thread.Sleep(5);
        }
        while (watch.Elapsed < wait);
        return Find(seq, role);
    }

    public SKBitmap Decode(string blob) =>
        SKBitmap.Decode(Store.Get(blob)) ?? throw new InvalidOperationException($"blob {blob} does not decode");

    /// <summary>The whole screen a frame shows: the blob itself, or its base with the patch drawn over it.</summary>
    public SKBitmap Compose(FramePayload frame)
    {
        var image = Decode(frame.Blob);
        if (frame.Base is null)
        {
            return image;
        }
        using (image)
        {
            // A patch's base may itself be a patch: compose the chain down to its keyframe.
            var baseFrame = Sink.Frames.First(f => f.Blob == frame.Base);
            var screen = Compose(baseFrame);
            // Unscaled patches only: the patch's pixels go where its region says.
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

    public static void WaitUntil(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            Thread.Sleep(2);
        }
    }

    public void Dispose() => Source.Dispose();

    private FramePayload? Find(long seq, string role) =>
        Sink.Frames.FirstOrDefault(f => f.ForSeq == seq && f.Role == role);
}
