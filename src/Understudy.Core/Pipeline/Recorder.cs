using System.Collections.Concurrent;
using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

public sealed record RecorderOptions
{
    /// <summary>How long events wait for stragglers from other sources before being numbered.</summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>How often buffered events are handed to the OS. Bounds what a kill -9 can lose.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often written events are forced to the disk (fsync). Bounds what a power cut can lose.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(2);


    /// <summary>Optional task description; written as task_begin/task_end markers.</summary>
    public string? Task { get; init; }

    /// <summary>The person's pause switch (the same one the scope gate reads): a change wakes the pipeline so the gap starts at once.</summary>
    public PauseSwitch? Pause { get; init; }
}

public enum RecordingEndReason
{
    Stopped,
    DisplayLost,
    SourceFailed,
    WriteFailed,
}

public sealed record RecordingOutcome(
    RecordingEndReason Reason,
    string? Error,
    long EventsWritten,
    IReadOnlyDictionary<EventKind, long> CountsByKind,
    long DroppedOutOfScope,
    long DroppedInput,
    long ClampedLateEvents)
{
    public string EndReasonName => Reason switch
    {
        RecordingEndReason.Stopped => "stopped",
        RecordingEndReason.DisplayLost => "display_lost",
        RecordingEndReason.SourceFailed => "source_failed",
        RecordingEndReason.WriteFailed => "write_failed",
        _ => "unknown",
    };
}

/// <summary>
/// Runs a recording: sources post events from their threads; one pipeline thread (the
/// caller of <see cref="Run"/>) orders them, passes them through the scope gate, numbers them
/// provisionally, shows them to the observers, passes them through the privacy guard, gives them
/// their stored numbers and hands them to the writer. Nothing here blocks a source.
/// </summary>
public sealed class Recorder : ICaptureSink
{
    private readonly IReadOnlyList<ICaptureSource> _sources;
    private readonly IActionObserver[] _observers;
    private readonly ScopeGate _gate;
    private readonly IEventWriter _writer;
    private readonly RecorderOptions _options;
    private readonly IClock _clock;
    private readonly ConcurrentQueue<CapturedEvent> _incoming = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Dictionary<EventKind, long> _counts = [];
    private readonly Sequencer _sequencer = new();
    private readonly PrivacyGuard _guard;
    private static readonly long StopFactWaitNs = (long)TimeSpan.FromSeconds(3).TotalNanoseconds;
    private readonly SeqRemap _remap = new();
    private readonly List<GuardedEvent> _guarded = new(256);
    private readonly long _reorderWindowNs;
    private CaptureFault? _fault;
    private long _droppedInput;
    private readonly Lock _taskLock = new();
    private bool _taskOpen;
    private bool _stopping;

    // Written by the pipeline thread, read by any thread for status displays.
    private long _eventsWritten;

    // 1 while the pipeline thread sleeps with no deadline: only then must a Post wake it. With a
    // deadline pending it wakes by itself, and a new event is not due before that deadline anyway
    // (it is held for the ordering window), so typing does not cost a wake-up per key.
    private int _sleepingIndefinitely;
    private bool _unflushed;
    private bool _unsynced;

    public Recorder(IReadOnlyList<ICaptureSource> sources, ScopeGate gate, IEventWriter writer, RecorderOptions options, IClock clock, PrivacyGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _guard = guard;
        _reorderWindowNs = (long)options.ReorderWindow.TotalNanoseconds;
        _sources = sources;
        _observers = [.. sources.OfType<IActionObserver>()];
        _gate = gate;
        _writer = writer;
        _options = options;
        _clock = clock;
    }

    /// <summary>Events numbered so far. Read from any thread for status displays.</summary>
    public long EventsWritten => Interlocked.Read(ref _eventsWritten);

    /// <summary>Raised on the pipeline thread once every source is capturing.</summary>
    public event Action? CaptureStarted;

    public void Post(in CapturedEvent captured)
    {
        _incoming.Enqueue(captured);
        if (Volatile.Read(ref _sleepingIndefinitely) != 0 && Interlocked.CompareExchange(ref _sleepingIndefinitely, 0, 1) == 1)
        {
            _wake.Set();
        }
    }

    /// <summary>Whether a task is open (begun and not yet ended). Read from any thread.</summary>
    public bool TaskOpen
    {
        get
        {
            lock (_taskLock)
            {
                return _taskOpen;
            }
        }
    }

    /// <summary>
    /// Marks the start of a task while recording (any thread). A task still open is ended first,
    /// so tasks never nest. The label goes through the privacy guard like every label.
    /// </summary>
    public void BeginTask(string? label)
    {
        lock (_taskLock)
        {
            ThrowIfStopping();
            if (_taskOpen)
            {
                Post(Marker(MarkerTypes.TaskEnd, null));
            }
            Post(Marker(MarkerTypes.TaskBegin, label));
            _taskOpen = true;
        }
    }

    /// <summary>Marks the end of the open task (any thread); false when none is open.</summary>
    public bool EndTask()
    {
        lock (_taskLock)
        {
            ThrowIfStopping();
            if (!_taskOpen)
            {
                return false;
            }
            Post(Marker(MarkerTypes.TaskEnd, null));
            _taskOpen = false;
            return true;
        }
    }

    /// <summary>The task hotkey: ends the open task, or begins an unnamed one. Returns whether a task is now open.</summary>
    public bool ToggleTask()
    {
        lock (_taskLock)
        {
            if (_taskOpen)
            {
                EndTask();
                return false;
            }
            BeginTask(null);
            return true;
        }
    }

    private void ThrowIfStopping()
    {
        if (_stopping)
        {
            throw new InvalidOperationException("the recording is stopping");
        }
    }

    public void Fault(CaptureFault fault)
    {
        Interlocked.CompareExchange(ref _fault, fault, null);
        _wake.Set();
    }

    /// <summary>Records until <paramref name="stop"/> fires or a source fails; always closes what it started.</summary>
    public RecordingOutcome Run(CancellationToken stop)
    {
        var orderer = new EventOrderer((long)_options.ReorderWindow.TotalNanoseconds);
        var released = new List<CapturedEvent>(256);
        var gated = new List<CapturedEvent>(256);
        var started = new List<ICaptureSource>();
        var reason = RecordingEndReason.Stopped;
        string? error = null;

        using var registration = stop.Register(() => _wake.Set());
        void OnPause(bool paused) => _wake.Set();
        if (_options.Pause is { } pauseSwitch)
        {
            pauseSwitch.Changed += OnPause;
        }
        try
        {
            gated.Add(Marker(MarkerTypes.SessionBegin, null));
            if (_options.Task is { } task)
            {
                gated.Add(Marker(MarkerTypes.TaskBegin, task));
                lock (_taskLock)
                {
                    _taskOpen = true;
                }
            }
            WriteAll(gated);

            foreach (var source in _sources)
            {
                source.Start(this);
                started.Add(source);
            }
            CaptureStarted?.Invoke();

            var lastFlush = _clock.MonoNs;
            var lastSync = lastFlush;
            var flushNs = (long)_options.FlushInterval.TotalNanoseconds;
            var syncNs = (long)_options.SyncInterval.TotalNanoseconds;
            while (!stop.IsCancellationRequested && Volatile.Read(ref _fault) is null)
            {
                // Sleep until a source posts or the next release, flush or sync falls due:
                // a recorder with nothing to do must not wake up at all.
                var timeout = TimeUntilDue(orderer, lastFlush, flushNs, lastSync, syncNs);
                if (timeout == Timeout.Infinite)
                {
                    // Nothing waits in the orderer or the guard: all input up to now is judged,
                    // so frames grabbed until now need not wait for more.
                    _guard.Observe(_clock.MonoNs);
                    Interlocked.Exchange(ref _sleepingIndefinitely, 1);
                    if (_incoming.IsEmpty)
                    {
                        _wake.WaitOne();
                    }
                    Volatile.Write(ref _sleepingIndefinitely, 0);
                }
                else if (timeout > 0)
                {
                    _wake.WaitOne(timeout);
                }
                Pump(orderer, released, gated, drainAll: false);
                var now = _clock.MonoNs;
                if (_unflushed && now - lastFlush >= flushNs)
                {
                    _writer.Flush();
                    _unflushed = false;
                    _unsynced = true;
                    lastFlush = now;
                }
                if (_unsynced && now - lastSync >= syncNs)
                {
                    _writer.Sync();
                    _unsynced = false;
                    lastSync = now;
                }
            }

            if (Volatile.Read(ref _fault) is { } fault)
            {
                reason = fault.DisplayLost ? RecordingEndReason.DisplayLost : RecordingEndReason.SourceFailed;
                error = $"{fault.Source}: {fault.Reason}";
            }
        }
        catch (CaptureUnavailableException)
        {
            StopAll(started);
            throw;
        }
        catch (EventWriteException ex)
        {
            reason = RecordingEndReason.WriteFailed;
            error = ex.Message;
        }

        lock (_taskLock)
        {
            // Markers posted until now are drained below; one posted later could not be written in order.
            _stopping = true;
        }
        if (reason != RecordingEndReason.WriteFailed)
        {
            // Decide the typing held so far before the sources stop, so that the frames they still
            // encode on the way out are judged with it.
            try
            {
                Pump(orderer, released, gated, drainAll: false);
                // Typing still waiting to be placed gets a short while to be: a stop right after
                // typing on a busy machine would otherwise drop it as field-unknown.
                var waitUntil = _clock.MonoNs + StopFactWaitNs;
                while (_guard.AwaitsFacts && _clock.MonoNs < waitUntil)
                {
                    Thread.Sleep(20);
                    Pump(orderer, released, gated, drainAll: false);
                }
                _guard.Flush(_clock.MonoNs, _guarded);
                _guard.Observe(_clock.MonoNs);
                WriteGuarded();
            }
            catch (EventWriteException ex)
            {
                reason = RecordingEndReason.WriteFailed;
                error = ex.Message;
            }
        }
        StopAll(started);
        if (reason != RecordingEndReason.WriteFailed)
        {
            try
            {
                Pump(orderer, released, gated, drainAll: true);
                _gate.Finish(_clock.MonoNs, _clock.UtcNow, gated);
                WriteAll(gated);
                _guard.Flush(_clock.MonoNs, _guarded);
                WriteGuarded();
                lock (_taskLock)
                {
                    // Whichever way the task began (--task, 'understudy task begin', the hotkey),
                    // the session never ends with one open.
                    if (_taskOpen)
                    {
                        gated.Add(Marker(MarkerTypes.TaskEnd, null));
                        _taskOpen = false;
                    }
                }
                gated.Add(Marker(MarkerTypes.SessionEnd, error is null ? "stopped" : reason.ToString()));
                WriteAll(gated);
                _writer.Flush();
                _writer.Sync();
            }
            catch (EventWriteException ex)
            {
                reason = RecordingEndReason.WriteFailed;
                error = ex.Message;
            }
        }

        if (_options.Pause is { } pauseSwitchAtEnd)
        {
            pauseSwitchAtEnd.Changed -= OnPause;
        }
        return new RecordingOutcome(reason, error, EventsWritten, new Dictionary<EventKind, long>(_counts), _gate.DroppedTotal, _droppedInput, orderer.ClampedLateEvents);
    }

    /// <summary>Milliseconds until the next thing the pipeline must do by itself, or infinite.</summary>
    private int TimeUntilDue(EventOrderer orderer, long lastFlush, long flushNs, long lastSync, long syncNs)
    {
        var due = long.MaxValue;
        if (orderer.NextReleaseNs is { } release)
        {
            due = Math.Min(due, release);
        }
        if (_unflushed)
        {
            due = Math.Min(due, lastFlush + flushNs);
        }
        if (_unsynced)
        {
            due = Math.Min(due, lastSync + syncNs);
        }
        if (_guard.NextDueNs is { } guardDue)
        {
            due = Math.Min(due, guardDue);
        }
        if (due == long.MaxValue)
        {
            return Timeout.Infinite;
        }
        var waitNs = due - _clock.MonoNs;
        // Round up so that the wait never ends just before the deadline and spins.
        return waitNs <= 0 ? 0 : (int)Math.Min(int.MaxValue, (waitNs + 999_999) / 1_000_000);
    }

    private void Pump(EventOrderer orderer, List<CapturedEvent> released, List<CapturedEvent> gated, bool drainAll)
    {
        while (_incoming.TryDequeue(out var captured))
        {
            orderer.Add(captured);
        }
        released.Clear();
        _gate.Poll(_clock.MonoNs, _clock.UtcNow, gated);
        if (drainAll)
        {
            orderer.ReleaseAll(released);
        }
        else
        {
            orderer.Release(_clock.MonoNs, released);
        }
        foreach (var item in released)
        {
            _gate.Process(item, gated);
        }
        WriteAll(gated);
        _guard.Release(_clock.MonoNs, _guarded);
        WriteGuarded();
        if (!drainAll)
        {
            _guard.Observe(_clock.MonoNs - _reorderWindowNs);
        }
    }

    private void WriteAll(List<CapturedEvent> gated)
    {
        foreach (var item in gated)
        {
            // Observers see the raw event (in memory only) at once, so that element lookups and
            // frames are not delayed by typing held in the guard; what they report comes back
            // tied to the provisional number and is mapped to the stored one.
            var numbered = _sequencer.Assign(item);
            foreach (var observer in _observers)
            {
                observer.OnRecorded(numbered);
            }
            _guard.Process(numbered, _clock.MonoNs, _guarded);
        }
        gated.Clear();
        WriteGuarded();
    }

    private void WriteGuarded()
    {
        foreach (var item in _guarded)
        {
            var stored = _remap.Assign(item);
            _writer.Append(stored);
            _unflushed = true;
            _counts[stored.Kind] = _counts.GetValueOrDefault(stored.Kind) + 1;
            if (stored.Payload is GapPayload { Reason: GapReasons.InputOverflow } overflow)
            {
                _droppedInput += overflow.Dropped;
            }
            Interlocked.Increment(ref _eventsWritten);
        }
        _guarded.Clear();
    }

    private CapturedEvent Marker(string marker, string? label) =>
        new(_clock.MonoNs, _clock.UtcNow, new MarkerPayload(marker, label));

    private static void StopAll(List<ICaptureSource> started)
    {
        foreach (var source in started)
        {
            source.Stop();
        }
    }
}
