using Understudy.Core.Model;

namespace Understudy.Core.Capture;

/// <summary>An event as a source saw it: stamped at capture time, not yet ordered or numbered.</summary>
public readonly record struct CapturedEvent(long MonoNs, DateTimeOffset Wall, EventPayload Payload);

/// <summary>A failure that ends capture (the display went away, the source could not start).</summary>
public sealed record CaptureFault(string Source, string Reason, bool DisplayLost);

/// <summary>Where sources deliver events. Implementations are thread-safe; sources call it from their own threads.</summary>
public interface ICaptureSink
{
    void Post(in CapturedEvent captured);

    void Fault(CaptureFault fault);
}

/// <summary>One stream of events from the platform (input, active window, …).</summary>
public interface ICaptureSource : IDisposable
{
    string Name { get; }

    /// <summary>Begins delivering events to <paramref name="sink"/>. Throws <see cref="CaptureUnavailableException"/> if it cannot.</summary>
    void Start(ICaptureSink sink);

    /// <summary>Stops delivering; returns once the source's threads are done. Idempotent.</summary>
    void Stop();
}

/// <summary>The platform's capture backend: a factory for its sources plus what it knows about the screen.</summary>
public interface IDesktopBackend : IDisposable
{
    /// <summary>Short name written to the session manifest, e.g. <c>x11</c>.</summary>
    string Name { get; }

    ScreenSize Screen { get; }

    ICaptureSource CreateInputSource(InputSourceOptions options);

    ICaptureSource CreateWindowSource();

    /// <summary>Element lookups and ui events through the platform's accessibility layer.</summary>
    ICaptureSource CreateAccessibilitySource(AccessibilityOptions options);

    /// <summary>Whole-screen pixel grabs for keyframes. Throws <see cref="CaptureUnavailableException"/> if it cannot.</summary>
    IScreenGrabber CreateScreenGrabber();

    /// <summary>Reads the stacking order of windows on screen, for masking frames. Throws <see cref="CaptureUnavailableException"/> if it cannot.</summary>
    IWindowLayoutProbe CreateWindowLayoutProbe();

    /// <summary>Device pixels per logical pixel (1.0 on a plain X11 screen).</summary>
    double ScaleFactor { get; }

    /// <summary>Synthetic input on this display, for replay. Throws <see cref="CaptureUnavailableException"/> if it cannot.</summary>
    IInputInjector CreateInputInjector();
}

public sealed record InputSourceOptions
{
    /// <summary>Capacity of the buffer between the OS callback and the rest of the recorder.</summary>
    public int RingCapacity { get; init; } = 1 << 16;
}

/// <summary>Capture cannot work here (no display, Wayland, missing extension). The message says what to do.</summary>
public sealed class CaptureUnavailableException(string message) : Exception(message);
