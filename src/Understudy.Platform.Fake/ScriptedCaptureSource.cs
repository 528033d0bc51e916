using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Platform.Fake;

/// <summary>
/// A capture source that delivers a fixed script of events, from its own thread like a real
/// source, then optionally reports a fault (for example a lost display).
/// </summary>
public sealed class ScriptedCaptureSource(string name, IReadOnlyList<CapturedEvent> script, CaptureFault? faultAtEnd = null) : ICaptureSource
{
    private Thread? _thread;
    private readonly ManualResetEventSlim _delivered = new(false);
    private volatile bool _stopped;

    public string Name => name;

    public bool Started { get; private set; }

    public bool Stopped => _stopped;

    /// <summary>Set once the whole script has been posted.</summary>
    public WaitHandle Delivered => _delivered.WaitHandle;

    public void Start(ICaptureSink sink)
    {
        Started = true;
        _thread = new Thread(() =>
        {
            foreach (var item in script)
            {
                if (_stopped)
                {
                    break;
                }
                sink.Post(item);
            }
            _delivered.Set();
            if (faultAtEnd is not null)
            {
                sink.Fault(faultAtEnd);
            }
        })
        { IsBackground = true, Name = $"scripted-{name}" };
        _thread.Start();
    }

    public void Stop()
    {
        _stopped = true;
        _thread?.Join();
    }

    public void Dispose()
    {
        Stop();
        _delivered.Dispose();
    }

    /// <summary>Builds a script with events spaced <paramref name="spacing"/> apart from <paramref name="startMonoNs"/>.</summary>
    public static IReadOnlyList<CapturedEvent> Timeline(long startMonoNs, TimeSpan spacing, params EventPayload[] payloads)
    {
        var wall = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        var step = (long)spacing.TotalNanoseconds;
        return [.. payloads.Select((payload, i) => new CapturedEvent(startMonoNs + (i * step), wall + TimeSpan.FromTicks(i * step / 100), payload))];
    }
}

/// <summary>A backend made of scripted sources, standing in for a desktop in tests.</summary>
public sealed class FakeDesktopBackend(
    ScriptedCaptureSource input,
    ScriptedCaptureSource window,
    ScreenSize screen,
    ScriptedCaptureSource? accessibility = null,
    Func<IScreenGrabber>? screenGrabber = null,
    IReadOnlyList<VisibleWindow>? layout = null) : IDesktopBackend
{
    public string Name => "fake";

    public ScreenSize Screen => screen;

    public double ScaleFactor => 1.0;

    public ICaptureSource CreateInputSource(InputSourceOptions options) => input;

    public ICaptureSource CreateWindowSource() => window;

    public ICaptureSource CreateAccessibilitySource(AccessibilityOptions options) =>
        accessibility ?? throw new CaptureUnavailableException("the fake desktop has no accessibility source");

    public IScreenGrabber CreateScreenGrabber() =>
        screenGrabber?.Invoke() ?? throw new CaptureUnavailableException("the fake desktop has no screen");

    public IWindowLayoutProbe CreateWindowLayoutProbe() =>
        layout is null ? throw new CaptureUnavailableException("the fake desktop has no window layout") : new FixedWindowLayout(layout);

    public IInputInjector CreateInputInjector() => new InputOperationLog(screen);

    public void Dispose()
    {
    }
}

/// <summary>A window layout that never changes, for masking tests without a desktop.</summary>
public sealed class FixedWindowLayout(IReadOnlyList<VisibleWindow> windows) : IWindowLayoutProbe
{
    public bool Fail { get; set; }

    public bool TrySnapshot(List<VisibleWindow> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        if (Fail)
        {
            return false;
        }
        into.AddRange(windows);
        return true;
    }

    public void Dispose()
    {
    }
}
