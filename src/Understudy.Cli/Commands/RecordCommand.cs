using System.CommandLine;
using System.Runtime.InteropServices;
using Understudy.Cli.Infrastructure;
using Understudy.Cli.Recording;
using Understudy.Core.Capture;
using Understudy.Core.Pipeline;
using Understudy.Platform.X11;
using Understudy.Policy.Consent;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy record</c>: capture until Ctrl+C, SIGTERM or the duration; prints the session id on stdout.</summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var policy = new Option<string?>("--policy") { Description = "The recording policy (YAML or JSON): allowed and denied apps, redaction, frames, retention", HelpName = "FILE" };
        var allowApp = new Option<string[]>("--allow-app")
        {
            Description = "Without a policy: record only while this application (WM_CLASS class or instance) is in front; repeatable. '*' records every application (testing only).",
            HelpName = "CLASS",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds", HelpName = "S" };
        var task = new Option<string?>("--task") { Description = "What the person is about to do; marks the recording as one task", HelpName = "TEXT" };
        var display = new Option<string?>("--display") { Description = "X display to record (default: $DISPLAY)", HelpName = "NAME" };
        var noAccessibility = new Option<bool>("--no-accessibility") { Description = "Do not look up the UI elements acted on, nor record menu and dropdown use" };
        var noFrames = new Option<bool>("--no-frames") { Description = "Do not keep screenshots before and after actions" };
        var frameFormat = new Option<string?>("--frame-format") { Description = "Image format of frames: jpeg (default), png or webp", HelpName = "FORMAT" };
        var frameQuality = new Option<int?>("--frame-quality") { Description = "JPEG/WebP quality 1-100 (default 80)", HelpName = "N" };
        var frameScale = new Option<double?>("--frame-scale") { Description = "Down-scale frames by this factor, e.g. 0.5 (default 1)", HelpName = "F" };

        var command = new Command("record", "Record input, the active application, the elements acted on and keyframes into a new encrypted session")
        {
            data, policy, allowApp, duration, task, display, noAccessibility, noFrames, frameFormat, frameQuality, frameScale,
        };
        command.SetAction(parse => Run(
            parse.GetValue(data),
            parse.GetValue(policy),
            parse.GetValue(allowApp) ?? [],
            parse.GetValue(duration),
            parse.GetValue(task),
            parse.GetValue(display),
            ObservationSettings.FromOptions(
                parse.GetValue(noAccessibility),
                parse.GetValue(noFrames),
                parse.GetValue(frameFormat),
                parse.GetValue(frameQuality),
                parse.GetValue(frameScale))));
        return command;
    }

    private static int Run(string? dataOption, string? policyPath, string[] allowApps, double? durationSeconds, string? task, string? displayName, ObservationSettings observation)
    {
        if (durationSeconds is { } seconds && (double.IsNaN(seconds) || seconds <= 0 || seconds > 7 * 24 * 3600))
        {
            throw new UsageException($"--duration: expected a number of seconds between 0 and 604800, got {seconds}");
        }
        if (task is not null && (task.Length == 0 || task.Length > 1000))
        {
            throw new UsageException("--task: expected 1 to 1000 characters");
        }
        using var backend = X11DesktopBackend.Open(displayName);
        var store = StoreAccess.Open(dataOption, create: true);
        var (safeguards, recordingPolicy) = RecordingPolicySetup.Build(policyPath, allowApps);
        if (!recordingPolicy.Frames.Enabled)
        {
            observation = observation with { Frames = false };
        }
        var consent = new ConsentStore(store.DataDirectoryPath);
        if (!consent.IsCurrent)
        {
            throw new UsageException($"recording needs your consent to the current notice (version {ConsentNotice.Version}): read it with 'understudy consent show', then run 'understudy consent accept' (data directory {store.DataDirectoryPath})");
        }
        LocalRetention.Apply(store, recordingPolicy.Retention.LocalDays, DateTimeOffset.UtcNow);

        using var stop = new CancellationTokenSource();
        if (durationSeconds is { } limit)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(limit));
        }
        void OnSignal(PosixSignalContext context)
        {
            // Handled here: the recorder closes the session instead of the runtime ending the process.
            context.Cancel = true;
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        var result = RecordingRun.Run(
            backend,
            store,
            safeguards,
            new RecorderOptions { Task = task },
            observation,
            stop.Token,
            id => Console.Error.WriteLine($"understudy: recording session {id} on {backend.Name} {backend.Screen.Width}x{backend.Screen.Height}; {safeguards.PauseHotkey} pauses, {safeguards.TaskHotkey} begins or ends a task, Ctrl+C stops"),
            new RecorderStatusFile(store.DataDirectoryPath));

        Console.Out.WriteLine(result.SessionId);
        var outcome = result.Outcome;
        if (outcome.DroppedInput > 0)
        {
            ErrorReporter.Warn($"{outcome.DroppedInput} input events were lost because the recorder fell behind; the session marks them as gaps");
        }
        if (result.FramesLost is { Total: > 0 } lost)
        {
            ErrorReporter.Warn($"{lost.Total} frames were not kept ({lost.EncoderBehind} because encoding fell behind, {lost.NoHistory} because no screen from before the action was left, {lost.Total - lost.EncoderBehind - lost.NoHistory} could not be stored); the session marks them as frame_lost gaps");
        }
        return outcome.Reason switch
        {
            RecordingEndReason.Stopped when !result.Closed => ErrorReporter.Report($"session {result.SessionId} could not be closed: {result.CloseError}; what was written is kept", ExitCodes.Failure),
            RecordingEndReason.Stopped => ExitCodes.Ok,
            RecordingEndReason.DisplayLost => ErrorReporter.Report($"the X display went away during recording; session {result.SessionId} was closed with everything captured until then", ExitCodes.Failure),
            RecordingEndReason.WriteFailed => ErrorReporter.Report($"recording stopped: {outcome.Error}; session {result.SessionId} keeps what was written before", ExitCodes.Failure),
            _ => ErrorReporter.Report($"recording stopped: {outcome.Error}", ExitCodes.Failure),
        };
    }
}
