using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Input;

/// <summary>
/// Global keyboard and pointer input through the RECORD extension. Three parts, each on its
/// own thread: the XRecord callback (stamps and copies into a ring, nothing else), the pump
/// (translates keys, turns buttons into clicks and scrolls, reports overflow as gaps), and
/// the caller's sink. Besides device events we record the two requests that change the keymap
/// (core ChangeKeyboardMapping and XKB SetMap) so that key translation follows remaps in order.
/// </summary>
internal sealed unsafe class XRecordInputSource : ICaptureSource
{
    private const int XkbSetMapMinorOpcode = 9;
    private const int ChangeKeyboardMappingOpcode = 100;

    private readonly string? _displayName;
    private readonly SpscRing<RawInput> _ring;
    private X11Connection? _control;
    private X11Connection? _data;
    private X11Connection? _query;
    private nuint _context;
    private GCHandle _self;
    private Thread? _recordThread;
    private Thread? _pumpThread;
    private volatile bool _running;
    private ICaptureSink? _sink;
    private KeyTranslator? _translator;
    private byte _xkbOpcode;
    private readonly ManualResetEventSlim _recordingEnabled = new(false);
    private readonly WakeupFd _wakeup = new();

    // 1 while the pump sleeps or is about to: the callback then wakes it (once). Both sides use
    // full-fence interlocked operations so that an event is never left unseen in the ring.
    private int _pumpSleeping;
    private long _lastWakeNs;
    private const long BurstWakeIntervalNs = 5_000_000;

    // Pump-thread state.
    // A release is named after its press: a client may undo a temporary remap between the two.
    private readonly string?[] _pressedKeyNames = new string?[256];
    private readonly ServerTimeMapper _serverTime = new();
    private long _anchorWallTicks;
    private long _anchorMonoNs;
    private long _reportedDropped;

    // Written only by the callback thread.
    private long _deviceEventsReceived;
    private long _lastMonoNs;

    // Optional cost measurement of the callback, for the benchmark only.
    private long[]? _callbackCostSamples;
    private int _callbackCostCount;

    public XRecordInputSource(string? displayName, InputSourceOptions options)
    {
        _displayName = displayName;
        _ring = new SpscRing<RawInput>(options.RingCapacity);
    }

    public string Name => "x11-input";

    public long Dropped => _ring.Dropped;

    /// <summary>
    /// Device events the X server delivered to the callback, kept or dropped. The difference
    /// to what a client sent is loss inside the server, before Understudy saw anything.
    /// </summary>
    public long DeviceEventsReceived => Volatile.Read(ref _deviceEventsReceived);

    /// <summary>Makes the callback record its own duration (Stopwatch ticks) for up to <paramref name="samples"/> events.</summary>
    public void MeasureCallbackCost(int samples) => _callbackCostSamples = new long[samples];

    public ReadOnlySpan<long> CallbackCostSamples =>
        _callbackCostSamples is null ? default : _callbackCostSamples.AsSpan(0, Math.Min(_callbackCostCount, _callbackCostSamples.Length));

    public void Start(ICaptureSink sink)
    {
        _sink = sink;
        _control = X11Connection.Open(_displayName);
        _data = X11Connection.Open(_displayName);
        _query = X11Connection.Open(_displayName);
        foreach (var connection in new[] { _control, _data, _query })
        {
            connection.Lost += OnConnectionLost;
        }

        if (XTst.XRecordQueryVersion(_control.Handle, out _, out _) == 0)
        {
            throw new CaptureUnavailableException($"the X server on '{_control.Name}' has no RECORD extension: input cannot be captured there");
        }
        _translator = CreateTranslator(_query);
        _serverTime.CalibrateWith(_query.Handle);
        _xkbOpcode = QueryXkbOpcode(_query.Handle);
        _context = CreateContext(_control.Handle, _xkbOpcode);
        // The data connection must see the context before it is enabled.
        Xlib.XSync(_control.Handle, 0);

        _self = GCHandle.Alloc(this);
        _running = true;
        _recordThread = new Thread(RecordLoop) { IsBackground = true, Name = "x11-record", Priority = ThreadPriority.AboveNormal };
        _pumpThread = new Thread(PumpLoop) { IsBackground = true, Name = "x11-input-pump" };
        _recordThread.Start();
        _pumpThread.Start();
        // The server confirms with a start-of-data block; until then input would be missed silently.
        if (!_recordingEnabled.Wait(TimeSpan.FromSeconds(5)))
        {
            Stop();
            throw new CaptureUnavailableException($"the X server on '{_control.Name}' did not start recording input within 5 s");
        }
    }

    public void Stop()
    {
        // After a lost display _running is already false, but the threads must still be joined so
        // that the pump's last events reach the sink before the recorder's final drain.
        var wasRunning = _running;
        _running = false;
        if (wasRunning && _control is { IsLost: false } control && _context != 0)
        {
            XTst.XRecordDisableContext(control.Handle, _context);
            Xlib.XFlush(control.Handle);
        }
        _recordThread?.Join(TimeSpan.FromSeconds(3));
        _wakeup.Signal();
        _pumpThread?.Join(TimeSpan.FromSeconds(3));
    }

    public void Dispose()
    {
        Stop();
        if (_control is { IsLost: false } control && _context != 0)
        {
            XTst.XRecordFreeContext(control.Handle, _context);
            _context = 0;
        }
        // A data connection whose record thread did not end is still in use by Xlib: leak it rather than crash.
        if (_recordThread is null || !_recordThread.IsAlive)
        {
            _data?.Dispose();
        }
        _query?.Dispose();
        _control?.Dispose();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
        _recordingEnabled.Dispose();
        if (_pumpThread is null || !_pumpThread.IsAlive)
        {
            _wakeup.Dispose();
        }
    }

    private static nuint CreateContext(nint control, byte xkbOpcode)
    {
        var range = XTst.XRecordAllocRange();
        if (range == null)
        {
            throw new CaptureUnavailableException("XRecordAllocRange failed: out of memory");
        }
        try
        {
            range[XRecordLayout.DeviceEventsFirst] = RawInput.KeyPress;
            range[XRecordLayout.DeviceEventsLast] = RawInput.MotionNotify;
            range[XRecordLayout.CoreRequestsFirst] = ChangeKeyboardMappingOpcode;
            range[XRecordLayout.CoreRequestsLast] = ChangeKeyboardMappingOpcode;
            if (xkbOpcode != 0)
            {
                // ext_requests: major opcode range at bytes 4–5, minor opcode range (u16) at 6–9.
                range[4] = xkbOpcode;
                range[5] = xkbOpcode;
                *(ushort*)(range + 6) = XkbSetMapMinorOpcode;
                *(ushort*)(range + 8) = XkbSetMapMinorOpcode;
            }
            var clients = XTst.XRecordAllClients;
            var context = XTst.XRecordCreateContext(control, 0, &clients, 1, &range, 1);
            if (context == 0)
            {
                throw new CaptureUnavailableException("XRecordCreateContext failed: the X server refused to record input");
            }
            return context;
        }
        finally
        {
            Xlib.XFree((nint)range);
        }
    }

    private static byte QueryXkbOpcode(nint display)
    {
        // setxkbmap and desktop keyboard settings change the map through XKB rather than the core request.
        return Xlib.XQueryExtension(display, "XKEYBOARD", out var major, out _, out _) != 0 && major is > 0 and < 256 ? (byte)major : (byte)0;
    }

    private void RecordLoop()
    {
        // Blocks until XRecordDisableContext or until the connection breaks.
        XTst.XRecordEnableContext(_data!.Handle, _context, &OnIntercept, GCHandle.ToIntPtr(_self));
    }

    [UnmanagedCallersOnly]
    private static void OnIntercept(nint closure, nint interceptData)
    {
        var source = (XRecordInputSource)GCHandle.FromIntPtr(closure).Target!;
        var costSamples = source._callbackCostSamples;
        var startTicks = costSamples is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        var intercept = (byte*)interceptData;
        var category = *(int*)(intercept + XRecordLayout.Category);
        var data = *(byte**)(intercept + XRecordLayout.Data);
        var length = *(nuint*)(intercept + XRecordLayout.DataLength) * 4;
        if (data != null && length >= 4)
        {
            if (category == XTst.XRecordFromServer)
            {
                source.OnDeviceEvent(data, length);
            }
            else if (category == XTst.XRecordFromClient)
            {
                source.OnKeymapRequest(data, length);
            }
        }
        else if (category == XTst.XRecordStartOfData)
        {
            source._recordingEnabled.Set();
        }
        XTst.XRecordFreeData(interceptData);
        if (costSamples is not null)
        {
            var index = source._callbackCostCount++;
            if (index < costSamples.Length)
            {
                costSamples[index] = System.Diagnostics.Stopwatch.GetTimestamp() - startTicks;
            }
        }
    }

    private void OnDeviceEvent(byte* wire, nuint length)
    {
        var type = (byte)(wire[0] & 0x7f);
        if (type < RawInput.KeyPress || type > RawInput.MotionNotify || length < 32)
        {
            return;
        }
        RawInput raw = default;
        raw.MonoNs = MonotonicClock.NowNs();
        raw.Type = type;
        raw.Detail = wire[1];
        raw.ServerTime = *(uint*)(wire + 4);
        raw.RootX = *(short*)(wire + 20);
        raw.RootY = *(short*)(wire + 22);
        raw.State = *(ushort*)(wire + 28);
        Volatile.Write(ref _deviceEventsReceived, _deviceEventsReceived + 1);
        _ring.TryWrite(raw);
        WakePump();
    }

    private void WakePump()
    {
        if (Volatile.Read(ref _pumpSleeping) != 0 && Interlocked.CompareExchange(ref _pumpSleeping, 0, 1) == 1)
        {
            _wakeup.Signal();
        }
    }

    private void OnKeymapRequest(byte* request, nuint length)
    {
        // Keymap changes are applied in stream order and never posted: they need no time stamp.
        RawInput raw = default;
        if (request[0] == ChangeKeyboardMappingOpcode && length >= 8)
        {
            var count = request[1];
            var perKeycode = request[5];
            var total = count * perKeycode;
            if (total > 0 && total <= RawInput.MaxInlineKeysyms && length >= (nuint)(8 + (total * 4)))
            {
                raw.Type = RawInput.KeymapPatch;
                raw.PatchFirstKeycode = request[4];
                raw.PatchKeycodeCount = count;
                raw.PatchKeysymsPerKeycode = perKeycode;
                var keysyms = (uint*)(request + 8);
                for (var i = 0; i < total; i++)
                {
                    raw.PatchKeysyms[i] = keysyms[i];
                }
                _ring.TryWrite(raw);
                WakePump();
                return;
            }
        }
        raw.Type = RawInput.KeymapReload;
        _ring.TryWrite(raw);
        WakePump();
    }

    private void PumpLoop()
    {
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = _wakeup.Fd, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = _query is { IsLost: false } query ? Xlib.XConnectionNumber(query.Handle) : -1, Events = Libc.POLLIN };
        while (true)
        {
            AnchorWallClock();
            while (_ring.TryRead(out var raw))
            {
                Handle(raw);
            }
            if (!_running && !_recordThread!.IsAlive)
            {
                // Drain what the record thread wrote before it ended.
                AnchorWallClock();
                while (_ring.TryRead(out var raw))
                {
                    Handle(raw);
                }
                ReportTrailingOverflow();
                return;
            }
            if ((fds[1].Revents & Libc.POLLIN) != 0)
            {
                ProcessServerNotifications();
            }

            // Sleep until the callback or the server has something: no timed polling, so the
            // recorder costs nothing at rest. The timeout is only a safety net.
            Interlocked.Exchange(ref _pumpSleeping, 1);
            if (_ring.Count > 0 || !_running)
            {
                Volatile.Write(ref _pumpSleeping, 0);
                fds[1].Revents = 0;
                continue;
            }
            fds[0].Revents = 0;
            fds[1].Revents = 0;
            Libc.poll(fds, 2, 1000);
            Volatile.Write(ref _pumpSleeping, 0);
            if ((fds[0].Revents & Libc.POLLIN) != 0)
            {
                _wakeup.Drain();
                // In a burst (wake-ups under 5 ms apart) let events gather for a millisecond: draining
                // each one as it lands would make every callback pay for a wake-up, and a record
                // thread that falls behind makes the X server drop record data. Human-paced input,
                // tens of milliseconds apart, is drained at once.
                var wokeAt = MonotonicClock.NowNs();
                if (wokeAt - _lastWakeNs < BurstWakeIntervalNs)
                {
                    Thread.Sleep(1);
                }
                _lastWakeNs = wokeAt;
            }
        }
    }

    private void ProcessServerNotifications()
    {
        var query = _query;
        if (query is null || query.IsLost)
        {
            return;
        }
        var eventBuffer = stackalloc byte[Xlib.XEventSize];
        var reload = false;
        while (Xlib.XPending(query.Handle) > 0)
        {
            Xlib.XNextEvent(query.Handle, eventBuffer);
            if (*(int*)eventBuffer == Xlib.MappingNotify)
            {
                // Keeps XLookupString's copy current; our own table follows the recorded requests.
                Xlib.XRefreshKeyboardMapping(eventBuffer);
                // A modifier map change (request 0) is not carried in the stream.
                reload |= *(int*)(eventBuffer + 40) == 0;
            }
        }
        if (reload && _translator is not null)
        {
            _translator.Keymap.Roles = KeymapLoader.LoadRoles(query.Handle, _translator.Keymap);
        }
    }

    private void ReportTrailingOverflow()
    {
        var dropped = _ring.Dropped;
        if (dropped != _reportedDropped && _sink is { } sink)
        {
            var now = MonotonicClock.NowNs();
            sink.Post(new CapturedEvent(now, DateTimeOffset.UtcNow, new GapPayload(GapReasons.InputOverflow, Math.Max(0, now - _lastMonoNs), dropped - _reportedDropped)));
            _reportedDropped = dropped;
        }
    }

    private static KeyTranslator CreateTranslator(X11Connection query)
    {
        var display = query.Handle;
        return new KeyTranslator(KeymapLoader.Load(display), (keycode, state) => LookupOnServer(display, keycode, state));
    }

    /// <summary>XLookupString with the recorded state: the server's XKB rules, applied client-side without a round trip.</summary>
    private static uint LookupOnServer(nint display, int keycode, ushort state)
    {
        var keyEvent = new XKeyEvent { Type = RawInput.KeyPress, Display = display, State = state, Keycode = (uint)keycode, SameScreen = 1 };
        nuint keysym = 0;
        var text = stackalloc byte[16];
        Xlib.XLookupString(&keyEvent, text, 16, &keysym, 0);
        return (uint)keysym;
    }

    /// <summary>One wall/monotonic clock pair per drained batch: wall times are derived from it, not read per event.</summary>
    private void AnchorWallClock()
    {
        _anchorWallTicks = DateTime.UtcNow.Ticks;
        _anchorMonoNs = MonotonicClock.NowNs();
    }

    private DateTimeOffset WallAt(long monoNs) => new(_anchorWallTicks - ((_anchorMonoNs - monoNs) / 100), TimeSpan.Zero);

    private void Handle(in RawInput raw)
    {
        if (raw.Type is RawInput.KeymapPatch)
        {
            ApplyPatch(raw);
            return;
        }
        if (raw.Type is RawInput.KeymapReload)
        {
            ReloadKeymap();
            return;
        }
        var sink = _sink!;
        var monoNs = _serverTime.Map(raw.ServerTime, raw.MonoNs);
        var wall = WallAt(monoNs);
        var dropped = _ring.Dropped;
        if (dropped != _reportedDropped)
        {
            var gap = new GapPayload(GapReasons.InputOverflow, Math.Max(0, monoNs - _lastMonoNs), dropped - _reportedDropped);
            _reportedDropped = dropped;
            sink.Post(new CapturedEvent(monoNs, wall, gap));
        }
        _lastMonoNs = monoNs;

        EventPayload? payload = raw.Type switch
        {
            RawInput.KeyPress or RawInput.KeyRelease => KeyEvent(raw),
            RawInput.ButtonPress or RawInput.ButtonRelease => ButtonEvent(raw),
            RawInput.MotionNotify => new PointerMovePayload(raw.RootX, raw.RootY),
            _ => null,
        };
        if (payload is not null)
        {
            sink.Post(new CapturedEvent(monoNs, wall, payload));
        }
    }

    private KeyPayload KeyEvent(in RawInput raw)
    {
        var isDown = raw.Type == RawInput.KeyPress;
        var key = _translator!.Translate(raw.Detail, raw.State, isDown);
        var name = key.Key;
        if (isDown)
        {
            _pressedKeyNames[raw.Detail] = name;
        }
        else if (_pressedKeyNames[raw.Detail] is { } pressedAs)
        {
            name = pressedAs;
            _pressedKeyNames[raw.Detail] = null;
        }
        return new KeyPayload(isDown, name, key.Text, key.Modifiers, raw.Detail);
    }

    private EventPayload? ButtonEvent(in RawInput raw)
    {
        var isDown = raw.Type == RawInput.ButtonPress;
        var modifiers = _translator!.ModifiersOf(raw.State);
        // X reports wheel notches as presses of buttons 4–7, each followed by a release we ignore.
        switch (raw.Detail)
        {
            case 4:
            case 5:
            case 6:
            case 7:
                if (!isDown)
                {
                    return null;
                }
                var dy = raw.Detail switch { 4 => -1, 5 => 1, _ => 0 };
                var dx = raw.Detail switch { 6 => -1, 7 => 1, _ => 0 };
                return new ScrollPayload(dx, dy, raw.RootX, raw.RootY, modifiers);
        }
        var button = raw.Detail switch
        {
            1 => MouseButton.Left,
            2 => MouseButton.Middle,
            3 => MouseButton.Right,
            8 => MouseButton.Back,
            9 => MouseButton.Forward,
            _ => MouseButton.Other,
        };
        return new ButtonPayload(isDown, button, raw.RootX, raw.RootY, modifiers);
    }

    private void ApplyPatch(in RawInput raw)
    {
        var keysyms = new ReadOnlySpan<uint>(Unsafe.AsPointer(ref Unsafe.AsRef(in raw.PatchKeysyms[0])), RawInput.MaxInlineKeysyms);
        _translator!.Keymap.Apply(raw.PatchFirstKeycode, raw.PatchKeycodeCount, raw.PatchKeysymsPerKeycode, keysyms);
    }

    private void ReloadKeymap()
    {
        if (_query is { IsLost: false } query)
        {
            // The server has applied the change; let Xlib see its notification before we read the map.
            Xlib.XSync(query.Handle, 0);
            ProcessServerNotifications();
            _translator = CreateTranslator(query);
        }
    }

    private void OnConnectionLost(X11Connection connection)
    {
        _running = false;
        _sink?.Fault(new CaptureFault(Name, $"the X server connection to '{connection.Name}' was lost", DisplayLost: true));
    }
}
