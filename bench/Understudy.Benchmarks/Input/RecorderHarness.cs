using Understudy.Redaction;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Guards;
using Understudy.Benchmarks.Common;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Input;
using Understudy.Storage;

namespace Understudy.Benchmarks.Input;

/// <summary>
/// The real recorder, assembled as Understudy.Cli's RecordingRun does (process hardening, X11
/// backend, window and input sources, scope gate allowing everything, recorder, the store's
/// session writer with the CLI's adapter), running
/// on a thread of its own into a session in a scratch data directory with a scratch device key.
/// </summary>
internal sealed class RecorderHarness : IDisposable
{
    private readonly TempDirectory _temp = new("understudy-bench-input-");
    private readonly DeviceKey _deviceKey;
    private readonly SessionStore _store;
    private readonly X11DesktopBackend _backend;
    private readonly SessionWriter _writer;
    private readonly ICaptureSource _window;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _pipeline;
    private RecordingOutcome? _outcome;
    private Exception? _failure;
    private bool _stopped;

    public RecorderHarness(int callbackCostSamples)
    {
        // As RecordingRun: no core dumps of a process holding raw input.
        ProcessHardening.ForbidCoreDumps();
        _deviceKey = DeviceKeyStore.LoadOrCreate(_temp.DeviceKeyFile);
        _store = new SessionStore(_temp.DataDirectory, _deviceKey);
        try
        {
            _backend = X11DesktopBackend.Open();
        }
        catch (CaptureUnavailableException ex)
        {
            throw new BenchmarkFailedException($"{ex.Message} (run under scripts/desktop.sh run -- ...)", ex);
        }
        _writer = _store.Create(new SessionStartInfo(_backend.Name, _backend.Screen, []));
        Writer = new CountingEventWriter(new SessionEventWriter(_writer));
        Input = (XRecordInputSource)_backend.CreateInputSource(new InputSourceOptions());
        if (callbackCostSamples > 0)
        {
            Input.MeasureCallbackCost(callbackCostSamples);
        }
        _window = _backend.CreateWindowSource();
        var recorder = new Recorder([_window, Input], new ScopeGate(AppScope.AllowAll), Writer, new RecorderOptions(), SystemClock.Instance, new PrivacyGuard(TextRedactionEngine.Shared, SensitiveFieldRules.Default, new GuardOptions(), NoFieldFacts.Imported));

        using var started = new ManualResetEventSlim(false);
        recorder.CaptureStarted += started.Set;
        _pipeline = new Thread(() =>
        {
            try
            {
                _outcome = recorder.Run(_stop.Token);
            }
#pragma warning disable CA1031 // Reported on the benchmark's thread.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = ex;
            }
            finally
            {
                // Wakes the wait below if Run fails before capture starts.
                if (!started.IsSet)
                {
                    try
                    {
                        started.Set();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The wait already gave up.
                    }
                }
            }
        })
        { Name = "bench-recorder", IsBackground = true };
        _pipeline.Start();
        if (!started.Wait(TimeSpan.FromSeconds(20)) || _failure is not null)
        {
            _stop.Cancel();
            throw new BenchmarkFailedException($"the recorder did not start: {_failure?.Message ?? "timed out"}", _failure);
        }
    }

    public XRecordInputSource Input { get; }

    public CountingEventWriter Writer { get; }

    public string SessionId => _writer.Id;

    public string EventsLogPath => Path.Combine(_writer.DirectoryPath, "events.log");

    /// <summary>Stops capture, closes the session as RecordingRun does, and returns how the recording ended.</summary>
    public RecordingOutcome Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            _stop.Cancel();
            _pipeline.Join();
            Input.Dispose();
            _window.Dispose();
            if (_outcome is { } outcome)
            {
                _writer.Close(new SessionEndInfo(outcome.EndReasonName, outcome.DroppedInput));
            }
            _writer.Dispose();
        }
        return _outcome ?? throw new BenchmarkFailedException($"the recorder failed: {_failure?.Message}", _failure);
    }

    /// <summary>Every event of the session, decrypted from events.log; throws if the log is damaged.</summary>
    public List<SessionEvent> ReadBack()
    {
        SessionDamage? damage = null;
        var events = _store.ReadEvents(SessionId, d => damage = d).ToList();
        return damage is null ? events : throw new BenchmarkFailedException($"the session reads back damaged: {damage.Reason}");
    }

    public void Dispose()
    {
        if (!_stopped)
        {
            try
            {
                Stop();
            }
            catch (BenchmarkFailedException)
            {
                // Already failing; the scratch directory still goes.
            }
        }
        _backend.Dispose();
        _deviceKey.Dispose();
        _stop.Dispose();
        _temp.Dispose();
    }
}
