using BenchmarkDotNet.Attributes;
using Understudy.Benchmarks.Dataset;
using Understudy.Core.Model;

namespace Understudy.Benchmarks.Micro;

#pragma warning disable CA1822 // BenchmarkDotNet needs instance methods.

/// <summary>
/// The dataset reduction: 100,000 raw events of a synthetic session (three in four pointer moves)
/// through a fresh <see cref="Understudy.Dataset.Reduction.ActionReducer"/>. Events per second is
/// 100,000 / mean; the <c>reduce</c> command prints it directly over a longer stream.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class ReductionBenchmarks
{
    private List<SessionEvent> _stream = null!;

    [GlobalSetup]
    public void Setup() => _stream = ReductionBenchmark.Stream(100_000, seed: 20261204).Take(100_000).ToList();

    [Benchmark(Description = "ActionReducer: 100,000 raw events")]
    public long Reduce() => ReductionBenchmark.Pass(_stream).Actions;
}
