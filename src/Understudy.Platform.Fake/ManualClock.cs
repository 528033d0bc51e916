using Understudy.Core.Capture;

namespace Understudy.Platform.Fake;

/// <summary>A clock that moves only when told to, for deterministic pipeline tests.</summary>
public sealed class ManualClock(long startMonoNs = 1_000_000_000, DateTimeOffset? startWall = null) : IClock
{
    private readonly DateTimeOffset _wallAtStart = startWall ?? new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly long _monoAtStart = startMonoNs;
    private long _mono = startMonoNs;

    public long MonoNs => Interlocked.Read(ref _mono);

    public DateTimeOffset UtcNow => _wallAtStart + TimeSpan.FromTicks((MonoNs - _monoAtStart) / 100);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _mono, (long)by.TotalNanoseconds);
}
