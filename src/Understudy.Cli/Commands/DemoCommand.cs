using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Understudy.Cli.Demo;
using Understudy.Cli.Infrastructure;
using Understudy.Cli.Recording;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Core.Redaction;
using Understudy.Dataset.Build;
using Understudy.Desktop;
using Understudy.Platform.X11;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy demo</c>: the whole pipeline on a machine with no display. Starts a virtual
/// desktop, opens a real GTK form, records while XTest (xdotool) does a short piece of scripted
/// work in it, then reads the encrypted session back and shows what was captured. The work also
/// exercises the safeguards: an email address in the description and in a sign-in form, a
/// password in that form's hidden field, and a window of a non-allowed application over part of
/// the expense form; from the decrypted session the demo then checks that the password left no
/// trace, that the email is stored only as a placeholder, and that every frame fills the
/// non-allowed window, and exits 1 naming the first check that failed.
/// </summary>
internal static class DemoCommand
{
    private const string FormClass = "UnderstudyDemo";
    private const string Email = "alice.smith@example.com";
    private const string Description = "Team lunch at Café Zoë with " + Email;
    private const string Notes = " Receipt #4711 attached.";
    private const string Password = "correct horse battery staple 9!";
    private const string EmailPlaceholder = "<EMAIL_ADDRESS>";

    // A window the demo's allow rule does not cover: both its WM_CLASS class and instance differ from the forms'.
    private const string NotAllowedClass = "PrivateNotes";
    private const string NotAllowedText = "PRIVATE NOTES\nanother application, not allowed:\nno frame may show this window";

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command("demo", "Run the whole pipeline on a virtual desktop: a real GTK form, scripted input, an encrypted session read back") { data, json };
        command.SetAction(parse => Run(parse.GetValue(data), parse.GetValue(json)));
        return command;
    }

    private static int Run(string? dataOption, bool json)
    {
        var store = StoreAccess.Open(dataOption, create: true);
        var console = json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        VirtualDesktop? desktop = null;
        RecordingResult? result = null;
        DemoLayout? layout = null;
        var (safeguards, _) = RecordingPolicySetup.Build(null, [FormClass]);
        try
        {
            console.Status().Start("starting a virtual desktop (Xvfb, openbox, AT-SPI bus)…", status =>
            {
                desktop = StartDesktop();
                status.Status("opening the expense form (yad, GTK)…");
                using var form = desktop.StartApp(RepoPaths.Script("demo-form.sh"), "--timeout=120");
                var window = desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(30));
                desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));

                status.Status("recording while scripted input fills in the form, a private window opens and a sign-in form is filled…");
                result = RecordWhile(desktop, store, safeguards, () => layout = DoScriptedWork(desktop, window));
            });
        }
        catch (InvalidOperationException ex) when (desktop is null)
        {
            throw new CommandFailedException($"could not start the virtual desktop: {FirstLine(ex.Message)}");
        }
        catch (TimeoutException ex)
        {
            throw new CommandFailedException($"demo: {FirstLine(ex.Message)}");
        }
        finally
        {
            desktop?.Dispose();
        }

        var recording = result!;
        if (recording.Outcome.Reason != RecordingEndReason.Stopped || !recording.Closed)
        {
            throw new CommandFailedException($"demo recording failed: {recording.Outcome.Error ?? recording.CloseError}");
        }
        var events = store.ReadEvents(recording.SessionId).ToList();
        var summary = RecordingSummary.From(events);
        var report = SafeguardCheck.Run(store, recording.SessionId, events, summary, Password, Email, EmailPlaceholder, layout!, safeguards.FrameFill);
        var dataset = BuildDataset(store, recording.SessionId);
        if (json)
        {
            WriteJson(recording.SessionId, summary, report, dataset);
        }
        else
        {
            Show(recording.SessionId, summary, report, store.DataDirectoryPath);
            ShowDataset(dataset);
        }
        if (report.Failure(summary, EmailPlaceholder) is { } failure)
        {
            throw new CommandFailedException($"demo: safeguard check failed: {failure}");
        }
        return ExitCodes.Ok;
    }

    // The session just recorded, as a dataset in every format: what the recording is for.
    private static DatasetBuildResult BuildDataset(Understudy.Storage.SessionStore store, string sessionId)
    {
        var options = new DatasetBuildOptions
        {
            OutputDirectory = Path.Combine(store.DataDirectoryPath, "datasets", $"demo-{sessionId}"),
            SessionIds = [sessionId],
            Parallelism = 1,
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(options.OutputDirectory)!);
            return new DatasetBuilder(store, options).Build();
        }
        catch (DatasetBuildException ex)
        {
            throw new CommandFailedException($"demo: dataset build failed: {ex.Message}");
        }
    }

    private static void ShowDataset(DatasetBuildResult dataset)
    {
        var statistics = dataset.Manifest.Statistics;
        AnsiConsole.MarkupLine($"[bold]Dataset[/] {Markup.Escape(dataset.OutputDirectory)}: {Plural(statistics.Episodes, "episode")}, {Plural((int)statistics.Steps, "step")} ({Markup.Escape(string.Join(", ", statistics.ActionsByKind.Select(p => $"{p.Key} {p.Value}")))})");
        AnsiConsole.MarkupLine($"Open its viewer: [bold]{Markup.Escape(Path.Combine(dataset.OutputDirectory, "viewer", "index.html"))}[/]");
    }

    private static VirtualDesktop StartDesktop() => VirtualDesktop.Start("1280x800");

    // Lossless frames, so that the check below can demand the exact fill colour of every masked pixel.
    private static ObservationSettings Observation { get; } = ObservationSettings.Default with
    {
        FrameOptions = ObservationSettings.Default.FrameOptions with { Format = FrameFormat.Png },
    };

    private static RecordingResult RecordWhile(VirtualDesktop desktop, Understudy.Storage.SessionStore store, Safeguards safeguards, Action work)
    {
        using var backend = X11DesktopBackend.Open(desktop.Display);
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim(false);
        RecordingResult? result = null;
        Exception? failure = null;
        var recorder = new Thread(() =>
        {
            try
            {
                result = RecordingRun.Run(backend, store, safeguards, new RecorderOptions { Task = "Enter a lunch expense" }, Observation, stop.Token, _ => started.Set());
            }
            catch (Exception ex)
            {
                failure = ex;
                started.Set();
            }
        })
        { Name = "demo-recorder" };
        recorder.Start();
        started.Wait();
        try
        {
            if (failure is null)
            {
                work();
                // Let the last events through the ordering window before stopping.
                Thread.Sleep(300);
            }
        }
        finally
        {
            stop.Cancel();
            recorder.Join();
        }
        if (failure is not null)
        {
            throw failure;
        }
        return result!;
    }

    private static DemoLayout DoScriptedWork(VirtualDesktop desktop, long window)
    {
        void Xdotool(params string[] args) => desktop.RunTool("xdotool", args);
        var (x, y, width, height) = Geometry(desktop, window);

        // Description has the focus when the form opens.
        Xdotool("type", "--delay", "40", Description);
        Xdotool("key", "Tab");
        // Amount: select what is there, replace it.
        Xdotool("key", "ctrl+a");
        Xdotool("type", "--delay", "40", "42.50");
        Xdotool("key", "Tab");
        // Category combo box: pick the next entry with the keyboard.
        Xdotool("key", "Down");
        // Notes: click into the text near the bottom, scroll through it, add a line.
        var notesX = x + (width / 2);
        var notesY = y + height - 90;
        Xdotool("mousemove", "--sync", Num(notesX), Num(notesY), "click", "1");
        Xdotool("click", "--repeat", "4", "--delay", "60", "5");
        Xdotool("click", "--repeat", "2", "--delay", "60", "4");
        Xdotool("click", "--repeat", "2", "--delay", "120", "1");
        Xdotool("key", "ctrl+End");
        Xdotool("type", "--delay", "40", Notes);

        // Another application opens over the lower right of the form, without taking the focus.
        using var notes = desktop.StartApp("yad", $"--class={NotAllowedClass}", "--name=private-notes", "--title=Private notes",
            "--text-info", "--geometry=520x300+560+430", "--no-focus", "--fontname=Sans Bold 22", "--fore=#000000", "--back=#ffd84a",
            "--no-buttons", "--timeout=120");
        notes.StandardInput.Write(NotAllowedText);
        notes.StandardInput.Close();
        var notesWindow = desktop.WaitForWindow(NotAllowedClass, TimeSpan.FromSeconds(30));
        // Let it draw its text before the next action's before-frame is picked.
        Thread.Sleep(500);
        // Back to the form: a click on its heading, away from the private window, so that the
        // frames around it are grabbed with the private window on the screen.
        Xdotool("mousemove", "--sync", Num(x + 150), Num(y + 20), "click", "1");
        Thread.Sleep(300);

        // A sign-in form of the same application, right of the expense form: an email, then a password.
        using var loginProcess = desktop.StartApp(RepoPaths.Script("demo-login.sh"), "--timeout=120");
        var login = WaitForVisible(desktop, "understudy-demo-login", TimeSpan.FromSeconds(30));
        var (lx, ly, lw, lh) = Geometry(desktop, login);
        Xdotool("windowactivate", "--sync", login.ToString(CultureInfo.InvariantCulture));
        Xdotool("type", "--delay", "40", Email);
        Xdotool("key", "Tab");
        Xdotool("type", "--delay", "40", Password);
        Xdotool("key", "Return");
        if (!loginProcess.WaitForExit(10_000))
        {
            throw new TimeoutException("the sign-in form did not close after Return");
        }
        Thread.Sleep(300);

        var (nx, ny, nw, nh) = Geometry(desktop, notesWindow);
        return new DemoLayout(new Rect(nx, ny, nw, nh), [new Rect(x, y, width, height), new Rect(lx, ly, lw, lh)]);
    }

    /// <summary>Waits for a visible window of WM_CLASS instance <paramref name="instance"/> (the sign-in form shares its class with the expense form).</summary>
    private static long WaitForVisible(VirtualDesktop desktop, string instance, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = desktop.TryRunTool(VirtualDesktop.DefaultToolTimeout, "xdotool", "search", "--onlyvisible", "--classname", $"^{instance}$");
            var first = found.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            if (long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var window))
            {
                return window;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no visible window of instance '{instance}' within {timeout.TotalSeconds:0.#} s");
            }
            Thread.Sleep(50);
        }
    }

    private static (int X, int Y, int Width, int Height) Geometry(VirtualDesktop desktop, long window)
    {
        var geometry = desktop.RunTool("xdotool", "getwindowgeometry", "--shell", window.ToString(CultureInfo.InvariantCulture));
        int Value(string name) => int.Parse(geometry.Split('\n').First(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
        return (Value("X"), Value("Y"), Value("WIDTH"), Value("HEIGHT"));
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

    private static void Show(string sessionId, RecordingSummary summary, SafeguardReport report, string dataDirectory)
    {
        AnsiConsole.MarkupLine($"[bold]Recorded session[/] {Markup.Escape(sessionId)} ({summary.Duration.TotalSeconds:0.0} s), encrypted in {Markup.Escape(dataDirectory)}");
        var counts = new Table().Title("events by kind").AddColumns("kind", "count");
        foreach (var (kind, count) in summary.CountsByKind)
        {
            counts.AddRow(Markup.Escape(kind), count.ToString(CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(counts);

        var captured = new Grid().AddColumn().AddColumn();
        captured.AddRow("apps", Markup.Escape(string.Join("; ", summary.Apps)));
        captured.AddRow("text typed", Markup.Escape(string.Join("  |  ", summary.TypedText.Select(t => $"\"{t}\""))));
        captured.AddRow("clicks", Markup.Escape(string.Join(", ", summary.Clicks.Select(c => $"{c.Value} {c.Key}"))));
        captured.AddRow("scrolls", $"{summary.ScrollsDown} down, {summary.ScrollsUp} up");
        captured.AddRow("hotkeys", Markup.Escape(string.Join(", ", summary.Hotkeys)));
        captured.AddRow("gaps", summary.Gaps.ToString(CultureInfo.InvariantCulture));
        captured.AddRow("acted on", Markup.Escape(string.Join("; ", summary.Elements.Distinct())));
        captured.AddRow("ui actions", Markup.Escape(string.Join("; ", summary.UiActions)));
        captured.AddRow("frames", $"{summary.Frames} ({summary.FrameBlobs} distinct images, encrypted)");
        captured.AddRow("redactions", Markup.Escape(summary.RedactionsByType.Count == 0 ? "none" : string.Join(", ", summary.RedactionsByType.Select(r => $"{r.Key} {r.Value}"))));
        captured.AddRow("sensitive fields", summary.SensitiveFields.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(new Panel(captured).Header("captured (decrypted from the session store)"));

        var checks = new Table().Title("safeguards (checked in the decrypted session)").AddColumns("check", "result");
        checks.AddRow("password", report.PasswordFound
            ? "[red]FOUND in the stored events[/]"
            : $"[green]no trace[/] ({Plural(summary.SensitiveFields, "sensitive-field redaction")})");
        var emails = summary.RedactionsByType.GetValueOrDefault(EntityTypes.Email);
        checks.AddRow("email", report.EmailFound
            ? "[red]FOUND unredacted in the stored events[/]"
            : $"[green]stored only as {Markup.Escape(EmailPlaceholder)}[/] ({Plural(emails, $"{EntityTypes.Email} redaction")})");
        checks.AddRow("frames", report.AllFramesFilled
            ? $"[green]{report.FramesChecked} checked, the non-allowed window is filled in all[/]"
            : $"[red]{report.FramesChecked} checked, {report.FramesFilled} filled{Markup.Escape(report.FrameProblem is null ? "" : $": {report.FrameProblem}")}[/]");
        AnsiConsole.Write(checks);
        AnsiConsole.MarkupLine($"See it with: [bold]./understudy sessions show {Markup.Escape(sessionId)}[/] or [bold]./understudy sessions export {Markup.Escape(sessionId)} --format jsonl[/]");
    }

    private static string Plural(int count, string what) => string.Create(CultureInfo.InvariantCulture, $"{count} {what}{(count == 1 ? "" : "s")}");

    private static void WriteJson(string sessionId, RecordingSummary summary, SafeguardReport report, DatasetBuildResult dataset) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("session_id", sessionId);
        writer.WriteStartObject("dataset");
        writer.WriteString("path", dataset.OutputDirectory);
        writer.WriteString("viewer", Path.Combine(dataset.OutputDirectory, "viewer", "index.html"));
        writer.WriteNumber("episodes", dataset.Manifest.Statistics.Episodes);
        writer.WriteNumber("steps", dataset.Manifest.Statistics.Steps);
        writer.WriteStartObject("actions_by_kind");
        foreach (var (kind, count) in dataset.Manifest.Statistics.ActionsByKind)
        {
            writer.WriteNumber(kind, count);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteNumber("duration_s", Math.Round(summary.Duration.TotalSeconds, 3));
        writer.WriteStartObject("counts_by_kind");
        foreach (var (kind, count) in summary.CountsByKind)
        {
            writer.WriteNumber(kind, count);
        }
        writer.WriteEndObject();
        WriteArray(writer, "apps", summary.Apps);
        WriteArray(writer, "typed_text", summary.TypedText);
        writer.WriteStartObject("clicks");
        foreach (var (button, count) in summary.Clicks)
        {
            writer.WriteNumber(button, count);
        }
        writer.WriteEndObject();
        writer.WriteNumber("scrolls_up", summary.ScrollsUp);
        writer.WriteNumber("scrolls_down", summary.ScrollsDown);
        WriteArray(writer, "hotkeys", summary.Hotkeys);
        writer.WriteNumber("gaps", summary.Gaps);
        WriteArray(writer, "elements", summary.Elements);
        WriteArray(writer, "ui_actions", summary.UiActions);
        writer.WriteNumber("frames", summary.Frames);
        writer.WriteNumber("frame_blobs", summary.FrameBlobs);
        writer.WriteStartObject("redactions_by_type");
        foreach (var (type, count) in summary.RedactionsByType)
        {
            writer.WriteNumber(type, count);
        }
        writer.WriteEndObject();
        writer.WriteNumber("sensitive_fields", summary.SensitiveFields);
        writer.WriteStartObject("safeguards");
        writer.WriteBoolean("password_found", report.PasswordFound);
        writer.WriteBoolean("email_found", report.EmailFound);
        writer.WriteBoolean("placeholder_shown", report.PlaceholderShown);
        writer.WriteNumber("frames_checked", report.FramesChecked);
        writer.WriteNumber("frames_filled", report.FramesFilled);
        writer.WriteBoolean("non_allowed_window_filled", report.AllFramesFilled);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }
}
