using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>
/// Which actions get a before- and an after-frame: every button press, the first key of a typing
/// burst, every shortcut and Enter/Tab/Escape, and the first scroll of a scroll burst. Kept apart
/// from the frame source so that an import picks frames from a video at the same moments the
/// recorder would have grabbed them. Keeps burst state: call once per event, in order.
/// </summary>
public sealed class FrameTriggers
{
    /// <summary>A key pressed after this long without keys starts a new typing burst (and a scroll a new scroll burst).</summary>
    public static readonly TimeSpan BurstGap = TimeSpan.FromSeconds(1);

    private readonly long _burstGapNs = (long)BurstGap.TotalNanoseconds;

    // Far enough in the past that the first key and scroll start bursts, near enough not to overflow a subtraction.
    private long _lastKeyDownMonoNs = long.MinValue / 2;
    private long _lastScrollMonoNs = long.MinValue / 2;

    /// <summary>Whether <paramref name="recorded"/> is an action worth frames.</summary>
    public bool WantsFrames(SessionEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        switch (recorded.Payload)
        {
            case ButtonPayload { IsDown: true }:
                return true;
            case KeyPayload { IsDown: true } key:
                var startsBurst = recorded.MonoNs - _lastKeyDownMonoNs >= _burstGapNs;
                _lastKeyDownMonoNs = recorded.MonoNs;
                return startsBurst
                    || (key.Modifiers & (Modifiers.Ctrl | Modifiers.Alt | Modifiers.Super)) != 0
                    || key.Key is "Return" or "KP_Enter" or "Tab" or "ISO_Left_Tab" or "Escape";
            case ScrollPayload:
                var startsScroll = recorded.MonoNs - _lastScrollMonoNs >= _burstGapNs;
                _lastScrollMonoNs = recorded.MonoNs;
                return startsScroll;
            default:
                return false;
        }
    }
}
