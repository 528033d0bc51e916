using FsCheck.Xunit;
using Understudy.Platform.X11.Input;

namespace Understudy.Tests.Input;

public sealed class ServerTimeMapperTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void A_batch_delivered_late_keeps_the_spacing_the_server_gave_it()
    {
        var mapper = new ServerTimeMapper();
        // First event arrives promptly: 0.2 ms after the server stamped it.
        Assert.Equal((5_000 * Ms) + 200_000, mapper.Map(1_000, (5_000 * Ms) + 200_000));
        // Then 30 events 50 ms apart arrive together 1.5 s later.
        var batchArrival = 6_600 * Ms;
        var mapped = Enumerable.Range(1, 30).Select(i => mapper.Map((uint)(1_000 + (i * 50)), batchArrival)).ToList();
        Assert.All(mapped.Zip(mapped.Skip(1)), pair => Assert.Equal(50 * Ms, pair.Second - pair.First));
        Assert.Equal((5_050 * Ms) + 200_000, mapped[0]);
        Assert.All(mapped, m => Assert.True(m <= batchArrival));
    }

    [Fact]
    public void With_a_calibrated_offset_a_batch_that_arrives_all_at_once_keeps_its_spacing()
    {
        var mapper = new ServerTimeMapper();
        mapper.Calibrate(1_000, 5_000 * Ms);
        // Twelve events 100 ms apart, all delivered together 1.3 s after the first.
        var mapped = Enumerable.Range(0, 12).Select(i => mapper.Map((uint)(1_100 + (i * 100)), 6_400 * Ms)).ToList();
        Assert.Equal(5_100 * Ms, mapped[0]);
        Assert.All(mapped.Zip(mapped.Skip(1)), pair => Assert.Equal(100 * Ms, pair.Second - pair.First));
    }

    [Fact]
    public void The_offset_follows_the_least_delayed_delivery()
    {
        var mapper = new ServerTimeMapper();
        Assert.Equal(900 * Ms, mapper.Map(100, 900 * Ms));
        // A later event shows the true offset is 500 ms, not 800: from now on times use it.
        Assert.Equal(1_500 * Ms, mapper.Map(1_000, 1_500 * Ms));
        Assert.Equal(1_600 * Ms, mapper.Map(1_100, 3_000 * Ms));
    }

    [Fact]
    public void The_32_bit_millisecond_clock_wrapping_does_not_send_time_back()
    {
        var mapper = new ServerTimeMapper();
        var before = mapper.Map(uint.MaxValue - 10, 1_000 * Ms);
        var after = mapper.Map(5, 1_016 * Ms);
        Assert.Equal(16 * Ms, after - before);
    }

    [Property(MaxTest = 300)]
    public bool Mapped_times_never_go_back_and_are_never_after_arrival(uint[] serverSteps, byte[] delays)
    {
        var mapper = new ServerTimeMapper();
        uint server = 1_000;
        long last = long.MinValue;
        long arrival = 0;
        for (var i = 0; i < serverSteps.Length; i++)
        {
            server += serverSteps[i] % 200;
            // Arrivals never go back; each is at least as late as the server's stamp.
            arrival = Math.Max(arrival, (server * Ms) + (delays.Length == 0 ? 0 : delays[i % delays.Length] * Ms));
            var mapped = mapper.Map(server, arrival);
            if (mapped < last || mapped > arrival)
            {
                return false;
            }
            last = mapped;
        }
        return true;
    }
}
