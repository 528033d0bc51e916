using Understudy.Tests.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Guards;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Platform.Fake;

namespace Understudy.Tests.Pipeline;

public sealed class RecorderTests
{
    private static readonly RecorderOptions FastOptions = new()
    {
        ReorderWindow = TimeSpan.FromMilliseconds(5),
        FlushInterval = TimeSpan.FromMilliseconds(1),
    };

    private static (ScriptedCaptureSource Input, ScriptedCaptureSource Window) Sources(CaptureFault? inputFault = null)
    {
        var start = MonotonicClock.NowNs();
        var window = new ScriptedCaptureSource("window", ScriptedCaptureSource.Timeline(start, TimeSpan.FromMilliseconds(1),
            new FocusPayload("Yad", "yad", "Expense form", 100, new Rect(10, 10, 600, 400), 0x400001)));
        var input = new ScriptedCaptureSource("input", ScriptedCaptureSource.Timeline(start + 2_000_000, TimeSpan.FromMilliseconds(1),
            new PointerMovePayload(100, 100),
            new ButtonPayload(true, MouseButton.Left, 100, 100, Modifiers.None),
            new ButtonPayload(false, MouseButton.Left, 100, 100, Modifiers.None),
            new KeyPayload(true, "a", "A", Modifiers.Shift, 38),
            new KeyPayload(false, "a", null, Modifiers.Shift, 38),
            new ScrollPayload(0, 1, 100, 100, Modifiers.None)), inputFault);
        return (input, window);
    }

    private static RecordingOutcome RunUntilDelivered(Recorder recorder, params ScriptedCaptureSource[] sources)
    {
        using var stop = new CancellationTokenSource();
        var waiter = Task.Run(() =>
        {
            foreach (var source in sources)
            {
                while (!source.Started)
                {
                    Thread.Sleep(1);
                }
                source.Delivered.WaitOne();
            }
            Thread.Sleep(30);
            stop.Cancel();
        });
        var outcome = recorder.Run(stop.Token);
        waiter.Wait();
        return outcome;
    }

    [Fact]
    public void Numbers_events_gaplessly_in_time_order_between_session_markers()
    {
        var (input, window) = Sources();
        var writer = new MemoryEventWriter();
        var recorder = new Recorder([window, input], new ScopeGate(AppScope.AllowAll), writer, FastOptions with { Task = "file an expense" }, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        var outcome = RunUntilDelivered(recorder, input, window);

        Assert.Equal(RecordingEndReason.Stopped, outcome.Reason);
        var events = writer.Events;
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.MonoNs <= p.Second.MonoNs));
        Assert.Equal(MarkerTypes.SessionBegin, Assert.IsType<MarkerPayload>(events[0].Payload).Marker);
        Assert.Equal("file an expense", Assert.IsType<MarkerPayload>(events[1].Payload).Label);
        Assert.Equal(MarkerTypes.TaskEnd, Assert.IsType<MarkerPayload>(events[^2].Payload).Marker);
        Assert.Equal(MarkerTypes.SessionEnd, Assert.IsType<MarkerPayload>(events[^1].Payload).Marker);
        Assert.Equal(
            [EventKind.Focus, EventKind.PointerMove, EventKind.ButtonDown, EventKind.ButtonUp, EventKind.KeyDown, EventKind.KeyUp, EventKind.Scroll],
            events.Skip(2).Take(7).Select(e => e.Kind));
        Assert.Equal(events.Count, outcome.EventsWritten);
        Assert.Equal(1, outcome.CountsByKind[EventKind.Scroll]);
        Assert.True(input.Stopped && window.Stopped);
    }

    [Fact]
    public void Tasks_begun_and_ended_while_recording_are_markers_in_order_and_never_left_open()
    {
        var (input, window) = Sources();
        var writer = new MemoryEventWriter();
        var recorder = new Recorder([window, input], new ScopeGate(AppScope.AllowAll), writer, FastOptions, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));
        using var stop = new CancellationTokenSource();
        recorder.CaptureStarted += () =>
        {
            Assert.False(recorder.EndTask());
            recorder.BeginTask("first");
            Assert.True(recorder.TaskOpen);
            recorder.BeginTask("second");
            Assert.True(recorder.EndTask());
            Assert.False(recorder.TaskOpen);
            Assert.True(recorder.ToggleTask());
        };
        var waiter = new Thread(() =>
        {
            input.Delivered.WaitOne();
            window.Delivered.WaitOne();
            Thread.Sleep(30);
            stop.Cancel();
        });
        waiter.Start();

        var outcome = recorder.Run(stop.Token);
        waiter.Join();

        Assert.Equal(RecordingEndReason.Stopped, outcome.Reason);
        var markers = writer.Events.Select(e => e.Payload).OfType<MarkerPayload>().Select(m => (m.Marker, m.Label)).ToList();
        Assert.Equal(
            [
                (MarkerTypes.SessionBegin, null),
                (MarkerTypes.TaskBegin, "first"),
                (MarkerTypes.TaskEnd, null),
                (MarkerTypes.TaskBegin, "second"),
                (MarkerTypes.TaskEnd, null),
                (MarkerTypes.TaskBegin, null),
                (MarkerTypes.TaskEnd, null),
                (MarkerTypes.SessionEnd, "stopped"),
            ],
            markers);
        Assert.False(recorder.TaskOpen);
        Assert.Throws<InvalidOperationException>(() => recorder.BeginTask("too late"));
    }

    [Fact]
    public void A_lost_display_ends_the_recording_with_everything_before_it_kept()
    {
        var (input, window) = Sources(new CaptureFault("x11-input", "connection lost", DisplayLost: true));
        var writer = new MemoryEventWriter();
        var recorder = new Recorder([window, input], new ScopeGate(AppScope.AllowAll), writer, FastOptions, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        var outcome = recorder.Run(CancellationToken.None);

        Assert.Equal(RecordingEndReason.DisplayLost, outcome.Reason);
        Assert.Contains(writer.Events, e => e.Payload is ScrollPayload);
        Assert.Equal(MarkerTypes.SessionEnd, Assert.IsType<MarkerPayload>(writer.Events[^1].Payload).Marker);
    }

    [Fact]
    public void A_failing_writer_ends_the_recording_and_says_why()
    {
        var (input, window) = Sources();
        var writer = new MemoryEventWriter { FailAfterEvents = 3 };
        var recorder = new Recorder([window, input], new ScopeGate(AppScope.AllowAll), writer, FastOptions, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        var outcome = RunUntilDelivered(recorder, input, window);

        Assert.Equal(RecordingEndReason.WriteFailed, outcome.Reason);
        Assert.Contains("disk full", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(3, writer.Events.Count);
        Assert.True(input.Stopped && window.Stopped);
    }

    [Fact]
    public void Overflow_gaps_from_a_source_are_counted_as_lost_input()
    {
        var start = MonotonicClock.NowNs();
        var input = new ScriptedCaptureSource("input", ScriptedCaptureSource.Timeline(start, TimeSpan.FromMilliseconds(1),
            new PointerMovePayload(1, 1),
            new GapPayload(GapReasons.InputOverflow, 5_000_000, 17),
            new PointerMovePayload(2, 2)));
        var window = new ScriptedCaptureSource("window", []);
        var writer = new MemoryEventWriter();
        var recorder = new Recorder([window, input], new ScopeGate(AppScope.AllowAll), writer, FastOptions, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        var outcome = RunUntilDelivered(recorder, input, window);

        Assert.Equal(17, outcome.DroppedInput);
    }

    private sealed class ElementObserver : ICaptureSource, IActionObserver
    {
        private ICaptureSink? _sink;

        public List<SessionEvent> Seen { get; } = [];

        public string Name => "observer";

        public void Start(ICaptureSink sink) => _sink = sink;

        public void Stop()
        {
        }

        public void Dispose()
        {
        }

        public void OnRecorded(SessionEvent recorded)
        {
            Seen.Add(recorded);
            if (recorded.Payload is ButtonPayload { IsDown: true })
            {
                // Answers later, like an accessibility lookup: the result is tied to the click by its seq.
                _sink!.Post(new CapturedEvent(MonotonicClock.NowNs(), DateTimeOffset.UtcNow,
                    new ElementPayload(recorded.Seq, ElementTriggers.Pointer, "push button", "OK", null, [], null, "yad", null, [])));
            }
        }
    }

    [Fact]
    public void Observers_see_every_numbered_event_in_scope_and_their_results_point_back_by_seq()
    {
        var (input, window) = Sources();
        var observer = new ElementObserver();
        var writer = new MemoryEventWriter();
        var scope = AppScope.FromAllowList(["Yad"]);
        var recorder = new Recorder([window, input, observer], new ScopeGate(scope), writer, FastOptions, SystemClock.Instance, new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        RunUntilDelivered(recorder, input, window);

        Assert.Equal(writer.Events.Where(e => e.Payload is not ElementPayload).Select(e => e.Seq),
            observer.Seen.Where(e => e.Payload is not ElementPayload).Select(e => e.Seq));
        var press = Assert.Single(writer.Events, e => e.Payload is ButtonPayload { IsDown: true });
        var element = Assert.IsType<ElementPayload>(Assert.Single(writer.Events, e => e.Payload is ElementPayload).Payload);
        Assert.Equal(press.Seq, element.ForSeq);
    }
}
