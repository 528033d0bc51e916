using System.Collections.Concurrent;
using System.IO.Hashing;
using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Model;
using Understudy.Frames.Masking;
using Understudy.Frames.Redaction;

namespace Understudy.Frames;

/// <summary>
/// Screenshots as keyframes. A grab thread keeps the last few distinct screens in a ring; for each
/// action worth a picture (a click, the start of a typing burst, a shortcut, the first scroll of a
/// burst) it picks the screen the user saw before the action and the screen once it settled after
/// it; encoder threads store them as full frames or patches and post frame events tied to the
/// action's seq. Grabbing never waits for encoding: when encoders fall behind, frames are dropped
/// and reported as a <see cref="GapReasons.FrameLost"/> gap.
/// </summary>
public sealed class FrameSource : ICaptureSource, IActionObserver
{
    /// <summary>A key pressed after this long without keys starts a new typing burst (and a scroll a new scroll burst).</summary>
    public static readonly TimeSpan BurstGap = FrameTriggers.BurstGap;

    // Each waiting job holds a whole screen; beyond this many, new picks are dropped rather than letting memory grow.
    private const int MaxWaitingJobs = 3;

    private readonly Lock _dispatchGate = new();
    private readonly long _idleAfterNs;

    // The newest input event's time; the grab loop runs at the fast rate while it is recent.
    private long _lastInputMonoNs = long.MinValue / 2;

    // Keeps two buffers: the encoder's reference screen and one job; more jobs at once are rare.
    private readonly ScreenBufferPool _buffers = new(2);
    private FrameJob? _lastDispatched;
    private const int MaxStalenessSamples = 100_000;
    private const int MaxResizeAttempts = 3;

    private readonly Func<IScreenGrabber> _grabberFactory;
    private readonly FrameOptions _options;
    private readonly IClock _clock;
    private readonly FrameEncoder _encoder;
    private readonly ConcurrentQueue<PendingAction> _actions = new();
    private readonly ConcurrentQueue<FrameJob> _jobs = new();
    private readonly AutoResetEvent _wakeGrabber = new(false);
    private readonly SemaphoreSlim _jobsReady = new(0);
    private readonly Lock _stalenessGate = new();
    private readonly List<long> _stalenessNs = [];
    private readonly List<Thread> _workers = [];
    private readonly FrameTriggers _triggers = new();
    private ICaptureSink? _sink;
    private IScreenGrabber? _grabber;
    private FrameRing? _ring;
    private Thread? _grabThread;
    private PendingAfter? _pendingAfter;
    private volatile bool _running;
    private volatile bool _stopping;
    private int _waitingJobs;
    private long _framesStored;
    private long _bytesStored;
    private long _framesLost;
    private long _grabsCompleted;

    private readonly Func<IFrameMasker>? _maskerFactory;
    private readonly SensitiveRegions? _privacy;
    private IFrameMasker? _masker;
    private long _framesLostPrivacy;
    private readonly IFrameScrubber? _scrubber;

    /// <summary>Longest an encoder waits for the privacy guard to judge the typing a frame may show.</summary>
    public static readonly TimeSpan PrivacyWait = TimeSpan.FromSeconds(5);

    /// <param name="maskerFactory">
    /// Masks each grab in place before it enters the ring (scope and sensitive fields), so that no
    /// unmasked screen is ever hashed, encoded or stored. Created on <see cref="Start"/> and used on the grab thread.
    /// </param>
    /// <param name="privacy">
    /// The guard's regions and watermark: a frame is encoded only once the typing it may show has
    /// been judged, and then with the fields the guard found sensitive or redacted filled.
    /// </param>
    /// <param name="scrubber">Finds and fills flagged text in the pixels (OCR) just before encoding; a frame it rejects is dropped.</param>
    public FrameSource(Func<IScreenGrabber> grabberFactory, FrameOptions options, IBlobStore store, IClock clock, Func<IFrameMasker>? maskerFactory = null, SensitiveRegions? privacy = null, IFrameScrubber? scrubber = null)
    {
        _scrubber = scrubber;
        _maskerFactory = maskerFactory;
        _privacy = privacy;
        ArgumentNullException.ThrowIfNull(grabberFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RingFrames, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EncodeWorkers, 1, nameof(options));
        if (options.Scale is <= 0 or > 1 || options.Quality is < 1 or > 100 || options.GrabInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "frame options out of range: scale (0, 1], quality 1–100, positive grab interval");
        }
        _grabberFactory = grabberFactory;
        _options = options;
        _clock = clock;
        _encoder = new FrameEncoder(options, store, _buffers);
        _idleAfterNs = (long)options.IdleAfter.TotalNanoseconds;
    }

    public string Name => "frames";

    public long FramesStored => Interlocked.Read(ref _framesStored);

    /// <summary>Encoded bytes handed to the blob store (frames already stored count nothing).</summary>
    public long BytesStored => Interlocked.Read(ref _bytesStored);

    public long FramesLost => Interlocked.Read(ref _framesLost);

    /// <summary>Frames lost because no screen in the ring was old enough (the action reached us late).</summary>
    public long FramesLostNoHistory => Interlocked.Read(ref _framesLostNoHistory);

    /// <summary>Frames lost because the encoders were behind (the waiting queue was full).</summary>
    public long FramesLostEncoderBehind => Interlocked.Read(ref _framesLostEncoderBehind);

    /// <summary>Frames dropped because typing they might show could not be judged in time, in a field of unknown bounds.</summary>
    public long FramesLostPrivacy => Interlocked.Read(ref _framesLostPrivacy);

    /// <summary>Grabs taken into the ring so far (tests wait on it).</summary>
    public long GrabsCompleted => Interlocked.Read(ref _grabsCompleted);

    /// <summary>False once the grabber reported the display gone.</summary>
    public bool IsGrabbing => _running && _grabThread is { IsAlive: true };

    /// <summary>For each before-frame: action time minus the time its screen was last known current, in nanoseconds.</summary>
    public long[] StalenessSamplesNs()
    {
        lock (_stalenessGate)
        {
            return [.. _stalenessNs];
        }
    }

    public void Start(ICaptureSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_running || _stopping)
        {
            throw new InvalidOperationException("the frame source can be started once");
        }
        _sink = sink;
        _grabber = _grabberFactory();
        _masker = _maskerFactory?.Invoke();
        var screenBytes = Math.Max(1L, (long)_grabber.Size.Width * _grabber.Size.Height * 4);
        _ring = new FrameRing((int)Math.Clamp(_options.RingBudgetBytes / screenBytes, _options.RingFrames, Math.Max(_options.RingFrames, 8)), _grabber.Size);
        _running = true;
        // The first grab happens before capture starts, so the very first action has a before-frame.
        Grab();
        _grabThread = new Thread(GrabLoop) { IsBackground = true, Name = "frames-grab" };
        _grabThread.Start();
        for (var i = 0; i < _options.EncodeWorkers; i++)
        {
            var worker = new Thread(EncodeLoop) { IsBackground = true, Name = $"frames-encode-{i}" };
            _workers.Add(worker);
            worker.Start();
        }
    }

    /// <summary>Called on the recorder's pipeline thread: decides whether the event is an action worth frames and queues it.</summary>
    public void OnRecorded(SessionEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!_running || _stopping)
        {
            return;
        }
        if (recorded.Payload is KeyPayload or ButtonPayload or ScrollPayload or PointerMovePayload)
        {
            var previous = Interlocked.Exchange(ref _lastInputMonoNs, recorded.MonoNs);
            if (recorded.MonoNs - previous >= _idleAfterNs)
            {
                // Input after a quiet spell: back to the fast grab rate now, not at the next slow grab.
                _wakeGrabber.Set();
            }
        }
        if (!WantsFrames(recorded))
        {
            return;
        }
        _actions.Enqueue(new PendingAction(recorded.Seq, recorded.MonoNs));
        _wakeGrabber.Set();
    }

    public void Stop()
    {
        if (!_running || _stopping)
        {
            _stopping = true;
            return;
        }
        // Actions recorded up to now still get their frames: the grab thread takes the queued
        // actions and settles the last one with the screen as it is, and the workers encode what
        // is waiting (at most MaxWaitingJobs frames) before they exit.
        _stopping = true;
        _wakeGrabber.Set();
        _grabThread?.Join();
        _jobsReady.Release(_workers.Count);
        foreach (var worker in _workers)
        {
            worker.Join();
        }
        while (_jobs.TryDequeue(out var job))
        {
            ReturnPixels(job);
        }
        _actions.Clear();
        _ring?.Dispose();
        _encoder.Dispose();
        _buffers.Clear();
        _grabber?.Dispose();
        _masker?.Dispose();
        _scrubber?.Dispose();
        _running = false;
    }

    public void Dispose()
    {
        Stop();
        _wakeGrabber.Dispose();
        _jobsReady.Dispose();
    }

    /// <summary>Whether an action gets frames. Keeps burst state: call once per event, in order (the pipeline thread does).</summary>
    internal bool WantsFrames(SessionEvent recorded) => _triggers.WantsFrames(recorded);

    private void GrabLoop()
    {
        var activeInterval = (long)_options.GrabInterval.TotalNanoseconds;
        var idleInterval = Math.Max(activeInterval, (long)_options.IdleGrabInterval.TotalNanoseconds);
        // Start() took the first grab just now.
        var lastGrab = _clock.MonoNs;
        while (true)
        {
            if (_stopping)
            {
                TakeActions();
                SettleNow();
                return;
            }
            TakeActions();
            var now = _clock.MonoNs;
            var active = _pendingAfter is not null || now - Interlocked.Read(ref _lastInputMonoNs) < _idleAfterNs;
            var interval = active ? activeInterval : idleInterval;
            if (now >= lastGrab + interval)
            {
                if (!Grab())
                {
                    // The display is gone; the input source reports that. Frames simply end here.
                    return;
                }
                lastGrab = now;
                SettlePendingAfter();
            }
            var waitMs = Math.Clamp((lastGrab + interval - _clock.MonoNs) / 1_000_000, 1, Math.Max(1, interval / 1_000_000));
            _wakeGrabber.WaitOne(TimeSpan.FromMilliseconds(waitMs));
        }
    }

    /// <summary>One grab into the ring. False when the display is gone.</summary>
    private bool Grab()
    {
        var ring = _ring!;
        var grabber = _grabber!;
        try
        {
            var attempts = 0;
            while (!grabber.TryGrab(ring.Spare))
            {
                // The screen changed size: the history is of no use for the new size, start again with a full frame.
                ring.Resize(grabber.Size);
                if (++attempts >= MaxResizeAttempts)
                {
                    return true;
                }
            }
        }
        catch (CaptureUnavailableException)
        {
            return false;
        }
        Rect[]? hidden = null;
        if (_masker is { } masker)
        {
            try
            {
                hidden = masker.Plan(ring.Size);
            }
#pragma warning disable CA1031 // Whatever went wrong, the screen must not leave the ring unmasked.
            catch (Exception)
#pragma warning restore CA1031
            {
                hidden = [new Rect(0, 0, ring.Size.Width, ring.Size.Height)];
            }
        }
        var grabbedAt = _clock.MonoNs;
        var changed = ring.Commit(grabbedAt, hidden);
        if (changed && _pendingAfter is not null)
        {
            _pendingAfter.LastChangeMonoNs = grabbedAt;
        }
        Interlocked.Increment(ref _grabsCompleted);
        return true;
    }

    private void TakeActions()
    {
        var ring = _ring!;
        while (_actions.TryDequeue(out var action))
        {
            var seen = ring.NewestAtOrBefore(action.MonoNs);
            FrameJob? before = null;
            if (seen is null)
            {
                // The ring no longer reaches back to the action (a size change emptied it, or the grab thread fell far behind).
                LoseFrames(1, ref _framesLostNoHistory);
            }
            else
            {
                before = Pick(seen, ring.Size);
                before.Consumers.Add((action.Seq, FrameRoles.Before));
                RecordStaleness(action.MonoNs - Math.Min(seen.LastCurrentMonoNs, action.MonoNs));
            }
            if (_pendingAfter is { } unsettled)
            {
                // The previous action never settled before this one: what the user saw now is its result.
                if (before is null)
                {
                    LoseFrames(1, ref _framesLostNoHistory);
                }
                else
                {
                    before.Consumers.Add((unsettled.Seq, FrameRoles.After));
                }
            }
            if (before is not null)
            {
                Dispatch(before);
            }
            // Changes already grabbed since the action count towards settling.
            var newest = ring.Newest;
            var lastChange = newest is not null && newest.GrabbedMonoNs > action.MonoNs ? newest.GrabbedMonoNs : action.MonoNs;
            _pendingAfter = new PendingAfter(action.Seq, action.MonoNs + (long)_options.SettleTimeout.TotalNanoseconds) { LastChangeMonoNs = lastChange };
        }
    }

    private void SettlePendingAfter()
    {
        var ring = _ring!;
        if (_pendingAfter is not { } pending || ring.Newest is not { } newest)
        {
            return;
        }
        var seenAt = newest.LastCurrentMonoNs;
        var quiet = seenAt - pending.LastChangeMonoNs >= (long)_options.SettleQuiet.TotalNanoseconds;
        if (!quiet && seenAt < pending.DeadlineMonoNs)
        {
            return;
        }
        var after = Pick(newest, ring.Size);
        after.Consumers.Add((pending.Seq, FrameRoles.After));
        Dispatch(after);
        _pendingAfter = null;
    }

    /// <summary>At stop: the last action's after-frame is the screen as it is now.</summary>
    private void SettleNow()
    {
        if (_pendingAfter is not { } pending)
        {
            return;
        }
        _pendingAfter = null;
        var ring = _ring!;
        if (!Grab() || ring.Newest is not { } newest)
        {
            LoseFrames(1);
            return;
        }
        var after = Pick(newest, ring.Size);
        after.Consumers.Add((pending.Seq, FrameRoles.After));
        Dispatch(after);
    }

    /// <summary>Copies a ring frame for the encoders, so the ring can move on while they work.</summary>
    private FrameJob Pick(RingSlot slot, ScreenSize size)
    {
        var length = size.Width * size.Height * 4;
        var pixels = _buffers.Rent(length);
        slot.Pixels.AsSpan(0, length).CopyTo(pixels);
        var hash = slot.Hash;
        if (slot.Hidden is { Length: > 0 } hidden)
        {
            // What the scope hides is filled here, before the copy goes anywhere else.
            foreach (var rect in hidden)
            {
                PixelMask.Fill(pixels.AsSpan(0, length), size, rect, _options.MaskFill);
            }
            hash = XxHash3.HashToUInt64(pixels.AsSpan(0, length));
        }
        return new FrameJob { Pixels = pixels, Size = size, ContentHash = hash, GrabbedMonoNs = slot.GrabbedMonoNs };
    }

    private void Dispatch(FrameJob job)
    {
        // A burst of actions (fast typing, a double click) often sees one screen: one job answers them all.
        lock (_dispatchGate)
        {
            if (_lastDispatched is { } waiting && waiting.ContentHash == job.ContentHash && waiting.Size == job.Size && !waiting.Taken)
            {
                waiting.Consumers.AddRange(job.Consumers);
                ReturnPixels(job);
                return;
            }
        }
        if (Interlocked.Increment(ref _waitingJobs) > MaxWaitingJobs)
        {
            Interlocked.Decrement(ref _waitingJobs);
            LoseFrames(job.Consumers.Count, ref _framesLostEncoderBehind);
            ReturnPixels(job);
            return;
        }
        lock (_dispatchGate)
        {
            _lastDispatched = job;
            _jobs.Enqueue(job);
        }
        _jobsReady.Release();
    }

    private void EncodeLoop()
    {
        while (true)
        {
            _jobsReady.Wait();
            FrameJob? job;
            lock (_dispatchGate)
            {
                if (_jobs.TryDequeue(out job))
                {
                    job.Taken = true;
                }
            }
            if (job is null)
            {
                // Stop releases each worker once more after the last job: the queue is drained.
                if (_stopping)
                {
                    return;
                }
                continue;
            }
            Interlocked.Decrement(ref _waitingJobs);
            try
            {
                if (!MaskForPrivacy(job))
                {
                    LoseFrames(job.Consumers.Count, ref _framesLostPrivacy);
                    continue;
                }
                var stored = _encoder.Store(job);
                Interlocked.Add(ref _bytesStored, stored.BytesWritten);
                foreach (var (seq, role) in job.Consumers)
                {
                    var payload = new FramePayload(
                        stored.Blob, job.GrabbedMonoNs, stored.Region, _options.Scale, stored.Width, stored.Height,
                        _encoder.FormatName, seq, role, stored.Base);
                    _sink!.Post(new CapturedEvent(_clock.MonoNs, _clock.UtcNow, payload));
                    Interlocked.Increment(ref _framesStored);
                }
            }
            catch (Exception ex) when (ex is BlobWriteException or FrameEncodeException)
            {
                LoseFrames(job.Consumers.Count);
            }
            finally
            {
                ReturnPixels(job);
            }
        }
    }

    /// <summary>
    /// Waits until the guard has judged the typing up to the frame's grab, then fills the regions it
    /// asks to hide. False when the frame must be dropped instead.
    /// </summary>
    private bool MaskForPrivacy(FrameJob job)
    {
        if (_privacy is not { } privacy)
        {
            return _scrubber is null || _scrubber.Scrub(job.Pixels.AsSpan(0, job.Size.Width * job.Size.Height * 4), job.Size);
        }
        // While stopping, the guard's last decisions come after the sources stop: do not wait for them.
        var pending = privacy.WaitDecided(job.GrabbedMonoNs, _stopping ? TimeSpan.Zero : PrivacyWait);
        if (pending is null)
        {
            return false;
        }
        var size = job.Size;
        var pixels = job.Pixels.AsSpan(0, size.Width * size.Height * 4);
        var filled = false;
        foreach (var region in privacy.Snapshot())
        {
            PixelMask.Fill(pixels, size, region.ScreenBounds, _options.MaskFill);
            filled = true;
        }
        foreach (var field in pending)
        {
            PixelMask.Fill(pixels, size, field, _options.MaskFill);
            filled = true;
        }
        if (_scrubber is { } scrubber)
        {
            if (!scrubber.Scrub(pixels, size))
            {
                return false;
            }
            filled = true;
        }
        if (filled)
        {
            job.ContentHash = XxHash3.HashToUInt64(pixels);
        }
        return true;
    }

    private long _framesLostNoHistory;
    private long _framesLostEncoderBehind;

    private void LoseFrames(int count, ref long cause)
    {
        Interlocked.Add(ref cause, count);
        LoseFrames(count);
    }

    private void LoseFrames(int count)
    {
        if (count == 0)
        {
            return;
        }
        Interlocked.Add(ref _framesLost, count);
        _sink?.Post(new CapturedEvent(_clock.MonoNs, _clock.UtcNow, new GapPayload(GapReasons.FrameLost, 0, count)));
    }

    private void RecordStaleness(long ns)
    {
        lock (_stalenessGate)
        {
            if (_stalenessNs.Count < MaxStalenessSamples)
            {
                _stalenessNs.Add(ns);
            }
        }
    }

    private void ReturnPixels(FrameJob job)
    {
        if (job.Pixels is { } pixels)
        {
            job.Pixels = null;
            _buffers.Return(pixels);
        }
    }

    private readonly record struct PendingAction(long Seq, long MonoNs);

    private sealed class PendingAfter(long seq, long deadlineMonoNs)
    {
        public long Seq { get; } = seq;

        public long DeadlineMonoNs { get; } = deadlineMonoNs;

        public long LastChangeMonoNs { get; set; }
    }
}
