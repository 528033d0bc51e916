using System.Globalization;
using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Platform.X11.Accessibility;
using Understudy.Platform.X11.Input;
using Understudy.Platform.X11.Interop;
using Understudy.Platform.X11.Screen;
using Understudy.Platform.X11.Window;

namespace Understudy.Platform.X11;

/// <summary>The Linux/X11 backend: XRecord for input, EWMH for the active window, AT-SPI for elements.</summary>
public sealed class X11DesktopBackend : IDesktopBackend
{
    private readonly string? _displayName;

    private X11DesktopBackend(string? displayName, ScreenSize screen, double scaleFactor)
    {
        _displayName = displayName;
        Screen = screen;
        ScaleFactor = scaleFactor;
    }

    public string Name => "x11";

    public ScreenSize Screen { get; }

    /// <summary>
    /// Connects to the display and checks that capture can work there. Throws
    /// <see cref="CaptureUnavailableException"/> with what to do when it cannot (no DISPLAY,
    /// a Wayland session, no RECORD extension).
    /// </summary>
    public static X11DesktopBackend Open(string? displayName = null)
    {
        var sessionType = Environment.GetEnvironmentVariable("XDG_SESSION_TYPE");
        var waylandDisplay = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        if (displayName is null && (string.Equals(sessionType, "wayland", StringComparison.OrdinalIgnoreCase) || !string.IsNullOrEmpty(waylandDisplay)))
        {
            throw new CaptureUnavailableException(
                "this is a Wayland session: X11 capture through XWayland would see only X windows and record an incomplete session. " +
                "Log in to an X11 session (e.g. 'GNOME on Xorg'), or try 'understudy demo' on a virtual desktop.");
        }
        using var probe = X11Connection.Open(displayName);
        if (XTst.XRecordQueryVersion(probe.Handle, out _, out _) == 0)
        {
            throw new CaptureUnavailableException($"the X server on '{probe.Name}' has no RECORD extension: input cannot be captured there");
        }
        var screen = Xlib.XDefaultScreen(probe.Handle);
        var resources = Marshal.PtrToStringUTF8(Xlib.XResourceManagerString(probe.Handle));
        return new X11DesktopBackend(
            probe.Name,
            new ScreenSize(Xlib.XDisplayWidth(probe.Handle, screen), Xlib.XDisplayHeight(probe.Handle, screen)),
            ScaleFactorFromResources(resources));
    }

    /// <summary>
    /// Device pixels per logical pixel as X11 desktops declare it: <c>Xft.dpi</c> in the resource
    /// database (GNOME, KDE and xrdb set it; 96 is 1.0). Absent or nonsense means 1.0.
    /// </summary>
    public static double ScaleFactorFromResources(string? resources)
    {
        foreach (var line in (resources ?? string.Empty).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == "Xft.dpi"
                && double.TryParse(line[(colon + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dpi)
                && dpi is >= 48 and <= 960)
            {
                return Math.Round(dpi / 96.0, 3);
            }
        }
        return 1.0;
    }

    public ICaptureSource CreateInputSource(InputSourceOptions options) => new XRecordInputSource(_displayName, options);

    public ICaptureSource CreateWindowSource() => new ActiveWindowSource(_displayName);

    public double ScaleFactor { get; }

    public ICaptureSource CreateAccessibilitySource(AccessibilityOptions options) => new AtSpiAccessibilitySource(_displayName, options);

    public IScreenGrabber CreateScreenGrabber() => XShmScreenGrabber.Open(_displayName);

    public IWindowLayoutProbe CreateWindowLayoutProbe() => X11WindowLayoutProbe.Open(_displayName);

    public IInputInjector CreateInputInjector() => Replay.XTestInjector.Open(_displayName);

    /// <summary>The display this backend records (null: $DISPLAY).</summary>
    public string? DisplayName => _displayName;

    public void Dispose()
    {
    }
}
