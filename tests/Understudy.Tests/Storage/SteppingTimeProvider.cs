namespace Understudy.Tests.Storage;

/// <summary>A clock that moves forward by a fixed step each time it is read.</summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start, TimeSpan step) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        var now = _now;
        _now += step;
        return now;
    }
}
