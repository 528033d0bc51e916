using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Model;
using Understudy.Frames;
using Understudy.Frames.Masking;
using Understudy.Frames.Redaction;

namespace Understudy.Dataset.Import;

/// <summary>
/// How an import takes frames from the recording's video. Frames are kept only through the frame
/// redaction path that applies to a video: the fields the guard found sensitive or whose text it
/// redacted are filled, then <see cref="Scrubber"/> (OCR text redaction) must pass the frame, or it
/// is dropped. There is no scope mask (the tools recorded the whole screen and no window layout),
/// which is why the OCR scrubber is required rather than optional.
/// </summary>
public sealed record ImportFrameSettings
{
    /// <summary>Opens a video; throws <see cref="InvalidOperationException"/> when it cannot be read.</summary>
    public required Func<string, IVideoFrames> OpenVideo { get; init; }

    /// <summary>The frame text redaction (OCR) every frame must pass before it is encoded.</summary>
    public required IFrameScrubber Scrubber { get; init; }

    public FrameFormat Format { get; init; } = FrameFormat.Jpeg;

    public int Quality { get; init; } = 80;

    /// <summary>The solid fill of masked regions, as stored bytes B,G,R,A.</summary>
    public uint Fill { get; init; } = PixelMask.DefaultFill;
}

/// <summary>What the frame stage produced.</summary>
internal sealed record FrameStageResult(List<GuardedEvent> Events, long Stored, long Lost);

/// <summary>
/// Picks the moments the recorder would have grabbed (<see cref="FrameTriggers"/>: before each click,
/// typing burst, shortcut and scroll burst, and the settled screen after), reads them from the video
/// at the screen's size, masks and scrubs them, and stores them like recorded frames.
/// </summary>
internal static class ImportFrames
{
    /// <summary>How long before an action its before-frame is taken: the recorder's grab interval.</summary>
    private static readonly long BeforeNs = (long)new FrameOptions().GrabInterval.TotalNanoseconds;

    private static readonly long SettleNs = (long)new FrameOptions().SettleTimeout.TotalNanoseconds;

    public static FrameStageResult Run(
        MappedRecording mapped,
        ScreenSize screen,
        IVideoFrames video,
        StillFrameEncoder encoder,
        IFrameScrubber scrubber,
        IReadOnlyList<SensitiveRegion> regions,
        uint fill)
    {
        var shots = Shots(mapped);
        var events = new List<GuardedEvent>();
        long stored = 0, lost = 0;
        var pixels = GC.AllocateUninitializedArray<byte>(checked(screen.Width * screen.Height * 4));
        try
        {
            foreach (var shot in shots)
            {
                var eventMono = Math.Max(shot.GrabMonoNs, shot.Consumers.Max(c => c.ActionMonoNs));
                var wall = mapped.WallAt(eventMono);
                EncodedFrame? frame = null;
                if (mapped.VideoSeconds(shot.GrabMonoNs) is { } seconds && seconds >= 0 && video.TryRead(seconds, screen, pixels))
                {
                    foreach (var region in regions)
                    {
                        PixelMask.Fill(pixels, screen, region.ScreenBounds, fill);
                    }
                    // Fail closed: a frame the text redaction cannot pass is not stored.
                    if (scrubber.Scrub(pixels, screen))
                    {
                        try
                        {
                            frame = encoder.Store(pixels, screen);
                        }
                        catch (Exception ex) when (ex is BlobWriteException or InvalidOperationException)
                        {
                            frame = null;
                        }
                    }
                }
                if (frame is not { } stored1)
                {
                    lost += shot.Consumers.Count;
                    events.Add(new GuardedEvent(-1, eventMono, wall, new GapPayload(GapReasons.FrameLost, 0, shot.Consumers.Count)));
                    continue;
                }
                foreach (var (seq, role, _) in shot.Consumers)
                {
                    events.Add(new GuardedEvent(-1, eventMono, wall, new FramePayload(
                        stored1.Blob, shot.GrabMonoNs, stored1.Region, stored1.Scale, stored1.Width, stored1.Height, stored1.Format, seq, role, stored1.Base)));
                    stored++;
                }
            }
        }
        finally
        {
            Array.Clear(pixels);
        }
        return new FrameStageResult(events, stored, lost);
    }

    /// <summary>
    /// One shot per distinct moment: the before-frame of each action, which is also the after-frame of
    /// the previous one when that came less than the settle timeout earlier (as in the recorder: what
    /// the user saw before the next action is the result of the last), else a shot at the timeout.
    /// </summary>
    private static List<Shot> Shots(MappedRecording mapped)
    {
        var triggers = new FrameTriggers();
        var actions = mapped.Events.Where(triggers.WantsFrames).ToList();
        var shots = new List<Shot>();
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var before = new Shot(Math.Max(0, action.MonoNs - BeforeNs));
            before.Consumers.Add((action.Seq, FrameRoles.Before, action.MonoNs));
            if (i > 0 && action.MonoNs - actions[i - 1].MonoNs <= SettleNs)
            {
                before.Consumers.Add((actions[i - 1].Seq, FrameRoles.After, actions[i - 1].MonoNs));
            }
            shots.Add(before);
            if (i == actions.Count - 1 || actions[i + 1].MonoNs - action.MonoNs > SettleNs)
            {
                var after = new Shot(Math.Max(action.MonoNs, Math.Min(action.MonoNs + SettleNs, mapped.LastMonoNs)));
                after.Consumers.Add((action.Seq, FrameRoles.After, action.MonoNs));
                shots.Add(after);
            }
        }
        return [.. shots.OrderBy(s => s.GrabMonoNs)];
    }

    private sealed class Shot(long grabMonoNs)
    {
        public long GrabMonoNs { get; } = grabMonoNs;

        public List<(long Seq, string Role, long ActionMonoNs)> Consumers { get; } = [];
    }
}
