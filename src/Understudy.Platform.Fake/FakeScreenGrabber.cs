using System.Runtime.InteropServices;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Platform.Fake;

/// <summary>
/// A screen whose pixels and size a test sets. Grabs copy the current pixels; a size change is
/// reported by the next grab the way a real grabber reports xrandr, and <see cref="LoseDisplay"/>
/// makes grabs throw as when the display goes away. Thread-safe: tests paint from their thread
/// while the frame source grabs from its own.
/// </summary>
public sealed class FakeScreenGrabber : IScreenGrabber
{
    private readonly Lock _gate = new();
    private uint[] _pixels;
    private ScreenSize _screen;
    private ScreenSize _reported;
    private bool _displayLost;
    private long _grabs;

    /// <param name="background">Colour as 0xAARRGGBB (stored as B, G, R, A bytes).</param>
    public FakeScreenGrabber(ScreenSize size, uint background = 0xFF20_2020)
    {
        _screen = size;
        _reported = size;
        _pixels = new uint[size.Width * size.Height];
        Array.Fill(_pixels, background);
    }

    public ScreenSize Size
    {
        get
        {
            lock (_gate)
            {
                return _reported;
            }
        }
    }

    /// <summary>Grabs that copied pixels.</summary>
    public long Grabs => Interlocked.Read(ref _grabs);

    public bool Disposed { get; private set; }

    /// <summary>Paints a rectangle (clipped to the screen) in <paramref name="color"/> (0xAARRGGBB).</summary>
    public void Fill(Rect area, uint color)
    {
        lock (_gate)
        {
            var left = Math.Max(0, area.X);
            var top = Math.Max(0, area.Y);
            var right = Math.Min(_screen.Width, area.X + area.Width);
            var bottom = Math.Min(_screen.Height, area.Y + area.Height);
            for (var y = top; y < bottom; y++)
            {
                _pixels.AsSpan((y * _screen.Width) + left, Math.Max(0, right - left)).Fill(color);
            }
        }
    }

    /// <summary>Changes the screen's size (as xrandr would), filled with <paramref name="background"/>.</summary>
    public void Resize(ScreenSize size, uint background = 0xFF20_2020)
    {
        lock (_gate)
        {
            _screen = size;
            _pixels = new uint[size.Width * size.Height];
            Array.Fill(_pixels, background);
        }
    }

    /// <summary>From now on grabs throw <see cref="CaptureUnavailableException"/>.</summary>
    public void LoseDisplay()
    {
        lock (_gate)
        {
            _displayLost = true;
        }
    }

    public bool TryGrab(Span<byte> bgra)
    {
        lock (_gate)
        {
            if (_displayLost)
            {
                throw new CaptureUnavailableException("the fake display is gone");
            }
            if (_reported != _screen)
            {
                _reported = _screen;
                return false;
            }
            MemoryMarshal.AsBytes(_pixels.AsSpan()).CopyTo(bgra);
            Interlocked.Increment(ref _grabs);
            return true;
        }
    }

    public void Dispose() => Disposed = true;
}
