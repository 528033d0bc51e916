using System.Diagnostics;
using Understudy.Core.Capture;

namespace Understudy.Dataset.Replay;

/// <summary>Tells when the screen has stopped changing after a replayed step.</summary>
public interface IScreenSettle
{
    /// <summary>Waits until the screen has been unchanged for <paramref name="quiet"/>; false when it still changed at <paramref name="timeout"/>.</summary>
    bool WaitUntilSettled(TimeSpan quiet, TimeSpan timeout);
}

/// <summary>
/// Settling judged from whole-screen grabs every 50 ms, compared byte for byte with the one before.
/// A blinking text cursor changes the screen about every 600 ms, so the quiet time must stay well
/// under that (the recorder uses 200 ms for its settled frames too).
/// </summary>
public sealed class GrabbingScreenSettle : IScreenSettle, IDisposable
{
    private static readonly TimeSpan GrabInterval = TimeSpan.FromMilliseconds(50);
    private readonly IScreenGrabber _grabber;
    private byte[] _previous;
    private byte[] _current;

    public GrabbingScreenSettle(IScreenGrabber grabber)
    {
        ArgumentNullException.ThrowIfNull(grabber);
        _grabber = grabber;
        _previous = new byte[BufferSize(grabber)];
        _current = new byte[_previous.Length];
    }

    private static int BufferSize(IScreenGrabber grabber) => grabber.Size.Width * grabber.Size.Height * 4;

    public bool WaitUntilSettled(TimeSpan quiet, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var havePrevious = Grab(_previous);
        var quietSince = clock.Elapsed;
        while (clock.Elapsed < timeout)
        {
            Thread.Sleep(GrabInterval);
            if (!Grab(_current))
            {
                havePrevious = false;
                quietSince = clock.Elapsed;
                continue;
            }
            if (!havePrevious || !_current.AsSpan().SequenceEqual(_previous))
            {
                quietSince = clock.Elapsed;
                (_previous, _current) = (_current, _previous);
                havePrevious = true;
                continue;
            }
            if (clock.Elapsed - quietSince >= quiet)
            {
                return true;
            }
        }
        return false;
    }

    private bool Grab(byte[] buffer)
    {
        if (_grabber.TryGrab(buffer))
        {
            return true;
        }
        // The screen changed size: grab at the new size from now on.
        _previous = new byte[BufferSize(_grabber)];
        _current = new byte[_previous.Length];
        return false;
    }

    public void Dispose() => _grabber.Dispose();
}
