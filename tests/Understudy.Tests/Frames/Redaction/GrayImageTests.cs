using Understudy.Core.Model;
using Understudy.Ocr;
using Xunit;

namespace Understudy.Tests.Frames.Redaction;

public sealed class GrayImageTests
{
    [Fact]
    public void Luma_of_a_region_at_scale_1_and_2()
    {
        var size = new ScreenSize(4, 2);
        var bgra = new byte[4 * 2 * 4];
        // Pixel (1,0) pure red, (2,0) pure green, (3,1) pure blue; the rest white.
        bgra.AsSpan().Fill(0xFF);
        Set(bgra, size, 1, 0, 0, 0, 255);
        Set(bgra, size, 2, 0, 0, 255, 0);
        Set(bgra, size, 3, 1, 255, 0, 0);
        var gray = new byte[3 * 2];
        GrayImage.Convert(bgra, size, new Rect(1, 0, 3, 2), gray, 3, 2);
        Assert.Equal(new byte[] { 77, 149, 255, 255, 255, 29 }, gray);

        var big = new byte[6 * 4];
        GrayImage.Convert(bgra, size, new Rect(1, 0, 3, 2), big, 6, 4);
        // Corners keep their values; between red and green lies a blend.
        Assert.Equal(77, big[0]);
        Assert.Equal(29, big[(3 * 6) + 5]);
        Assert.InRange(big[2], 78, 148);
    }

    [Fact]
    public void Blanked_rectangles_take_the_colour_around_them()
    {
        var gray = new byte[10 * 10];
        gray.AsSpan().Fill(200);
        gray[(5 * 10) + 5] = 0;
        GrayImage.Blank(gray, 10, 10, new Rect(100, 100, 5, 5), 2, [new Rect(102, 102, 1, 1)]);
        Assert.All(gray, v => Assert.Equal(200, v));
    }

    private static void Set(byte[] bgra, ScreenSize size, int x, int y, byte b, byte g, byte r)
    {
        var o = ((y * size.Width) + x) * 4;
        bgra[o] = b;
        bgra[o + 1] = g;
        bgra[o + 2] = r;
    }
}
