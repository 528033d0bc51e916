using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Accessibility;

/// <summary>
/// Element lookups and semantic <c>ui</c> events through AT-SPI (libatspi). One dedicated thread
/// owns every libatspi and GLib call, because libatspi is not thread-safe: it sleeps in a GLib
/// main-context iteration (no polling) and is woken when the recorder queues a lookup. Every call
/// into an application is bounded by <see cref="AccessibilityOptions.CallTimeout"/>, so a hung
/// application costs at most that, and lookups queued behind it for longer than
/// <see cref="AccessibilityOptions.MaxQueueDelay"/> are dropped and counted in a gap.
/// </summary>
public sealed unsafe class AtSpiAccessibilitySource : IOptionalCaptureSource, IActionObserver, IFieldFacts
{
    // How often the thread looks at keys still waiting for their application, while any wait.
    private static readonly TimeSpan AttributionPoll = TimeSpan.FromMilliseconds(200);
    private const int MaxDescribedFields = 64;

    // Typed keys from the pipeline thread, for the attributor on the accessibility thread.
    private readonly ConcurrentQueue<(long Seq, long MonoNs, string Text)> _typed = new();

    // What the attributor established, for the privacy guard on the pipeline thread.
    private readonly ConcurrentQueue<FieldFact> _facts = new();
    private readonly List<FieldFact> _factBuffer = [];
    private readonly TypingAttributor _attributor;
    private Timer? _attributionTimer;
    private bool _attributionTimerOn;

    // Fields described at their last focus report (a reference held on each): insertions reuse them.
    private readonly Dictionary<nint, ElementPayload> _described = [];

    // Toolkits seen on this machine to report an insertion, with a bullet for its text, for every key
    // typed into a password entry (docs/safeguards.md): GTK 3 through at-spi2-atk, and Chromium.
    private static readonly HashSet<string> ToolkitsReportingHiddenTyping = new(StringComparer.OrdinalIgnoreCase) { "GTK", "gtk", "Chromium" };
    private readonly HashSet<int> _toolkitsChecked = [];

    // The capture time of the latest event the recorder handed over (pipeline thread writes, accessibility thread reads).
    private long _deliveredThroughNs = long.MinValue;

    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);

    // libatspi keeps one bus connection and one cache per process: one source may own it at a time.
    private static readonly Lock ProcessGate = new();
    private static AtSpiAccessibilitySource? s_owner;
    private static string? s_initializedAddress;

    private readonly string? _displayName;
    private readonly AccessibilityOptions _options;
    private readonly ConcurrentQueue<LookupRequest> _requests = new();
    private readonly ConcurrentQueue<Action> _invocations = new();
    private readonly Lock _sinkGate = new();
    private readonly ManualResetEventSlim _started = new();
    private readonly ManualResetEventSlim _stopRequested = new();
    private static readonly long MenuFocusWindowNs = (long)TimeSpan.FromSeconds(1).TotalNanoseconds;

    private ICaptureSink? _sink;
    private PressInfo? _lastPress;
    private bool _detached;
    private Thread? _thread;
    private volatile bool _running;
    private nint _mainContext;

    // The process of the active window, from the window source's focus events (0: unknown).
    private int _activePid;
    private long _lookups;
    private long _lookupsStarted;
    private long _lookupsTimedOut;
    private long _lookupsDroppedLate;
    private long _idleWakeups;

    // Thread-confined to the accessibility thread from here on.
    private AccessibleReader? _reader;
    private UiEventInterpreter? _interpreter;
    private PointerWindows? _windows;
    private GCHandle _self;
    private nint _listener;
    private readonly List<nint> _pendingEvents = [];
    private readonly Dictionary<int, long> _hungUntilNs = [];
    private nint _focused;
    private long _menuReportedForSeq = -1;
    private long _lostLookups;
    private long _firstLostNs;

    public AtSpiAccessibilitySource(string? displayName, AccessibilityOptions options)
    {
        _displayName = displayName;
        _options = options;
        _attributor = new TypingAttributor(options.SensitiveFields ?? SensitiveFieldRules.Default, options.Attribution ?? new AttributionOptions());
    }

    /// <summary>Field facts are reported whenever the source runs; when the bus is missing, typing waits in vain and is dropped.</summary>
    public bool Reports => true;

    public bool TryTake(out FieldFact fact) => _facts.TryDequeue(out fact);

    public string Name => "atspi";

    /// <summary>Whether the accessibility bus answered at start (for the session manifest); false when it was missing.</summary>
    public bool Available { get; private set; }

    /// <summary>Why it is unavailable, when it is.</summary>
    public string? UnavailableReason { get; private set; }

    public long LookupsCompleted => Interlocked.Read(ref _lookups);

    /// <summary>Lookups the thread has begun (some may still be waiting for an application).</summary>
    public long LookupsStarted => Interlocked.Read(ref _lookupsStarted);

    public long LookupsTimedOut => Interlocked.Read(ref _lookupsTimedOut);

    public long LookupsDroppedLate => Interlocked.Read(ref _lookupsDroppedLate);

    /// <summary>How often the thread woke without work to do: stays near zero while nothing happens.</summary>
    public long IdleWakeups => Interlocked.Read(ref _idleWakeups);

    /// <summary>For exploring what toolkits emit: (event type, source role, detail1). Called on the accessibility thread.</summary>
    internal Action<string, string?, int>? RawEventTap { get; set; }

    internal static string ThreadName => "atspi";

    public void Start(ICaptureSink sink)
    {
        _sink = sink;
        _running = true;
        _thread = new Thread(Run) { IsBackground = true, Name = ThreadName };
        _thread.Start();
        // Start never throws for a missing bus: the thread reports that as a gap and stays inert.
        _started.Wait(StartWait);
    }

    public void OnRecorded(SessionEvent recorded)
    {
        if (!_running)
        {
            return;
        }
        if (recorded.MonoNs > Volatile.Read(ref _deliveredThroughNs))
        {
            Volatile.Write(ref _deliveredThroughNs, recorded.MonoNs);
        }
        switch (recorded.Payload)
        {
            case ButtonPayload { IsDown: true } button:
                Volatile.Write(ref _lastPress, new PressInfo(recorded.Seq, button.X, button.Y, MonotonicClock.NowNs()));
                Enqueue(new LookupRequest(recorded.Seq, ElementTriggers.Pointer, button.X, button.Y, MonotonicClock.NowNs()));
                break;
            case KeyPayload key when TypingKeys.TypesText(key):
                // Where this key went is for its application to show (see TypingAttributor).
                _typed.Enqueue((recorded.Seq, recorded.MonoNs, key.Text!));
                Wake();
                break;
            case FocusPayload focus:
                Volatile.Write(ref _activePid, focus.Pid ?? 0);
                break;
        }
    }

    /// <summary>
    /// Finds the screen bounds of a showing element by role and name (or label), walking the tree on
    /// the accessibility thread. For tests and benchmarks that need to know where to click.
    /// </summary>
    internal Task<Rect?> FindBoundsAsync(string role, string nameOrLabel) => InvokeAsync(reader => reader.FindBounds(role, nameOrLabel));

    /// <summary>The showing accessibility tree as text, for diagnostics when a test fails.</summary>
    internal Task<string> DumpTreeAsync() => InvokeAsync(reader => reader.DumpTree());

    /// <summary>Runs <paramref name="work"/> on the accessibility thread (which owns libatspi), for tests and diagnostics.</summary>
    internal Task<T> InvokeAsync<T>(Func<AccessibleReader, T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations.Enqueue(() =>
        {
            try
            {
                result.SetResult(work(_reader!));
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        });
        Wake();
        return result.Task;
    }

    private void Wake()
    {
        var context = Volatile.Read(ref _mainContext);
        if (context != 0)
        {
            GLib.g_main_context_wakeup(context);
        }
    }

    private void Enqueue(LookupRequest request)
    {
        _requests.Enqueue(request);
        var context = Volatile.Read(ref _mainContext);
        if (context != 0)
        {
            GLib.g_main_context_wakeup(context);
        }
    }

    public void Stop()
    {
        if (_thread is null)
        {
            return;
        }
        _running = false;
        _stopRequested.Set();
        var context = Volatile.Read(ref _mainContext);
        if (context != 0)
        {
            GLib.g_main_context_wakeup(context);
        }
        if (!_thread.Join(StopWait))
        {
            // Stuck in a call to a hung application: leave it behind as a background thread; it
            // must never reach the recorder again.
        }
        lock (_sinkGate)
        {
            _detached = true;
        }
    }

    /// <summary>Waits until the accessibility thread has ended (after <see cref="Stop"/>, it may still be finishing a call to a hung application).</summary>
    internal bool WaitForThreadExit(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose()
    {
        Stop();
        if (_thread is null || !_thread.IsAlive)
        {
            _started.Dispose();
            _stopRequested.Dispose();
        }
    }

    private void Post(EventPayload payload, long monoNs)
    {
        lock (_sinkGate)
        {
            if (!_detached)
            {
                _sink?.Post(new CapturedEvent(monoNs, DateTimeOffset.UtcNow, payload));
            }
        }
    }

    private void PostGap(string reason, long durationNs, long dropped) =>
        Post(new GapPayload(reason, durationNs, dropped), MonotonicClock.NowNs());

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void DiscardGLibMessage(nint domain, int level, nint message, nint userData)
    {
    }

    private void Run()
    {
        var owns = false;
        try
        {
            lock (ProcessGate)
            {
                if (s_owner is null)
                {
                    s_owner = this;
                    owns = true;
                }
            }
            if (!owns)
            {
                BecomeUnavailable("another accessibility source is running in this process");
                return;
            }
            if (!Initialize())
            {
                return;
            }
            Available = true;
            _started.Set();
            Loop();
        }
        catch (Exception ex) when (ex is CaptureUnavailableException or DllNotFoundException or EntryPointNotFoundException)
        {
            BecomeUnavailable(ex.Message);
        }
        finally
        {
            Shutdown();
            if (owns)
            {
                lock (ProcessGate)
                {
                    s_owner = null;
                }
            }
            _started.Set();
        }
    }

    private void BecomeUnavailable(string reason)
    {
        UnavailableReason = reason;
        Available = false;
        PostGap(GapReasons.AccessibilityLost, 0, 0);
        _started.Set();
    }

    private bool Initialize()
    {
        _windows = new PointerWindows(_displayName);
        var address = _windows.AdvertisedBusAddress() ?? Environment.GetEnvironmentVariable("AT_SPI_BUS_ADDRESS");
        if (string.IsNullOrEmpty(address))
        {
            // Without an advertised bus libatspi would try to start one through the session bus:
            // an accessibility layer nobody runs is reported, not launched.
            BecomeUnavailable("no AT-SPI bus: the display advertises none (AT_SPI_BUS) and AT_SPI_BUS_ADDRESS is not set");
            return false;
        }
        if (s_initializedAddress != address && !DBus.CanConnect(address))
        {
            // Checked before libatspi sees the address: once initialized without a bus, libatspi
            // cannot be set up again in this process.
            BecomeUnavailable($"cannot connect to the AT-SPI bus at {address}");
            return false;
        }
        if (s_initializedAddress != address)
        {
            if (s_initializedAddress is not null)
            {
                AtSpi.atspi_exit();
            }
            NativeEnvironment.setenv("AT_SPI_BUS_ADDRESS", address, 1);
            // libatspi reports a lost bus or display with g_warning on stderr: our errors are one
            // line of our own, and a library's message may quote what it was handling.
            GLib.g_log_set_default_handler(&DiscardGLibMessage, 0);
            AtSpi.atspi_init();
            s_initializedAddress = address;
        }
        var timeoutMs = (int)Math.Max(1, _options.CallTimeout.TotalMilliseconds);
        AtSpi.atspi_set_timeout(timeoutMs, timeoutMs);
        if (!BusConnected())
        {
            s_initializedAddress = null;
            BecomeUnavailable($"cannot connect to the AT-SPI bus at {address}");
            return false;
        }
        _reader = new AccessibleReader(_options.CallTimeout);
        var desktop = AtSpi.atspi_get_desktop(0);
        try
        {
            GLib.GError* error = null;
            AtSpi.atspi_accessible_get_child_count(desktop, &error);
            if (error != null)
            {
                GLib.g_error_free(error);
                BecomeUnavailable($"the AT-SPI registry on {address} does not answer");
                return false;
            }
        }
        finally
        {
            if (desktop != 0)
            {
                GLib.g_object_unref(desktop);
            }
        }
        _interpreter = new UiEventInterpreter(_reader);
        _self = GCHandle.Alloc(this);
        _listener = AtSpi.atspi_event_listener_new(&OnAtSpiEvent, GCHandle.ToIntPtr(_self), 0);
        foreach (var type in UiEventInterpreter.EventTypes)
        {
            AtSpi.atspi_event_listener_register(_listener, type, null);
        }
        Volatile.Write(ref _mainContext, GLib.g_main_context_default());
        return true;
    }

    private static bool BusConnected()
    {
        var bus = AtSpi.atspi_get_a11y_bus();
        return bus != 0 && DBus.dbus_connection_get_is_connected(bus) != 0;
    }

    private void Loop()
    {
        var context = _mainContext;
        _attributionTimer = new Timer(_ => Wake(), null, Timeout.Infinite, Timeout.Infinite);
        TakeFocusSnapshot();
        while (_running)
        {
            var idle = _requests.IsEmpty && _pendingEvents.Count == 0 && _invocations.IsEmpty;
            // Blocks in poll(2) until D-Bus traffic or g_main_context_wakeup: an idle recorder costs nothing.
            GLib.g_main_context_iteration(context, idle ? 1 : 0);
            if (!_running)
            {
                break;
            }
            var didWork = _pendingEvents.Count > 0 || !_requests.IsEmpty;
            ProcessEvents();
            ProcessRequests();
            while (_invocations.TryDequeue(out var invocation))
            {
                didWork = true;
                invocation();
            }
            didWork |= Attribute();
            if (!didWork)
            {
                Interlocked.Increment(ref _idleWakeups);
            }
            if (!BusConnected())
            {
                GiveUpAttribution();
                PostGap(GapReasons.AccessibilityLost, 0, 0);
                Available = false;
                UnavailableReason = "the AT-SPI bus went away";
                _stopRequested.Wait();
                return;
            }
        }
    }

    /// <summary>
    /// Before any focus report, the field focused at start is the timeline's first entry: found by
    /// walking the active application's tree (a snapshot, taken before anything is typed).
    /// </summary>
    private void TakeFocusSnapshot()
    {
        try
        {
            var activePid = Volatile.Read(ref _activePid);
            var found = _reader!.FindFocused(activePid == 0 ? null : activePid, IsHung);
            if (found == 0)
            {
                return;
            }
            SetFocused(found);
            GLib.g_object_unref(found);
            _attributor.Focused(MonotonicClock.NowNs(), DescribeField(_focused, refresh: true), _factBuffer);
            PublishFacts();
        }
        catch (AccessibleTimeoutException)
        {
            // No snapshot: the first keys are placed by their insertions alone.
        }
    }

    [UnmanagedCallersOnly]
    private static void OnAtSpiEvent(nint atspiEvent, nint userData)
    {
        // Runs inside a libatspi call on our thread: only keep the event, handle it after the call returns.
        if (GCHandle.FromIntPtr(userData).Target is AtSpiAccessibilitySource source)
        {
            source._pendingEvents.Add(atspiEvent);
        }
        else
        {
            GLib.g_boxed_free(AtSpi.atspi_event_get_type(), atspiEvent);
        }
    }

    private void ProcessEvents()
    {
        if (_pendingEvents.Count == 0)
        {
            return;
        }
        var batch = _pendingEvents.ToArray();
        _pendingEvents.Clear();
        var eventType = AtSpi.atspi_event_get_type();
        foreach (var pointer in batch)
        {
            var arrivedNs = MonotonicClock.NowNs();
            try
            {
                var atspiEvent = (AtSpi.AtspiEvent*)pointer;
                var type = Marshal.PtrToStringUTF8(atspiEvent->Type) ?? "";
                if (RawEventTap is { } tap)
                {
                    tap(type, _reader!.RoleName(atspiEvent->Source, null), atspiEvent->Detail1);
                }
                if (type == "object:property-change:accessible-name")
                {
                    _reader!.InvalidateAncestors();
                }
                if (type == "object:state-changed:focused" && atspiEvent->Detail1 == 1)
                {
                    SetFocused(atspiEvent->Source);
                    // The focus timeline: the element the application says took the focus, described
                    // now, in the order the application reported it.
                    _attributor.Focused(arrivedNs, DescribeField(atspiEvent->Source, refresh: true), _factBuffer);
                    MenuItemFocusedByPress(atspiEvent->Source, arrivedNs);
                }
                else if (type == "object:text-changed:insert")
                {
                    var inserted = atspiEvent->AnyData.Type == GLib.TypeString ? Marshal.PtrToStringUTF8(GLib.g_value_get_string(&atspiEvent->AnyData)) : null;
                    _attributor.Inserted(arrivedNs, DescribeField(atspiEvent->Source, refresh: false), inserted, _factBuffer, atspiEvent->Detail1);
                }
                else if (type == "object:text-changed:delete")
                {
                    _attributor.Deleted(DescribeField(atspiEvent->Source, refresh: false));
                }
                if (_interpreter!.Interpret(type, atspiEvent->Source, atspiEvent->Detail1, &atspiEvent->AnyData, arrivedNs) is { } ui)
                {
                    Post(ui, arrivedNs);
                }
            }
            catch (AccessibleTimeoutException)
            {
                // The application that sent the event stopped answering: the event is lost. A lost
                // focus report leaves a hole in the timeline, which may have been a password field.
                var atspiEvent = (AtSpi.AtspiEvent*)pointer;
                var lostType = Marshal.PtrToStringUTF8(atspiEvent->Type);
                if (atspiEvent->Detail1 == 1 && lostType == "object:state-changed:focused")
                {
                    _attributor.FocusUnreadable(arrivedNs, _factBuffer);
                }
                else if (lostType == "object:text-changed:insert")
                {
                    // An insertion that cannot be described may have been into a password field.
                    _attributor.InsertionUnreadable(arrivedNs, _factBuffer);
                }
            }
            finally
            {
                GLib.g_boxed_free(eventType, pointer);
            }
        }
    }

    /// <summary>
    /// A press that focuses a menu item activates it. This catches the menu items the hit test at
    /// the press cannot see: Chromium answers hit tests synchronously from an approximation by
    /// bounds unless it has a hover result cached, and a menu that overflows its menu bar is
    /// outside those bounds. One menu event per press, whichever way it is found first.
    /// </summary>
    private void MenuItemFocusedByPress(nint item, long arrivedNs)
    {
        var press = Volatile.Read(ref _lastPress);
        if (press is null || press.Seq == _menuReportedForSeq || arrivedNs - press.AtNs > MenuFocusWindowNs)
        {
            return;
        }
        var reader = _reader!;
        if (reader.RoleName(item, null) is not ("menu item" or "check menu item" or "radio menu item"))
        {
            return;
        }
        var described = reader.Describe(item, press.Seq, ElementTriggers.Pointer);
        if (described.Bounds is not { } bounds || press.X < bounds.X || press.Y < bounds.Y || press.X >= bounds.X + bounds.Width || press.Y >= bounds.Y + bounds.Height)
        {
            return;
        }
        if (UiEventInterpreter.MenuActivation(described) is { } menu)
        {
            _menuReportedForSeq = press.Seq;
            Post(menu, arrivedNs);
        }
    }

    private bool IsFocusedMenuItemAt(int x, int y)
    {
        if (_focused == 0 || _reader!.RoleName(_focused, null) is not ("menu item" or "check menu item" or "radio menu item") || !_reader.HasState(_focused, 25))
        {
            return false;
        }
        return _reader.Bounds(_focused, null) is { } b && x >= b.X && y >= b.Y && x < b.X + b.Width && y < b.Y + b.Height;
    }

    /// <summary>
    /// A field as the attributor and the guard see it. Described once per focus report and reused
    /// for its insertions (one per key): describing costs several calls into the application.
    /// </summary>
    private ElementPayload DescribeField(nint accessible, bool refresh)
    {
        if (!refresh && _described.TryGetValue(accessible, out var known))
        {
            return known;
        }
        var described = _reader!.Describe(accessible, -1, ElementTriggers.Focus);
        if (described.Pid is { } pid && _toolkitsChecked.Add(pid) && _reader.ToolkitOf(accessible, pid) is { } toolkit
            && ToolkitsReportingHiddenTyping.Contains(toolkit))
        {
            _attributor.ReportsHiddenTyping(pid);
        }
        if (!_described.ContainsKey(accessible))
        {
            if (_described.Count >= MaxDescribedFields)
            {
                foreach (var old in _described.Keys)
                {
                    GLib.g_object_unref(old);
                }
                _described.Clear();
            }
            GLib.g_object_ref(accessible);
        }
        _described[accessible] = described;
        return described;
    }

    /// <summary>Hands typed keys to the attributor and its facts to the guard; true when there was any.</summary>
    private bool Attribute()
    {
        var attributor = _attributor;
        var any = false;
        while (_typed.TryDequeue(out var key))
        {
            any = true;
            attributor.Key(key.Seq, key.MonoNs, key.Text, _factBuffer);
        }
        attributor.Delivered(Volatile.Read(ref _deliveredThroughNs), _factBuffer);
        attributor.Poll(MonotonicClock.NowNs(), _factBuffer);
        PublishFacts();
        // Keys waiting on their application must be given up on in time even if nothing else happens.
        var wantTimer = attributor.WaitingKeys > 0;
        if (wantTimer != _attributionTimerOn)
        {
            _attributionTimerOn = wantTimer;
            _attributionTimer?.Change(wantTimer ? AttributionPoll : Timeout.InfiniteTimeSpan, wantTimer ? AttributionPoll : Timeout.InfiniteTimeSpan);
        }
        return any;
    }

    private void GiveUpAttribution()
    {
        _attributor.Lost(_factBuffer);
        PublishFacts();
    }

    private void PublishFacts()
    {
        foreach (var fact in _factBuffer)
        {
            _facts.Enqueue(fact);
        }
        _factBuffer.Clear();
    }

    private void SetFocused(nint accessible)
    {
        if (accessible == _focused)
        {
            return;
        }
        if (_focused != 0)
        {
            GLib.g_object_unref(_focused);
        }
        _focused = GLib.g_object_ref(accessible);
    }

    private void ProcessRequests()
    {
        var maxDelayNs = (long)_options.MaxQueueDelay.TotalNanoseconds;
        while (_running && _requests.TryDequeue(out var request))
        {
            var now = MonotonicClock.NowNs();
            if (now - request.EnqueuedNs > maxDelayNs)
            {
                Interlocked.Increment(ref _lookupsDroppedLate);
                Lost(request);
                continue;
            }
            try
            {
                Interlocked.Increment(ref _lookupsStarted);
                Lookup(request);
                Interlocked.Increment(ref _lookups);
            }
            catch (AccessibleTimeoutException timeout)
            {
                Interlocked.Increment(ref _lookupsTimedOut);
                if (timeout.Pid is { } pid)
                {
                    // Give a hung application a rest instead of paying the timeout for every click on it.
                    _hungUntilNs[pid] = MonotonicClock.NowNs() + (2 * (long)_options.CallTimeout.TotalNanoseconds);
                }
                Lost(request);
            }
            // Handle what arrived meanwhile (focus changes) before the next lookup.
            ProcessEvents();
        }
        if (_lostLookups > 0)
        {
            PostGap(GapReasons.ElementTimeout, MonotonicClock.NowNs() - _firstLostNs, _lostLookups);
            _lostLookups = 0;
        }
    }

    private void Lost(LookupRequest request)
    {
        if (_lostLookups++ == 0)
        {
            _firstLostNs = request.EnqueuedNs;
        }
    }

    private bool IsHung(int pid) => _hungUntilNs.TryGetValue(pid, out var until) && MonotonicClock.NowNs() < until;

    private void Lookup(LookupRequest request)
    {
        var reader = _reader!;
        nint element;
        nint application = 0;
        if (request.Trigger == ElementTriggers.Pointer)
        {
            var pid = _windows!.ProcessAt(request.X, request.Y);
            if (pid is { } owner && IsHung(owner))
            {
                throw new AccessibleTimeoutException(owner);
            }
            element = reader.HitTest(request.X, request.Y, pid, IsHung, out application);
            if (element != 0 && IsFocusedMenuItemAt(request.X, request.Y) && element != _focused)
            {
                // An open menu overlaps other content, where Chromium's synchronous hit test (an
                // approximation by bounds unless it has a hover result cached) misses it: the
                // focused menu item under the pointer is the better answer.
                GLib.g_object_unref(element);
                element = GLib.g_object_ref(_focused);
                application = 0;
            }
        }
        else
        {
            return;
        }
        if (element == 0)
        {
            return;
        }
        try
        {
            var described = reader.Describe(element, request.Seq, request.Trigger, application);
            Post(described, MonotonicClock.NowNs());
            if (request.Trigger == ElementTriggers.Pointer && _menuReportedForSeq != request.Seq && UiEventInterpreter.MenuActivation(described) is { } menu)
            {
                _menuReportedForSeq = request.Seq;
                Post(menu, MonotonicClock.NowNs());
            }
        }
        finally
        {
            GLib.g_object_unref(element);
        }
    }

    private void Shutdown()
    {
        if (_listener != 0)
        {
            foreach (var type in UiEventInterpreter.EventTypes)
            {
                AtSpi.atspi_event_listener_deregister(_listener, type, null);
            }
            GLib.g_object_unref(_listener);
            _listener = 0;
        }
        var eventType = _pendingEvents.Count > 0 ? AtSpi.atspi_event_get_type() : 0;
        foreach (var pending in _pendingEvents)
        {
            GLib.g_boxed_free(eventType, pending);
        }
        _pendingEvents.Clear();
        if (_focused != 0)
        {
            GLib.g_object_unref(_focused);
            _focused = 0;
        }
        foreach (var described in _described.Keys)
        {
            GLib.g_object_unref(described);
        }
        _described.Clear();
        _attributionTimer?.Dispose();
        _interpreter?.Dispose();
        _reader?.Dispose();
        Volatile.Write(ref _mainContext, 0);
        // _self stays allocated: should a deregistration have failed, a late callback still finds a live handle.
        _windows?.Dispose();
    }

    private sealed record PressInfo(long Seq, int X, int Y, long AtNs);

    private readonly record struct LookupRequest(long Seq, string Trigger, int X, int Y, long EnqueuedNs);
}
