using System.Diagnostics;

namespace Understudy.Core.Capture;

/// <summary>
/// Nanoseconds from the OS monotonic clock (CLOCK_MONOTONIC on Linux). It never goes back
/// and ignores wall-clock adjustments, so durations and ordering stay right across NTP steps.
/// </summary>
public static class MonotonicClock
{
    private static readonly double NanosPerTick = 1_000_000_000.0 / Stopwatch.Frequency;
    private static readonly bool TicksAreNanos = Stopwatch.Frequency == 1_000_000_000;

    public static long NowNs() => ToNanoseconds(Stopwatch.GetTimestamp());

    public static long ToNanoseconds(long stopwatchTicks) =>
        TicksAreNanos ? stopwatchTicks : (long)(stopwatchTicks * NanosPerTick);
}

/// <summary>Time as the pipeline reads it; tests substitute a manual clock.</summary>
public interface IClock
{
    long MonoNs { get; }

    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public static readonly SystemClock Instance = new();

    public long MonoNs => MonotonicClock.NowNs();

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
