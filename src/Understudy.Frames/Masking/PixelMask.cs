using Understudy.Core.Model;

namespace Understudy.Frames.Masking;

/// <summary>
/// Solid fills over B,G,R,A screen buffers. Never blur: a blurred region can be read back, a
/// filled one cannot.
/// </summary>
public static class PixelMask
{
    /// <summary>The fill colour as stored bytes B,G,R,A: a dark grey that reads as "hidden" in a viewer.</summary>
    public const uint DefaultFill = 0xFF202020;

    /// <summary>Fills <paramref name="rect"/> (clipped to the screen) with <paramref name="bgra"/>.</summary>
    public static void Fill(Span<byte> pixels, ScreenSize size, Rect rect, uint bgra = DefaultFill)
    {
        var x0 = Math.Clamp(rect.X, 0, size.Width);
        var y0 = Math.Clamp(rect.Y, 0, size.Height);
        var x1 = (int)Math.Clamp((long)rect.X + rect.Width, 0, size.Width);
        var y1 = (int)Math.Clamp((long)rect.Y + rect.Height, 0, size.Height);
        if (x1 <= x0 || y1 <= y0)
        {
            return;
        }
        var stride = size.Width * 4;
        var rowPixels = x1 - x0;
        for (var y = y0; y < y1; y++)
        {
            var row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(pixels.Slice((y * stride) + (x0 * 4), rowPixels * 4));
            row.Fill(bgra);
        }
    }

    /// <summary>Fills the whole buffer: what a frame looks like when nothing on it may be shown.</summary>
    public static void FillAll(Span<byte> pixels, ScreenSize size, uint bgra = DefaultFill) =>
        Fill(pixels, size, new Rect(0, 0, size.Width, size.Height), bgra);
}
