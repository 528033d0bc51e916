using Understudy.Redaction;
using Understudy.Core.Guards;
using System.Diagnostics;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Accessibility;

namespace Understudy.Desktop.Tests.Accessibility;

/// <summary>A real recorder (input, active window, accessibility) on a virtual desktop, writing to a list the test can read.</summary>
internal sealed class AccessibilityRecording : IDisposable
{
    private readonly SnapshotWriter _writer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly X11DesktopBackend _backend;
    private readonly List<ICaptureSource> _sources;

    public AccessibilityRecording(string display, AccessibilityOptions? options = null)
    {
        _backend = X11DesktopBackend.Open(display);
        Source = (AtSpiAccessibilitySource)_backend.CreateAccessibilitySource(options ?? new AccessibilityOptions());
        _sources = [_backend.CreateInputSource(new InputSourceOptions()), _backend.CreateWindowSource(), Source];
        var recorder = new Recorder(_sources, new ScopeGate(AppScope.AllowAll), _writer, new RecorderOptions(), SystemClock.Instance, new PrivacyGuard(TextRedactionEngine.Shared, SensitiveFieldRules.Default, new GuardOptions(), Source));
        using var started = new ManualResetEventSlim();
        recorder.CaptureStarted += started.Set;
        _thread = new Thread(() => recorder.Run(_stop.Token)) { Name = "test-recorder" };
        _thread.Start();
        if (!started.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the recorder did not start");
        }
    }

    public AtSpiAccessibilitySource Source { get; }

    public IReadOnlyList<SessionEvent> Events => _writer.Snapshot();

    /// <summary>Waits (generously: CI machines are busy) until the recorded events satisfy <paramref name="condition"/>.</summary>
    public IReadOnlyList<SessionEvent> WaitFor(Func<IReadOnlyList<SessionEvent>, bool> condition, string what, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var events = Events;
            if (condition(events))
            {
                return events;
            }
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                throw new TimeoutException($"{what} within {seconds} s; recorded:\n{Describe(events)}");
            }
            Thread.Sleep(50);
        }
    }

    public static string Describe(IEnumerable<SessionEvent> events) =>
        string.Join("\n", events.Where(e => e.Payload is not PointerMovePayload).Select(e => $"{e.Seq} {e.Payload}"));

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(30));
        foreach (var source in _sources)
        {
            source.Dispose();
        }
        _backend.Dispose();
        _stop.Dispose();
    }

    private sealed class SnapshotWriter : IEventWriter
    {
        private readonly List<SessionEvent> _events = [];

        public void Append(SessionEvent sessionEvent)
        {
            lock (_events)
            {
                _events.Add(sessionEvent);
            }
        }

        public SessionEvent[] Snapshot()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        public void Flush()
        {
        }

        public void Sync()
        {
        }
    }
}
