using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Understudy.Benchmarks.Common;

namespace Understudy.Benchmarks.Micro;

/// <summary>
/// The job every micro-benchmark runs with: a short run (1 launch, 3 warm-up and 10 measured
/// iterations; BenchmarkDotNet's ShortRun has 3, which left error bars as large as the means on
/// this 2-core VM), in process. In process because an out-of-process run generates and builds a
/// project per benchmark under the repository's build rules (central package versions, warnings
/// as errors), which is slow on two cores and fragile; what is measured is the same code.
/// </summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.ShortRun
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Short10-InProcess"));
    }
}

internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var json = args.Contains("--json");
        var rest = args.Where(a => a != "--json").ToList();
        if (!rest.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a is "-f" or "--list" or "--help" or "-h"))
        {
            // Without a filter BenchmarkSwitcher asks interactively which benchmarks to run.
            rest.AddRange(["--filter", "*"]);
        }
        var artifacts = Path.Combine(Path.GetTempPath(), "understudy-bench-artifacts");
        var config = DefaultConfig.Instance.WithArtifactsPath(artifacts);
        // BenchmarkDotNet logs to stdout; with --json, stdout must carry the JSON alone.
        var stdout = Console.Out;
        List<Summary> summaries;
        if (json)
        {
            Console.SetOut(Console.Error);
        }
        try
        {
            summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run([.. rest], config)];
        }
        finally
        {
            Console.SetOut(stdout);
        }

        var rows = summaries.SelectMany(s => s.Reports.Select(r => Row(s, r))).ToList();
        var report = new Report(json);
        report.Line();
        report.Line($"micro: {rows.Count} benchmarks (1 launch, 3 warm-up + 10 iterations, in process); full BenchmarkDotNet reports in {artifacts}/results");
        report.Table(
            leftColumns: 2,
            header: ["benchmark", "what", "mean ns", "error ns", "stddev ns", "allocated B/op"],
            rows: rows.Select(r => (IReadOnlyList<string>)
            [
                r.Name,
                r.Description,
                Report.F(r.MeanNs, 2),
                Report.F(r.ErrorNs, 2),
                Report.F(r.StdDevNs, 2),
                r.AllocatedBytes is { } bytes ? Report.N(bytes) : "?",
            ]));
        report.Result(new { Job = "LaunchCount=1, WarmupCount=3, IterationCount=10, InProcessEmitToolchain", Benchmarks = rows });
        var failed = summaries.Any(s => s.HasCriticalValidationErrors) || summaries.SelectMany(s => s.Reports).Any(r => !r.Success);
        return failed ? 1 : 0;
    }

    private static MicroRow Row(Summary summary, BenchmarkReport report)
    {
        var statistics = report.ResultStatistics;
        var name = $"{report.BenchmarkCase.Descriptor.Type.Name}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}";
        if (report.BenchmarkCase.HasParameters)
        {
            name += $"({report.BenchmarkCase.Parameters.DisplayInfo})";
        }
        long? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        _ = summary;
        return new MicroRow(
            name,
            Unquote(report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo),
            statistics?.Mean ?? double.NaN,
            statistics?.ConfidenceInterval.Margin ?? double.NaN,
            statistics?.StandardDeviation ?? double.NaN,
            allocated,
            report.Success);
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && text[0] == '\'' && text[^1] == '\'' ? text[1..^1] : text;

    internal sealed record MicroRow(string Name, string Description, double MeanNs, double ErrorNs, double StdDevNs, long? AllocatedBytes, bool Success);
}
