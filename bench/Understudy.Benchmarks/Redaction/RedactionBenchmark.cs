using System.Diagnostics;
using Understudy.Benchmarks.Common;
using Understudy.Core.Redaction;
using Understudy.Redaction;
using Understudy.Redaction.Evaluation;

namespace Understudy.Benchmarks.Redaction;

/// <summary>
/// Text redaction: single-thread throughput on mixed text (mostly prose, a labelled PII sentence in
/// about one of 20), latency per typed chunk (20–60 characters), and precision/recall/F2 per type
/// on the generated labelled corpus. MB here is 10^6 characters (ASCII text: = UTF-8 bytes).
/// </summary>
internal static class RedactionBenchmark
{
    private const double TargetMegabytesPerSecond = 20;
    private const double TargetChunkMicroseconds = 200;
    private const double PresidioCharsPerSecond = 22_000;

    public static int Run(Args args)
    {
        var megabytes = args.Double("mb", 8, 0.1, 256);
        var runs = args.Int("runs", 7, 5, 100);
        var chunkCount = args.Int("chunks", 20_000, 10_000, 1_000_000);
        var sentences = args.Int("sentences", 2000, 100, 100_000);
        var seed = args.Int("seed", 20261202, 0, int.MaxValue);
        var report = new Report(args.Flag("json"));
        args.EnsureAllUsed();

        var cold = Stopwatch.StartNew();
        TextRedactionEngine.Preload();
        var preloadMs = cold.Elapsed.TotalMilliseconds;
        var construct = Stopwatch.StartNew();
        var engine = new TextRedactionEngine();
        var constructUs = construct.Elapsed.TotalMicroseconds;

        Report.Progress($"generating {Report.F(megabytes, 1)} MB of mixed text");
        var text = RedactionCorpus.MixedText((int)(megabytes * 1_000_000), seed);
        var documents = SplitDocuments(text, 16 * 1024);

        // Throughput: one thread, every document in turn. The first pass is cold (tier-0 JIT code);
        // then warm up for at least 3 s so that tiered compilation has settled.
        var coldWatch = Stopwatch.StartNew();
        Scan(engine, documents);
        var coldRate = text.Length / 1e6 / coldWatch.Elapsed.TotalSeconds;
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromSeconds(3))
        {
            Scan(engine, documents);
        }
        var rates = new List<double>();
        var spans = 0;
        var failed = 0;
        for (var run = 0; run < runs; run++)
        {
            Report.Progress($"throughput run {run + 1}/{runs}");
            var watch = Stopwatch.StartNew();
            (spans, failed) = Scan(engine, documents);
            rates.Add(text.Length / 1e6 / watch.Elapsed.TotalSeconds);
        }
        var medianRate = Stats.Median(rates);

        // Where the time goes: each recognizer alone over the same documents (best of 3).
        var breakdown = new List<(string Name, double MegabytesPerSecond)>();
        foreach (var recognizer in TextRedactionEngine.DefaultRecognizers())
        {
            var best = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                var watch = Stopwatch.StartNew();
                foreach (var document in documents)
                {
                    recognizer.Find(new Understudy.Redaction.Recognizers.ScanContext(document, engine.Options, long.MaxValue));
                }
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            breakdown.Add((recognizer.GetType().Name.Replace("Recognizer", "", StringComparison.Ordinal), text.Length / 1e6 / best));
        }

        // Latency per typed chunk: 20–60 characters cut from the same text at word starts.
        var random = new Random(seed);
        var chunks = new string[chunkCount];
        for (var i = 0; i < chunkCount; i++)
        {
            var start = text.IndexOf(' ', random.Next(text.Length - 200)) + 1;
            chunks[i] = text.Substring(start, random.Next(20, 61));
        }
        foreach (var chunk in chunks.Take(2000))
        {
            engine.Redact(chunk, TextSource.Typed);
        }
        var latencies = new double[chunkCount];
        for (var i = 0; i < chunkCount; i++)
        {
            var started = Stopwatch.GetTimestamp();
            engine.Redact(chunks[i], TextSource.Typed);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        Array.Sort(latencies);
        var medianUs = Stats.PercentileOfSorted(latencies, 50);
        var p99Us = Stats.PercentileOfSorted(latencies, 99);
        var maxUs = latencies[^1];

        // Findings in prose without planted PII: every one is a false positive.
        var prose = RedactionCorpus.MixedText(1_000_000, seed + 1, piiEvery: int.MaxValue);
        var proseFindings = SplitDocuments(prose, 16 * 1024).SelectMany(d => engine.Redact(d, TextSource.Other).Spans).GroupBy(s => s.Type).ToDictionary(g => g.Key, g => g.Count());

        // Pathological inputs: 1 MB of one repeated fragment, scanned in 64 KiB windows.
        var pathological = new List<(string Pattern, double Milliseconds, bool FailedClosed)>();
        foreach (var unit in (string[])["a@", "=-", "1.", "::", "Ab ", "password=", "eyJ.", "4111 ", "-----BEGIN "])
        {
            var hostile = string.Concat(Enumerable.Repeat(unit, (1_000_000 / unit.Length) + 1));
            var watch = Stopwatch.StartNew();
            var result = engine.Redact(hostile, TextSource.Clipboard);
            pathological.Add((unit.Trim(), watch.Elapsed.TotalMilliseconds, result.FailedClosed));
        }

        Report.Progress($"scoring {sentences} labelled sentences");
        var corpus = RedactionCorpus.Generate(sentences, seed);
        var score = CorpusEvaluation.Evaluate(engine, corpus);

        report.Line($"redaction: single thread, {Report.F(text.Length / 1e6, 1)} MB of mixed text in {documents.Count} documents of ≤ 16 KiB (a labelled PII sentence in ~1 of 20), {Environment.ProcessorCount} cores");
        report.Line($"  first use (name gazetteer, phone metadata): {Report.F(preloadMs, 0)} ms; a new engine after that: {Report.F(constructUs, 0)} µs");
        report.Line();
        report.Table(
            ["measure", "median", "p99", "max", "runs/samples", "target", "verdict"],
            [
                ["throughput MB/s", Report.F(medianRate, 1), "", $"{Report.F(rates.Min(), 1)}–{Report.F(rates.Max(), 1)}", runs.ToString(System.Globalization.CultureInfo.InvariantCulture), $"≥ {TargetMegabytesPerSecond:0}", Report.Verdict(medianRate >= TargetMegabytesPerSecond)],
                ["typed chunk µs", Report.F(medianUs, 1), Report.F(p99Us, 1), Report.F(maxUs, 0), Report.N(chunkCount), $"< {TargetChunkMicroseconds:0}", Report.Verdict(p99Us < TargetChunkMicroseconds)],
            ]);
        report.Line($"  runs, MB/s: {string.Join(" ", rates.Select(r => Report.F(r, 1)))}; the first, cold pass (JIT tier 0): {Report.F(coldRate, 1)}");
        report.Line($"  spans in the mixed text: {Report.N(spans)}; failed closed: {failed}");
        report.Line($"  each recognizer alone, MB/s (best of 3): {string.Join(", ", breakdown.Select(b => $"{b.Name} {Report.F(b.MegabytesPerSecond, 0)}"))}");
        report.Line($"  findings in 1 MB of prose without planted PII (all false positives): {(proseFindings.Count == 0 ? "none" : string.Join(", ", proseFindings.Select(p => $"{p.Key} {p.Value}")))}");
        report.Line($"  1 MB of one repeated fragment, ms: {string.Join(", ", pathological.Select(p => $"\"{p.Pattern}\" {Report.F(p.Milliseconds, 0)}{(p.FailedClosed ? " (failed closed)" : "")}"))}");
        report.Line();
        report.Line($"labelled corpus: {score.Sentences} sentences (seed {seed}), {score.Overall.Gold} entities; failed closed: {score.FailedClosed}");
        report.Table(
            ["type", "gold", "TP", "FP", "FN", "precision", "recall", "F2"],
            score.PerType.Append(score.Overall).Select(t => (IReadOnlyList<string>)
            [
                t.Type, Report.N(t.Gold), Report.N(t.TruePositives), Report.N(t.FalsePositives), Report.N(t.FalseNegatives),
                Report.F(t.Precision, 3), Report.F(t.Recall, 3), Report.F(t.F2, 3),
            ]));
        report.Line();
        var charsPerSecond = medianRate * 1e6;
        report.Line($"vs Presidio (~{Report.N((long)PresidioCharsPerSecond)} chars/s, one process, its published figure): {Report.N((long)charsPerSecond)} chars/s, {Report.F(charsPerSecond / PresidioCharsPerSecond, 0)}× (different corpora: Presidio's figure is on its own evaluation set)");
        report.Result(new
        {
            MegabytesOfText = text.Length / 1e6,
            Documents = documents.Count,
            Runs = rates,
            ThroughputMegabytesPerSecond = medianRate,
            ColdFirstPassMegabytesPerSecond = coldRate,
            ChunkCount = chunkCount,
            ChunkMedianMicroseconds = medianUs,
            ChunkP99Microseconds = p99Us,
            ChunkMaxMicroseconds = maxUs,
            FirstUseMilliseconds = preloadMs,
            ConstructMicroseconds = constructUs,
            SpansInMixedText = spans,
            RecognizerMegabytesPerSecond = breakdown.ToDictionary(b => b.Name, b => b.MegabytesPerSecond),
            FailedClosed = failed,
            ProseFalsePositivesPerMegabyte = proseFindings,
            PathologicalMilliseconds = pathological.Select(p => new { p.Pattern, p.Milliseconds, p.FailedClosed }),
            Corpus = new
            {
                score.Sentences,
                Seed = seed,
                PerType = score.PerType.Select(t => new { t.Type, t.Gold, t.TruePositives, t.FalsePositives, t.FalseNegatives, t.Precision, t.Recall, t.F2 }),
                Overall = new { score.Overall.Precision, score.Overall.Recall, score.Overall.F2 },
            },
            PresidioCharsPerSecond,
            SpeedupVsPresidio = charsPerSecond / PresidioCharsPerSecond,
        });
        return 0;
    }

    private static (int Spans, int Failed) Scan(TextRedactionEngine engine, List<string> documents)
    {
        var spans = 0;
        var failed = 0;
        foreach (var document in documents)
        {
            var result = engine.Redact(document, TextSource.Clipboard);
            spans += result.Spans.Count;
            failed += result.FailedClosed ? 1 : 0;
        }
        return (spans, failed);
    }

    /// <summary>Documents of at most <paramref name="size"/> characters, cut at line ends.</summary>
    private static List<string> SplitDocuments(string text, int size)
    {
        var documents = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + size);
            if (end < text.Length)
            {
                var newline = text.LastIndexOf('\n', end - 1, end - start);
                if (newline > start)
                {
                    end = newline + 1;
                }
            }
            documents.Add(text[start..end]);
            start = end;
        }
        return documents;
    }
}
