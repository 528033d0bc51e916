using Understudy.Storage;
using Xunit.Abstractions;

namespace Understudy.Tests.Storage;

public sealed class StorageSizeTests(ITestOutputHelper output)
{
    private const int EventsPerHour = 72_000; // 20 events/s
    private const int EventsPerFrame = 5;     // a flush every 250 ms: 4 frames/s
    private const long Budget = 2_000_000;

    [Fact]
    public void An_hour_of_typical_input_takes_less_than_2_MB()
    {
        using var store = new TestStore();
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(EventsPerHour));
        var (id, frameEnds) = store.Record(events, EventsPerFrame);

        var logBytes = new FileInfo(store.LogPath(id)).Length;
        var manifestBytes = new FileInfo(store.ManifestPath(id)).Length;
        output.WriteLine(
            $"events.log for one hour ({EventsPerHour} events, {frameEnds.Count} frames): {logBytes:N0} bytes " +
            $"({(double)logBytes / EventsPerHour:F2} bytes/event, of which {48.0 * frameEnds.Count / EventsPerHour:F2} frame overhead); manifest {manifestBytes} bytes");
        Assert.Equal(EventsPerHour / EventsPerFrame, frameEnds.Count);
        Assert.True(logBytes < Budget, $"an hour took {logBytes:N0} bytes");

        var report = store.Store.Verify(id);
        Assert.True(report.Ok);
        Assert.Equal(EventsPerHour, report.Events);
    }
}
