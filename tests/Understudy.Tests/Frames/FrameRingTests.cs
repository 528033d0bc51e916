using Understudy.Core.Model;
using Understudy.Frames;

namespace Understudy.Tests.Frames;

public sealed class FrameRingTests
{
    private const long Ms = 1_000_000;

    /// <summary>Typing: every grab (50 ms apart) differs from the one before.</summary>
    private static FrameRing ChangingEveryGrab(int capacity, int grabs, out long nowNs)
    {
        var ring = new FrameRing(capacity, new ScreenSize(8, 4));
        nowNs = 0;
        for (var i = 1; i <= grabs; i++)
        {
            nowNs = i * 50 * Ms;
            ring.Spare.Fill((byte)i);
            BitConverter.TryWriteBytes(ring.Spare, i);
            Assert.True(ring.Commit(nowNs));
        }
        return ring;
    }

    [Theory]
    [InlineData(4, 700)]
    [InlineData(5, 1400)]
    [InlineData(8, 3400)]
    public void While_the_screen_changes_at_every_grab_the_history_always_reaches_seconds_back(int capacity, int lateMs)
    {
        using var ring = new FrameRing(capacity, new ScreenSize(8, 4));
        for (var i = 1; i <= 400; i++)
        {
            var now = i * 50 * Ms;
            BitConverter.TryWriteBytes(ring.Spare, i);
            Assert.True(ring.Commit(now));
            if (now < (lateMs + 1000) * Ms)
            {
                continue;
            }

            // At every moment, an action the X server handed over this late still finds a screen
            // from before it, at most one step staler.
            var late = ring.NewestAtOrBefore(now - (lateMs * Ms));
            Assert.NotNull(late);
            Assert.InRange(late.GrabbedMonoNs, now - ((lateMs + 800) * Ms), now - (lateMs * Ms));
        }
    }

    [Fact]
    public void Recent_actions_get_the_newest_screens_at_full_density()
    {
        using var ring = ChangingEveryGrab(4, grabs: 200, out var now);

        Assert.Equal(now, ring.NewestAtOrBefore(now)!.GrabbedMonoNs);
        Assert.Equal(now - (50 * Ms), ring.NewestAtOrBefore(now - Ms)!.GrabbedMonoNs);
    }

    [Fact]
    public void A_screen_that_does_not_change_keeps_its_slot_and_is_marked_current()
    {
        using var ring = new FrameRing(3, new ScreenSize(8, 4));
        ring.Spare.Fill(7);
        Assert.True(ring.Commit(10 * Ms));
        ring.Spare.Fill(7);

        Assert.False(ring.Commit(60 * Ms));

        Assert.Equal(1, ring.Count);
        Assert.Equal(10 * Ms, ring.Newest!.GrabbedMonoNs);
        Assert.Equal(60 * Ms, ring.Newest.LastCurrentMonoNs);
        Assert.Null(ring.NewestAtOrBefore(9 * Ms));
    }
}
