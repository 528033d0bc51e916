using System.Buffers;
using BenchmarkDotNet.Attributes;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Input;
using Understudy.Storage;

namespace Understudy.Benchmarks.Micro;

#pragma warning disable CA1822 // BenchmarkDotNet needs instance methods.
#pragma warning disable CA1001 // Disposables are released in [GlobalCleanup].

/// <summary>The hand-off from the XRecord callback to the pump: one 64-byte record through the ring.</summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class SpscRingBenchmarks
{
    private SpscRing<RawInput> _ring = null!;
    private RawInput _record;

    [GlobalSetup]
    public void Setup()
    {
        _ring = new SpscRing<RawInput>(1 << 16);
        _record = new RawInput
        {
            MonoNs = 123_456_789_000,
            ServerTime = 42,
            Type = RawInput.MotionNotify,
            RootX = 400,
            RootY = 300,
        };
    }

    /// <summary>Size of the record copied per event (bytes).</summary>
    public static int RecordSize => System.Runtime.CompilerServices.Unsafe.SizeOf<RawInput>();

    [Benchmark(Description = "TryWrite+TryRead (1 record)")]
    public long WriteThenRead()
    {
        _ring.TryWrite(_record);
        _ring.TryRead(out var read);
        return read.MonoNs;
    }

    [Benchmark(OperationsPerInvoke = 256, Description = "TryWrite×256 then TryRead×256, per record")]
    public long Write256ThenRead256()
    {
        for (var i = 0; i < 256; i++)
        {
            _ring.TryWrite(_record);
        }
        long sum = 0;
        while (_ring.TryRead(out var read))
        {
            sum += read.RootX;
        }
        return sum;
    }
}

/// <summary>Key translation on the pump thread, with a synthetic keymap laid out like the server's.</summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class KeyTranslatorBenchmarks
{
    private const ushort Shift = 1;
    private const int KeyA = 38;
    private const int KeyReturn = 36;
    private KeyTranslator _translator = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int min = 8, max = 255, per = 6;
        var keysyms = new uint[(max - min + 1) * per];
        void Set(int keycode, params uint[] columns) => columns.CopyTo(keysyms, (keycode - min) * per);
        Set(KeyA, 'a', 'A', 'a', 'A', 0xe6, 0xc6);
        Set(10, '1', '!', '1', '!', 0xb9, 0xa1);
        Set(KeyReturn, 0xff0d);
        Set(50, Keysyms.ShiftL);
        _translator = new KeyTranslator(new Keymap(min, max, per, keysyms, ModifierRoles.Default));
        // Steady state: names and texts already cached, as after the first keystrokes of a session.
        _translator.Translate(KeyA, Shift, isDown: true);
        _translator.Translate(KeyA, 0, isDown: true);
        _translator.Translate(KeyReturn, 0, isDown: true);
    }

    [Benchmark(Description = "Translate press 'a'+shift")]
    public string? TranslatePress() => _translator.Translate(KeyA, Shift, isDown: true).Text;

    [Benchmark(Description = "Translate release 'a'")]
    public string TranslateRelease() => _translator.Translate(KeyA, 0, isDown: false).Key;

    [Benchmark(Description = "Translate press Return")]
    public string? TranslateReturn() => _translator.Translate(KeyReturn, 0, isDown: true).Text;
}

/// <summary>Binary encoding of one frame's worth of typical events.</summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class EventCodecBenchmarks
{
    private SessionEvent[] _batch = null!;

    [GlobalSetup]
    public void Setup() => _batch = TypicalEvents.Batch(20, firstSeq: 0);

    [Benchmark(Description = "EventCodec.Encode 20 events")]
    public int Encode20() => EventCodec.Encode(_batch).Length;
}

/// <summary>The store's hot path: 20 events appended, then sealed (AES-GCM) and written as one frame.</summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class SessionWriterBenchmarks
{
    private TempDirectory _temp = null!;
    private DeviceKey _key = null!;
    private SessionWriter _writer = null!;
    private EventPayload[] _payloads = null!;
    private long _seq;
    private long _mono;
    private DateTimeOffset _wall;

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("understudy-bench-micro-");
        _key = DeviceKeyStore.LoadOrCreate(_temp.DeviceKeyFile);
        _writer = new SessionStore(_temp.DataDirectory, _key).Create(new SessionStartInfo("x11", new ScreenSize(1920, 1080), []));
        _payloads = [.. TypicalEvents.Batch(20, firstSeq: 0).Select(e => e.Payload)];
        _mono = 1_000_000_000_000;
        _wall = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.Close(new SessionEndInfo(EndReasons.User, 0));
        _writer.Dispose();
        _key.Dispose();
        _temp.Dispose();
    }

    [Benchmark(Description = "SessionWriter Append×20 + Flush")]
    public long AppendFlush20()
    {
        foreach (var payload in _payloads)
        {
            _mono += 50_000_000;
            _writer.Append(new SessionEvent(_seq++, _mono, _wall.AddTicks(_mono / 100), payload));
        }
        _writer.Flush();
        return _writer.BytesWritten;
    }

    /// <summary>Reference: what creating the 20 numbered events costs by itself (the recorder's sequencer does this too).</summary>
    [Benchmark(Description = "(reference) new SessionEvent×20")]
    public long CreateEvents20()
    {
        long sum = 0;
        foreach (var payload in _payloads)
        {
            _mono += 50_000_000;
            sum += new SessionEvent(_seq, _mono, _wall.AddTicks(_mono / 100), payload).MonoNs;
        }
        return sum;
    }
}

/// <summary>The JSONL export of one event.</summary>
[MemoryDiagnoser]
[Config(typeof(MicroConfig))]
public class EventJsonBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private SessionEvent _key = null!;
    private SessionEvent _move = null!;

    [GlobalSetup]
    public void Setup()
    {
        var wall = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        _key = new SessionEvent(41, 1_000_000_000_000, wall, new KeyPayload(true, "a", "A", Modifiers.Shift, 38));
        _move = new SessionEvent(42, 1_000_050_000_000, wall.AddMilliseconds(50), new PointerMovePayload(812, 455));
    }

    [Benchmark(Description = "EventJson.Write key_down")]
    public int WriteKey()
    {
        _buffer.ResetWrittenCount();
        EventJson.Write(_key, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "EventJson.Write pointer_move")]
    public int WriteMove()
    {
        _buffer.ResetWrittenCount();
        EventJson.Write(_move, _buffer);
        return _buffer.WrittenCount;
    }
}

/// <summary>Typical events (from <see cref="TypicalInput"/>) numbered from a seq.</summary>
internal static class TypicalEvents
{
    public static SessionEvent[] Batch(int count, long firstSeq)
    {
        var input = new TypicalInput(seed: 3);
        var mono = 1_000_000_000_000L;
        var wall = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        var events = new SessionEvent[count];
        for (var i = 0; i < count; i++)
        {
            var (delay, payload) = input.Next();
            mono += delay;
            events[i] = new SessionEvent(firstSeq + i, mono, wall.AddTicks((mono - 1_000_000_000_000L) / 100), payload);
        }
        return events;
    }
}
