namespace Understudy.Benchmarks.Common;

internal static class Stats
{
    /// <summary>Nearest-rank percentile (0–100) of unsorted values; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return PercentileOfSorted(sorted, percent);
    }

    public static double PercentileOfSorted(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    public static double Median(IEnumerable<long> values) => Median(values.Select(v => (double)v).ToList());
}
