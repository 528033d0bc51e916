using Understudy.Cli.Infrastructure;
using Understudy.Core.Capture;
using Understudy.Core.Pipeline;
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
        IScopeRules scope,
        RecorderOptions options,
        ObservationSettings observation,
        CancellationToken stop,
        Action<string>? onStarted = null)
    {
        // Raw input lives in this process's memory until it is encrypted: it must never land in a core file.
        ProcessHardening.ForbidCoreDumps();
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

        using var input = backend.CreateInputSource(new InputSourceOptions());
        using var window = backend.CreateWindowSource();
        using var accessibility = observation.Accessibility ? TryCreateAccessibility(backend, observation.AccessibilityOptions) : null;
        using var frames = observation.Frames ? new FrameSource(backend.CreateScreenGrabber, observation.FrameOptions, writer.Blobs, SystemClock.Instance) : null;
        List<ICaptureSource> sources = [window, input];
        if (accessibility is not null)
        {
            sources.Add(accessibility);
        }
        if (frames is not null)
        {
            sources.Add(frames);
        }
        var recorder = new Recorder(sources, new ScopeGate(scope), new SessionEventWriter(writer), options, SystemClock.Instance);
        recorder.CaptureStarted += () =>
        {
            var accessible = accessibility is IOptionalCaptureSource optional ? optional.Available : accessibility is not null;
            if (accessible != observation.Accessibility)
            {
                TryUpdateCapabilities(writer, Capabilities(backend, observation, accessible));
            }
            onStarted?.Invoke(writer.Id);
        };

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

        var (closed, closeError) = TryClose(writer, new SessionEndInfo(outcome.EndReasonName, outcome.DroppedInput));
        return new RecordingResult(writer.Id, outcome, closed, closeError)
        {
            FramesLost = frames is null ? default : (frames.FramesLost, frames.FramesLostNoHistory, frames.FramesLostEncoderBehind),
        };
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
