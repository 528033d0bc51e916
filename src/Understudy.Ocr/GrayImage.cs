using Understudy.Core.Model;

namespace Understudy.Ocr;

/// <summary>8-bit grayscale copies of screen regions, scaled, for tesseract (which wants one channel or RGB, not B,G,R,A).</summary>
internal static class GrayImage
{
    /// <summary>The size of <paramref name="region"/> scaled by <paramref name="scale"/> (at least 1×1).</summary>
    public static (int Width, int Height) ScaledSize(Rect region, double scale) =>
        (Math.Max(1, (int)Math.Round(region.Width * scale)), Math.Max(1, (int)Math.Round(region.Height * scale)));

    /// <summary>
    /// Writes <paramref name="region"/> of the B,G,R,A screen as luma (BT.601 weights), scaled
    /// bilinearly to <paramref name="width"/>×<paramref name="height"/>, rows of
    /// <paramref name="width"/> bytes. The region must lie inside the screen.
    /// </summary>
    public static void Convert(ReadOnlySpan<byte> bgra, ScreenSize size, Rect region, Span<byte> gray, int width, int height)
    {
        var stride = size.Width * 4;
        if (width == region.Width && height == region.Height)
        {
            for (var y = 0; y < height; y++)
            {
                var row = bgra.Slice(((region.Y + y) * stride) + (region.X * 4), region.Width * 4);
                var outRow = gray.Slice(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    outRow[x] = Luma(row, x * 4);
                }
            }
            return;
        }

        // One luma row cache per source row would cost a full copy; sampling the four neighbours
        // directly is as fast at scale 2 and needs no buffer.
        var sx = (double)region.Width / width;
        var sy = (double)region.Height / height;
        Span<int> x0s = width <= 8192 ? stackalloc int[width] : new int[width];
        Span<int> fxs = width <= 8192 ? stackalloc int[width] : new int[width];
        for (var x = 0; x < width; x++)
        {
            var fx = Math.Max(0, ((x + 0.5) * sx) - 0.5);
            var ix = Math.Min((int)fx, region.Width - 1);
            x0s[x] = ix;
            fxs[x] = (int)((fx - ix) * 256);
        }
        for (var y = 0; y < height; y++)
        {
            var fy = Math.Max(0, ((y + 0.5) * sy) - 0.5);
            var iy = Math.Min((int)fy, region.Height - 1);
            var wy = (int)((fy - iy) * 256);
            var iy1 = Math.Min(iy + 1, region.Height - 1);
            var row0 = bgra.Slice(((region.Y + iy) * stride) + (region.X * 4), region.Width * 4);
            var row1 = bgra.Slice(((region.Y + iy1) * stride) + (region.X * 4), region.Width * 4);
            var outRow = gray.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var ix = x0s[x];
                var ix1 = Math.Min(ix + 1, region.Width - 1);
                var wx = fxs[x];
                var top = (Luma(row0, ix * 4) * (256 - wx)) + (Luma(row0, ix1 * 4) * wx);
                var bottom = (Luma(row1, ix * 4) * (256 - wx)) + (Luma(row1, ix1 * 4) * wx);
                outRow[x] = (byte)(((top * (256 - wy)) + (bottom * wy) + (1 << 15)) >> 16);
            }
        }
    }

    private static byte Luma(ReadOnlySpan<byte> row, int offset) =>
        (byte)(((row[offset] * 29) + (row[offset + 1] * 150) + (row[offset + 2] * 77) + 128) >> 8);

    /// <summary>
    /// Paints each of <paramref name="rects"/> (screen coordinates) in a gray image of
    /// <paramref name="region"/> scaled by <paramref name="scale"/> with the most common value just
    /// outside its border, so that it reads as background rather than as a box.
    /// </summary>
    public static void Blank(Span<byte> gray, int width, int height, Rect region, double scale, IReadOnlyList<Rect> rects)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (var rect in rects)
        {
            var x0 = Math.Clamp((int)Math.Floor((rect.X - region.X) * scale), 0, width);
            var y0 = Math.Clamp((int)Math.Floor((rect.Y - region.Y) * scale), 0, height);
            var x1 = Math.Clamp((int)Math.Ceiling((rect.X + rect.Width - region.X) * scale), 0, width);
            var y1 = Math.Clamp((int)Math.Ceiling((rect.Y + rect.Height - region.Y) * scale), 0, height);
            if (x1 <= x0 || y1 <= y0)
            {
                continue;
            }
            histogram.Clear();
            var ox0 = Math.Max(0, x0 - 1);
            var ox1 = Math.Min(width - 1, x1);
            var oy0 = Math.Max(0, y0 - 1);
            var oy1 = Math.Min(height - 1, y1);
            for (var x = ox0; x <= ox1; x++)
            {
                histogram[gray[(oy0 * width) + x]]++;
                histogram[gray[(oy1 * width) + x]]++;
            }
            for (var y = oy0; y <= oy1; y++)
            {
                histogram[gray[(y * width) + ox0]]++;
                histogram[gray[(y * width) + ox1]]++;
            }
            var background = 0;
            for (var v = 1; v < 256; v++)
            {
                if (histogram[v] > histogram[background])
                {
                    background = v;
                }
            }
            for (var y = y0; y < y1; y++)
            {
                gray.Slice((y * width) + x0, x1 - x0).Fill((byte)background);
            }
        }
    }
}
