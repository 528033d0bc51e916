using Understudy.Cli.Infrastructure;
using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Pipeline;
using Understudy.Frames.Masking;
using Understudy.Frames.Redaction;
using Understudy.Platform.X11.Indicator;
using Understudy.Frames;
using Understudy.Platform.X11;
using Understudy.Storage;

namespace Understudy.Cli.Recording;

internal sealed record RecordingResult(string SessionId, RecordingOutcome Outcome, bool Closed, string? CloseError)
{
    /// <summary>Frames that could not be kept: in total, because the action came too late for the ring, because the encoders were behind.</summary>
    public (long Total, long NoHistory, long EncoderBehind) FramesLost { get; init; }
}

/// <summary>
/// One recording from start to a closed session: creates the session, runs the recorder on the
/// calling thread until <paramref name="stop"/> fires or capture fails, and always closes the
/// session so that what was recorded stays readable, whatever ended the recording.
/// </summary>
internal static class RecordingRun
{
    public static RecordingResult Run(
        IDesktopBackend backend,
        SessionStore store,
        Safeguards safeguards,
        RecorderOptions options,
        ObservationSettings observation,
        CancellationToken stop,
        Action<string>? onStarted = null,
        RecorderStatusFile? statusFile = null)
    {
        // Raw input lives in this process's memory until it is encrypted: it must never land in a core file.
        ProcessHardening.ForbidCoreDumps();
        var scope = safeguards.Scope;
        var pause = new PauseSwitch();
        // The person sees that recording is on, and can pause it, before anything is recorded.
        // The hotkey and 'understudy task' reach the recorder, which exists only further down.
        Recorder? recorder = null;
        void ToggleTask()
        {
            try
            {
                recorder?.ToggleTask();
            }
            catch (InvalidOperationException)
            {
                // The recording is stopping: a task cut now has nothing left to mark.
            }
        }
        using var indicator = safeguards.Indicator && backend is X11DesktopBackend x11 ? StartIndicator(x11, pause, safeguards, ToggleTask) : null;
        SessionWriter writer;
        try
        {
            writer = store.Create(new SessionStartInfo(backend.Name, backend.Screen, [.. scope.AllowedApps])
            {
                Capabilities = Capabilities(backend, observation, accessibility: observation.Accessibility),
            });
        }
        catch (StorageException ex)
        {
            throw new CommandFailedException($"cannot create a session: {ex.Message}");
        }

        var sensitiveRegions = new SensitiveRegions();
        using var input = backend.CreateInputSource(new InputSourceOptions());
        using var window = backend.CreateWindowSource();
        using var accessibility = observation.Accessibility ? TryCreateAccessibility(backend, observation.AccessibilityOptions with { SensitiveFields = safeguards.SensitiveFields }) : null;
        var frameOptions = observation.FrameOptions with { MaskFill = safeguards.FrameFill };
        ScopeFrameMasker? masker = null;
        var scrubber = observation.Frames && safeguards.FrameOcr
            ? new OcrFrameScrubber(safeguards.Redactor, new FrameRedactionOptions { Timeout = safeguards.FrameRedactionTimeout, Fill = safeguards.FrameFill }, () => masker?.LastVisibleArea)
            : null;
        using var frames = observation.Frames
            ? new FrameSource(backend.CreateScreenGrabber, frameOptions, writer.Blobs, SystemClock.Instance,
                () => masker = new ScopeFrameMasker(backend.CreateWindowLayoutProbe(), scope, sensitiveRegions, safeguards.FrameFill), sensitiveRegions, scrubber)
            : null;
        List<ICaptureSource> sources = [window, input];
        if (accessibility is not null)
        {
            sources.Add(accessibility);
        }
        if (frames is not null)
        {
            sources.Add(frames);
        }
        // Without accessibility nothing can say which field typing went into: it is all dropped as field-unknown.
        var guard = new PrivacyGuard(safeguards.Redactor, safeguards.SensitiveFields, safeguards.Guard, accessibility as IFieldFacts ?? NoFieldFacts.Unavailable, sensitiveRegions);
        recorder = new Recorder(sources, new ScopeGate(scope, pause), new SessionEventWriter(writer), options with { Pause = pause }, SystemClock.Instance, guard);
        recorder.CaptureStarted += () =>
        {
            var accessible = accessibility is IOptionalCaptureSource optional ? optional.Available : accessibility is not null;
            if (accessible != observation.Accessibility)
            {
                TryUpdateCapabilities(writer, Capabilities(backend, observation, accessible));
            }
            onStarted?.Invoke(writer.Id);
        };
        var status = statusFile is null ? null : new StatusReporter(statusFile, writer.Id, safeguards, pause);
        using var control = statusFile is null ? null : RecorderControlServer.TryStart(statusFile.DataDirectory, recorder);

        RecordingOutcome outcome;
        try
        {
            outcome = recorder.Run(stop);
        }
        catch
        {
            TryClose(writer, new SessionEndInfo("error", 0));
            throw;
        }
        finally
        {
            status?.Dispose();
        }

        var (closed, closeError) = TryClose(writer, new SessionEndInfo(outcome.EndReasonName, outcome.DroppedInput));
        return new RecordingResult(writer.Id, outcome, closed, closeError)
        {
            FramesLost = frames is null ? default : (frames.FramesLost, frames.FramesLostNoHistory, frames.FramesLostEncoderBehind),
        };
    }

    private static RecordingIndicator StartIndicator(X11DesktopBackend backend, PauseSwitch pause, Safeguards safeguards, Action toggleTask)
    {
        try
        {
            return RecordingIndicator.Start(backend.DisplayName, pause, safeguards.PauseHotkey, taskHotkey: (safeguards.TaskHotkey, toggleTask));
        }
        catch (Exception ex) when (ex is ArgumentException or CaptureUnavailableException)
        {
            // Recording without the person being able to see and pause it is not allowed.
            throw new UsageException($"cannot show the recording indicator: {ex.Message}");
        }
    }

    private static SessionCapabilities Capabilities(IDesktopBackend backend, ObservationSettings observation, bool accessibility) => new(
        accessibility,
        observation.Frames,
        observation.Frames ? observation.FrameOptions.Format.ToWireName() : null,
        observation.Frames ? observation.FrameOptions.Scale : null,
        backend.ScaleFactor);

    private static void TryUpdateCapabilities(SessionWriter writer, SessionCapabilities capabilities)
    {
        try
        {
            writer.UpdateCapabilities(capabilities);
        }
        catch (StorageException ex)
        {
            // The manifest keeps what was asked for; the session's gaps still show what was missing.
            ErrorReporter.Warn($"could not update the session's capabilities: {ex.Message}");
        }
    }

    private static ICaptureSource? TryCreateAccessibility(IDesktopBackend backend, AccessibilityOptions options)
    {
        try
        {
            return backend.CreateAccessibilitySource(options);
        }
        catch (CaptureUnavailableException ex)
        {
            ErrorReporter.Warn($"recording without UI elements: {ex.Message}");
            return null;
        }
    }

    private static (bool Closed, string? Error) TryClose(SessionWriter writer, SessionEndInfo end)
    {
        try
        {
            writer.Close(end);
            return (true, null);
        }
        catch (StorageException ex)
        {
            return (false, ex.Message);
        }
        finally
        {
            writer.Dispose();
        }
    }
}

/// <summary>Keeps <c>recorder.json</c> true while recording: written at start and on every pause and resume, cleared at the end.</summary>
internal sealed class StatusReporter : IDisposable
{
    private readonly RecorderStatusFile _file;
    private readonly PauseSwitch _pause;
    private readonly Lock _gate = new();
    private RecorderStatus _status;

    public StatusReporter(RecorderStatusFile file, string sessionId, Safeguards safeguards, PauseSwitch pause)
    {
        _file = file;
        _pause = pause;
        _status = new RecorderStatus(Environment.ProcessId, sessionId, DateTimeOffset.UtcNow, false, null, safeguards.PolicyName, safeguards.PolicyHash);
        Write();
        pause.Changed += OnPause;
    }

    private void OnPause(bool paused)
    {
        lock (_gate)
        {
            _status = _status with { Paused = paused, PausedSince = paused ? DateTimeOffset.UtcNow : null };
            Write();
        }
    }

    private void Write()
    {
        try
        {
            _file.Write(_status);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            ErrorReporter.Warn($"could not update the status file: {ex.Message}");
        }
    }

    public void Dispose()
    {
        _pause.Changed -= OnPause;
        try
        {
            _file.Clear(Environment.ProcessId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StorageException)
        {
            ErrorReporter.Warn($"could not clear the status file: {ex.Message}");
        }
    }
}
