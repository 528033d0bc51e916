using Understudy.Core.Capture;

namespace Understudy.Tests.Pipeline;

public sealed class SpscRingTests
{
    [Fact]
    public void When_full_it_drops_and_counts_instead_of_waiting()
    {
        var ring = new SpscRing<long>(4);
        for (var i = 0; i < 10; i++)
        {
            ring.TryWrite(i);
        }
        Assert.Equal(6, ring.Dropped);
        var read = new List<long>();
        while (ring.TryRead(out var item))
        {
            read.Add(item);
        }
        Assert.Equal([0L, 1, 2, 3], read);
    }

    [Fact]
    public void A_producer_and_a_consumer_on_two_threads_lose_nothing_that_fit()
    {
        const int total = 2_000_000;
        var ring = new SpscRing<long>(1024);
        var producer = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                while (!ring.TryWrite(i))
                {
                    Thread.SpinWait(1);
                }
            }
        });
        producer.Start();
        long expected = 0;
        while (expected < total)
        {
            if (ring.TryRead(out var item))
            {
                Assert.Equal(expected, item);
                expected++;
            }
        }
        producer.Join();
        Assert.Equal(total, expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1000)]
    public void Capacity_must_be_a_power_of_two(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpscRing<int>(capacity));
}
