using Understudy.Benchmarks.Accessibility;
using Understudy.Benchmarks.Common;
using Understudy.Benchmarks.FrameRedaction;
using Understudy.Benchmarks.Frames;
using Understudy.Benchmarks.Idle;
using Understudy.Benchmarks.Input;
using Understudy.Benchmarks.Micro;
using Understudy.Benchmarks.Redaction;
using Understudy.Benchmarks.RecorderProcessBench;
using Understudy.Benchmarks.Store;
using Understudy.Core.Capture;

namespace Understudy.Benchmarks;

/// <summary>
/// Entry point. Each subcommand prints a human-readable report on stdout; with <c>--json</c>
/// the report goes to stderr and stdout carries one JSON object instead.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Understudy.Benchmarks <command> [options]

          input   [--rates 2000,5000,10000,20000,max] [--seconds 2.5] [--repeats 3] [--latency-seconds 5] [--no-app] [--reference-record] [--json]
                  The real recorder under XTest bursts (needs an X display: scripts/desktop.sh run -- ...).
          idle    [--cli PATH] [--warmup 5] [--seconds 30] [--rate 20] [--json]
                  CPU and memory of 'understudy record' at rest and under typical input (needs an X display).
          store   [--hours 1] [--json]
                  events.log bytes per hour of typical input, with 250 ms and 1 s flush cadences.
          frames  [--seconds 60] [--grabs 300] [--json]
                  XShm grab cost, encode cost per format, storage per hour, staleness, CPU and RSS of the frame source (starts its own 1920x1080 desktop).
          recorder [--seconds 120] [--warmup 10] [--no-heap] [--keep] [--json]
                  The published 'understudy record' under a click-and-type workload on the demo form: MB/h on disk, CPU and RSS of the process, with frames and input only (starts its own 1920x1080 desktop).
          elements [--clicks 220] [--idle-seconds 10] [--json]
                  Element lookup latency on button press and idle CPU of the accessibility thread (starts its own virtual desktop).
          redaction [--mb 8] [--runs 7] [--chunks 20000] [--sentences 2000] [--seed N] [--json]
                  Text redaction: single-thread MB/s on mixed text, µs per typed chunk, precision/recall/F2 per type on the labelled corpus (build with -c Release).
          guard   [--fields 20000] [--runs 7] [--json]
                  The privacy guard on the pipeline thread: events/s through guard + renumbering with the real redaction engine (no display needed).
          frame-redaction [--repeats 10] [--scales 1,2] [--json]
                  Cost of redacting one 1920x1080 frame, one thread: accessibility boxes only, and OCR (real tesseract) of an 800x600 window and of the whole screen (no display needed).
          reduce  [--events 2000000] [--runs 7] [--json]
                  Dataset reduction: raw events/s per core through ActionReducer on a synthetic session held in memory (build with -c Release).
          dataset [--sessions 8] [--minutes 2] [--long 10] [--runs 3] [--formats opencua,jsonl,parquet,html] [--keep] [--json]
                  'dataset build' end to end on synthetic sessions with frames in a real store: sessions/s, MB/s and CPU per format; peak RSS and managed heap of one --minutes session vs one --long times longer, each built with the same formats in a child process.
          micro   [BenchmarkDotNet arguments, default --filter *] [--json]
                  BenchmarkDotNet micro-benchmarks (build with -c Release).
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "input" => InputBenchmark.Run(new Args(rest)),
                "idle" => IdleBenchmark.Run(new Args(rest)),
                "store" => StoreBenchmark.Run(new Args(rest)),
                "micro" => MicroBenchmarks.Run(rest),
                "frames" => FramesBenchmark.Run(new Args(rest)),
                "recorder" => RecorderBenchmark.Run(new Args(rest)),
                "elements" => ElementsBenchmark.Run(new Args(rest)),
                "redaction" => RedactionBenchmark.Run(new Args(rest)),
                "frame-redaction" => FrameRedactionBenchmark.Run(new Args(rest)),
                "guard" => Understudy.Benchmarks.Guard.GuardBenchmark.Run(new Args(rest)),
                "reduce" => Understudy.Benchmarks.Dataset.ReductionBenchmark.Run(new Args(rest)),
                "dataset" => Understudy.Benchmarks.Dataset.DatasetBuildBenchmark.Run(new Args(rest)),
                "dataset-memory" => Understudy.Benchmarks.Dataset.DatasetBuildBenchmark.RunMemoryChild(new Args(rest)),
                _ => UnknownCommand(args[0]),
            };
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"benchmarks: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (BenchmarkFailedException ex)
        {
            Console.Error.WriteLine($"benchmarks: {ex.Message}");
            return 1;
        }
        catch (Understudy.Ocr.OcrUnavailableException ex)
        {
            Console.Error.WriteLine($"benchmarks: {ex.Message}");
            return 1;
        }
        catch (CaptureUnavailableException ex)
        {
            Console.Error.WriteLine($"benchmarks: {ex.Message} (input and idle need an X display: scripts/desktop.sh run -- ...)");
            return 1;
        }
    }

    private static int UnknownCommand(string name)
    {
        Console.Error.WriteLine($"benchmarks: unknown command '{name}'");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
