using System.Globalization;
using System.Text;
using SkiaSharp;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Accessibility;
using Understudy.Desktop.Tests.Harness;
using Understudy.Desktop.Tests.Recording;

namespace Understudy.Desktop.Tests.Safeguards;

/// <summary>
/// What the safeguard tests share: recording with the real recorder process under a policy,
/// exporting the session, and searching every byte it left for secrets.
/// </summary>
public abstract class SafeguardTestBase(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    // The solid fill frames use (policy default #202020), as B,G,R,A.
    protected static readonly SKColor Fill = new(0x20, 0x20, 0x20);

    protected void Xdotool(params string[] args) => Desktop.RunTool("xdotool", args);

    protected static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    protected string WritePolicy(params string[] classes)
    {
        var path = Path.Combine(Root, "policy.yaml");
        var allow = string.Concat(classes.Select(c => $"    - class: {c}\n"));
        File.WriteAllText(path, $"version: 1\nname: leak test\napps:\n  allow:\n{allow}");
        return path;
    }

    protected string Record(string policy, Action work)
    {
        AcceptConsent();
        using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--policy", policy, "--frame-format", "png");
        recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));
        try
        {
            work();
            // Let the guard's idle boundary and settle pass, so the last pieces are judged while recording.
            Pause(2500);
        }
        finally
        {
            recorder.Signal(2);
        }
        Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
        return recorder.Stdout.Trim();
    }

    protected (List<SessionEvent> Events, string ExportFile, string FramesDir) Export(string sessionId)
    {
        var exportFile = Path.Combine(Root, "export.jsonl");
        var framesDir = Path.Combine(Root, "frames");
        var (exit, _, stderr) = CliProcess.Run(Env, "sessions", "export", sessionId, "--format", "jsonl", "--data", DataDir, "--frames", framesDir, "--out", exportFile);
        Assert.True(exit == 0, stderr);
        if (Environment.GetEnvironmentVariable("UNDERSTUDY_KEEP_LEAK_EXPORT") is { Length: > 0 } keep)
        {
            File.Copy(exportFile, Path.Combine(keep, sessionId + ".jsonl"), overwrite: true);
        }
        return ([.. File.ReadLines(exportFile).Select(EventJson.Parse)], exportFile, framesDir);
    }

    /// <summary>No secret in any byte under <paramref name="roots"/>: the encrypted store, the decrypted export, the frames.</summary>
    protected static void AssertNoTrace(IEnumerable<string> roots, params string[] secrets)
    {
        foreach (var root in roots)
        {
            var files = File.Exists(root) ? [root] : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories);
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                foreach (var secret in secrets)
                {
                    foreach (var form in new[] { secret, secret.Replace(" ", "", StringComparison.Ordinal), secret[..Math.Min(8, secret.Length)] })
                    {
                        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) < 0, $"'{form}' found in {file}");
                        Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(form)) < 0, $"'{form}' (UTF-16) found in {file}");
                    }
                }
            }
        }
    }

    /// <summary>What the key events say was typed, in order, after the guard's rewriting.</summary>
    protected static string Typed(IEnumerable<SessionEvent> events) =>
        string.Concat(events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));

    /// <summary>Every frame image must show only fill colour over <paramref name="hidden"/>, wherever its region covers it.</summary>
    protected static int AssertFilled(IEnumerable<FramePayload> frames, string framesDir, Rect hidden, Rect? exceptShown = null)
    {
        var checkedPixels = 0;
        foreach (var frame in frames.DistinctBy(f => f.Blob))
        {
            using var image = SKBitmap.Decode(Path.Combine(framesDir, frame.Blob + ".png"));
            Assert.NotNull(image);
            for (var y = hidden.Y + 2; y < hidden.Y + hidden.Height - 2; y += 7)
            {
                for (var x = hidden.X + 2; x < hidden.X + hidden.Width - 2; x += 7)
                {
                    if (exceptShown is { } shown && x >= shown.X && y >= shown.Y && x < shown.X + shown.Width && y < shown.Y + shown.Height)
                    {
                        continue;
                    }
                    var (ix, iy) = ((int)((x - frame.Region.X) * frame.Scale), (int)((y - frame.Region.Y) * frame.Scale));
                    if (ix < 0 || iy < 0 || ix >= image.Width || iy >= image.Height)
                    {
                        continue;
                    }
                    var pixel = image.GetPixel(ix, iy);
                    Assert.True(pixel.Red == Fill.Red && pixel.Green == Fill.Green && pixel.Blue == Fill.Blue, $"frame {frame.Blob} ({frame.Role} of {frame.ForSeq}) shows {pixel} at ({x},{y}), inside {hidden}");
                    checkedPixels++;
                }
            }
        }
        return checkedPixels;
    }

    protected (System.Diagnostics.Process App, long Window, Rect Client) OpenWindow(string wmClass, params string[] yadArgs)
    {
        var app = Desktop.StartApp("yad", [$"--class={wmClass}", $"--name={wmClass.ToLowerInvariant()}", .. yadArgs]);
        var window = Desktop.WaitForWindow(wmClass, TimeSpan.FromSeconds(30));
        Desktop.RunTool("xdotool", "windowactivate", "--sync", Num((int)window));
        return (app, window, Geometry(window));
    }

    /// <summary>The client area in root coordinates (xwininfo's absolute position; xdotool's is off under a reparenting window manager).</summary>
    protected Rect Geometry(long window)
    {
        var info = Desktop.RunTool("xwininfo", "-id", Num((int)window));
        int Value(string name) => int.Parse(info.Split('\n').Select(l => l.Trim()).First(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
        return new Rect(Value("Absolute upper-left X"), Value("Absolute upper-left Y"), Value("Width"), Value("Height"));
    }

    /// <summary>
    /// The text typed into each field, by the field's label (or name): keys follow the element the
    /// guard stored for the first key of their piece.
    /// </summary>
    protected static Dictionary<string, string> TextByField(IEnumerable<SessionEvent> events)
    {
        var ordered = events.OrderBy(e => e.Seq).ToList();
        var fieldOfKey = ordered.Select(e => e.Payload).OfType<ElementPayload>()
            .Where(e => e.Trigger == ElementTriggers.Focus && e.ForSeq >= 0)
            .GroupBy(e => e.ForSeq).ToDictionary(g => g.Key, g => g.First().Label ?? g.First().Name ?? g.First().Role);
        var texts = new Dictionary<string, StringBuilder>();
        string? current = null;
        foreach (var e in ordered)
        {
            if (e.Payload is not KeyPayload { IsDown: true } key)
            {
                continue;
            }
            if (key.Key is "Tab" or "ISO_Left_Tab" or "Return")
            {
                current = null;
            }
            if (fieldOfKey.TryGetValue(e.Seq, out var field))
            {
                current = field;
            }
            if (current is not null && key.Text is { } text && !text.AsSpan().ContainsAnyInRange('\u0000', '\u001f'))
            {
                if (!texts.TryGetValue(current, out var builder))
                {
                    texts[current] = builder = new StringBuilder();
                }
                builder.Append(text);
            }
        }
        return texts.ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }

    /// <summary>Screen coordinates of a point of the page Chromium shows in <paramref name="window"/> (its title announces the browser frame's size).</summary>
    protected Func<int, int, (int X, int Y)> ChromiumPage(long window)
    {
        var title = "";
        for (var i = 0; i < 100 && !title.Contains("chrome=", StringComparison.Ordinal); i++)
        {
            Pause(100);
            title = Desktop.RunTool("xdotool", "getwindowname", Num((int)window));
        }
        var chrome = AccessibilityApps.ChromeSize().Match(title);
        Assert.True(chrome.Success, $"page title '{title}'");
        var (top, left) = (AccessibilityApps.ParseInt(chrome.Groups[1].Value), AccessibilityApps.ParseInt(chrome.Groups[2].Value));
        // Let the accessibility tree come up and the window manager place the window before measuring
        // it: on screen, and the same geometry three times half a second apart (openbox may place a
        // new window a while after it is mapped).
        Pause(1000);
        var client = Geometry(window);
        var stable = 0;
        for (var i = 0; i < 40 && stable < 2; i++)
        {
            Pause(500);
            var again = Geometry(window);
            stable = again == client && again.X >= 0 && again.Y >= 0 ? stable + 1 : 0;
            client = again;
        }
        Assert.True(stable >= 2, $"the Chromium window did not settle: last at {client}");
        // An infobar may have pushed the page down meanwhile: the page announces its new frame size.
        title = Desktop.RunTool("xdotool", "getwindowname", Num((int)window));
        chrome = AccessibilityApps.ChromeSize().Match(title);
        Assert.True(chrome.Success, $"page title '{title}'");
        (top, left) = (AccessibilityApps.ParseInt(chrome.Groups[1].Value), AccessibilityApps.ParseInt(chrome.Groups[2].Value));
        return (x, y) => (client.X + left + x, client.Y + top + y);
    }
}
