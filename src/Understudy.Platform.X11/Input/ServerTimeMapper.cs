using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Input;

/// <summary>
/// Places X server event times (milliseconds, 32 bits, wrapping every 49.7 days) on our
/// monotonic clock. Stamping on arrival is wrong when the server holds record data back: with no
/// client selecting the input it sends it in batches, up to 1.5 s late, many events with one
/// arrival time. The server's own time keeps their true spacing.
/// The offset between the clocks is measured once at start (<see cref="Calibrate"/>), by a
/// round trip that makes the server stamp a property change; arrival times cannot correct it
/// upwards (a late batch would drag it along), only downwards, when an event arrives sooner than
/// the offset allows. Mapped times are never later than arrival and never go back.
/// Assumes both clocks run at the same rate (a local server: Xorg and Xvfb use CLOCK_MONOTONIC).
/// </summary>
internal sealed class ServerTimeMapper
{
    private const long NanosPerMilli = 1_000_000;
    private long _wraps;
    private uint _lastServerMs;
    private bool _started;
    private long _offsetNs = long.MaxValue;
    private long _lastMappedNs = long.MinValue;

    /// <summary>The server stamped <paramref name="serverMs"/> while our clock read <paramref name="ourNs"/>.</summary>
    public void Calibrate(uint serverMs, long ourNs)
    {
        _lastServerMs = serverMs;
        _started = true;
        _offsetNs = ourNs - (serverMs * NanosPerMilli);
    }

    /// <summary>Our monotonic time for an event the server stamped <paramref name="serverMs"/> and we received at <paramref name="arrivalNs"/>.</summary>
    public long Map(uint serverMs, long arrivalNs)
    {
        if (_started && serverMs < _lastServerMs && _lastServerMs - serverMs > 0x8000_0000u)
        {
            _wraps++;
        }
        if (!_started || serverMs > _lastServerMs || _lastServerMs - serverMs > 0x8000_0000u)
        {
            _lastServerMs = serverMs;
        }
        _started = true;

        var serverNs = ((_wraps << 32) + serverMs) * NanosPerMilli;
        _offsetNs = Math.Min(_offsetNs, arrivalNs - serverNs);
        var mapped = Math.Min(serverNs + _offsetNs, arrivalNs);
        mapped = Math.Max(mapped, _lastMappedNs);
        _lastMappedNs = mapped;
        return mapped;
    }

    /// <summary>
    /// Asks the server for its current time: a property change on a private, never-mapped window
    /// comes back as PropertyNotify stamped by the server; our clock brackets the round trip.
    /// Returns false if no answer came (the mapper then learns the offset from arrivals alone).
    /// </summary>
    public unsafe bool CalibrateWith(nint display)
    {
        var root = Xlib.XDefaultRootWindow(display);
        var probe = Xlib.XCreateSimpleWindow(display, root, -10, -10, 1, 1, 0, 0, 0);
        if (probe == 0)
        {
            return false;
        }
        try
        {
            Xlib.XSelectInput(display, probe, (nint)Xlib.PropertyChangeMask);
            var atom = Xlib.XInternAtom(display, "_UNDERSTUDY_TIME_PROBE", 0);
            byte nothing = 0;
            var before = Core.Capture.MonotonicClock.NowNs();
            // PropModeAppend (2) with no data: a change notification and nothing else.
            Xlib.XChangeProperty(display, probe, atom, Xlib.XA_STRING, 8, 2, &nothing, 0);
            Xlib.XSync(display, 0);
            var after = Core.Capture.MonotonicClock.NowNs();
            var eventBuffer = stackalloc byte[Xlib.XEventSize];
            while (Xlib.XPending(display) > 0)
            {
                Xlib.XNextEvent(display, eventBuffer);
                if (*(int*)eventBuffer == Xlib.PropertyNotify && *(nuint*)(eventBuffer + 32) == probe)
                {
                    // The server stamped between our two readings; its clock has whole milliseconds.
                    Calibrate((uint)*(nuint*)(eventBuffer + 48), before + ((after - before) / 2));
                    return true;
                }
            }
            return false;
        }
        finally
        {
            Xlib.XDestroyWindow(display, probe);
            Xlib.XSync(display, 0);
        }
    }
}
