using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;
using Understudy.Platform.X11.Accessibility;

namespace Understudy.Desktop.Tests.Accessibility;

/// <summary>Starts the applications the accessibility tests act on: the yad expense form and Chromium with the test page.</summary>
internal static partial class AccessibilityApps
{
    public static Process StartYadForm(VirtualDesktop desktop)
    {
        var app = desktop.StartApp("bash", RepoPaths.Script("demo-form.sh"));
        desktop.WaitForWindow("UnderstudyDemo", TimeSpan.FromSeconds(30));
        return app;
    }

    /// <summary>Chromium in app mode (no tabs or toolbar) at the right of the screen, showing Assets/form.html.</summary>
    public static (Process App, string ProfileDir) StartChromium(VirtualDesktop desktop, string asset = "form.html")
    {
        var profile = Directory.CreateTempSubdirectory("understudy-chromium-").FullName;
        var page = new Uri(Path.Combine(AppContext.BaseDirectory, "Assets", asset)).AbsoluteUri;
        var app = desktop.StartApp("chromium",
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--force-renderer-accessibility", "--no-default-browser-check",
            "--password-store=basic", "--test-type", $"--user-data-dir={profile}", "--window-position=720,0", "--window-size=560,760",
            $"--app={page}");
        desktop.WaitForWindow("[Cc]hromium", TimeSpan.FromSeconds(60));
        return (app, profile);
    }

    public static void Stop(Process app, string? profileDir = null)
    {
        try
        {
            app.Kill(entireProcessTree: true);
            app.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        app.Dispose();
        if (profileDir is not null)
        {
            try
            {
                Directory.Delete(profileDir, recursive: true);
            }
            catch (IOException)
            {
                // Chromium's helpers may still be writing; a temp directory left behind is harmless.
            }
        }
    }

    /// <summary>Waits until an element is showing in the accessibility tree and returns its screen bounds.</summary>
    public static Rect WaitForElement(AtSpiAccessibilitySource source, string role, string nameOrLabel, double seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var find = source.FindBoundsAsync(role, nameOrLabel);
            if (find.Wait(TimeSpan.FromSeconds(30)) && find.Result is { Width: > 0, Height: > 0 } bounds)
            {
                return bounds;
            }
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                throw new TimeoutException($"no showing '{role}' named '{nameOrLabel}' within {seconds} s; tree:\n{Tree(source)}");
            }
            Thread.Sleep(200);
        }
    }

    public static string Tree(AtSpiAccessibilitySource source)
    {
        var dump = source.DumpTreeAsync();
        return dump.Wait(TimeSpan.FromSeconds(30)) ? dump.Result : "(no tree)";
    }

    public static (int X, int Y) Center(Rect bounds) => (bounds.X + (bounds.Width / 2), bounds.Y + (bounds.Height / 2));

    public static int ParseInt(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex("chrome=(\\d+),(\\d+)")]
    public static partial Regex ChromeSize();
}
