using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Understudy.Cli.Demo;
using Understudy.Cli.Infrastructure;
using Understudy.Cli.Recording;
using Understudy.Core.Pipeline;
using Understudy.Desktop;
using Understudy.Platform.X11;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy demo</c>: the whole pipeline on a machine with no display. Starts a virtual
/// desktop, opens a real GTK form, records while XTest (xdotool) does a short piece of scripted
/// work in it, then reads the encrypted session back and shows what was captured.
/// </summary>
internal static class DemoCommand
{
    private const string FormClass = "UnderstudyDemo";
    private const string Description = "Team lunch at Café Zoë";
    private const string Notes = " Receipt #4711 attached.";

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
        try
        {
            console.Status().Start("starting a virtual desktop (Xvfb, openbox, AT-SPI bus)…", status =>
            {
                desktop = StartDesktop();
                status.Status("opening the expense form (yad, GTK)…");
                using var form = desktop.StartApp(RepoPaths.Script("demo-form.sh"), "--timeout=120");
                var window = desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(30));
                desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));

                status.Status("recording while scripted input fills in the form…");
                result = RecordWhile(desktop, store, () => DoScriptedWork(desktop, window));
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
        var summary = RecordingSummary.From(store.ReadEvents(recording.SessionId));
        if (json)
        {
            WriteJson(recording.SessionId, summary);
        }
        else
        {
            Show(recording.SessionId, summary, store.DataDirectoryPath);
        }
        return ExitCodes.Ok;
    }

    private static VirtualDesktop StartDesktop() => VirtualDesktop.Start("1280x800");

    private static RecordingResult RecordWhile(VirtualDesktop desktop, Understudy.Storage.SessionStore store, Action work)
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
                result = RecordingRun.Run(backend, store, RecordingPolicySetup.Build(null, [FormClass]).Safeguards, new RecorderOptions { Task = "Enter a lunch expense" }, ObservationSettings.Default, stop.Token, _ => started.Set());
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

    private static void DoScriptedWork(VirtualDesktop desktop, long window)
    {
        void Xdotool(params string[] args) => desktop.RunTool("xdotool", args);
        var geometry = desktop.RunTool("xdotool", "getwindowgeometry", "--shell", window.ToString(CultureInfo.InvariantCulture));
        int Value(string name) => int.Parse(geometry.Split('\n').First(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
        var (x, y, width, height) = (Value("X"), Value("Y"), Value("WIDTH"), Value("HEIGHT"));

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
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

    private static void Show(string sessionId, RecordingSummary summary, string dataDirectory)
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
        AnsiConsole.Write(new Panel(captured).Header("captured (decrypted from the session store)"));
        AnsiConsole.MarkupLine($"See it with: [bold]./understudy sessions show {Markup.Escape(sessionId)}[/] or [bold]./understudy sessions export {Markup.Escape(sessionId)} --format jsonl[/]");
    }

    private static void WriteJson(string sessionId, RecordingSummary summary) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("session_id", sessionId);
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
