using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;
using Understudy.Frames.Masking;
using Understudy.Platform.Fake;

namespace Understudy.Tests.Frames;

public sealed class ScopeFrameMaskerTests
{
    private static readonly ScreenSize Screen = new(200, 100);
    private const uint Fill = PixelMask.DefaultFill;
    private const uint White = 0xFFFFFFFF;

    private static byte[] WhiteScreen()
    {
        var pixels = new byte[Screen.Width * Screen.Height * 4];
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(pixels.AsSpan()).Fill(White);
        return pixels;
    }

    private static uint At(byte[] pixels, int x, int y) => BitConverter.ToUInt32(pixels, ((y * Screen.Width) + x) * 4);

    private static VisibleWindow Window(long id, string cls, Rect client, int? pid = null) =>
        new(id, cls, cls.ToLowerInvariant(), null, pid, new Rect(client.X - 2, client.Y - 20, client.Width + 4, client.Height + 22), client);

    [Fact]
    public void Only_the_allowed_windows_own_area_is_shown_and_a_window_above_it_is_filled()
    {
        var layout = new FixedWindowLayout([
            Window(1, "Yad", new Rect(20, 30, 100, 60), pid: 10),
            Window(2, "Terminal", new Rect(90, 40, 60, 30)),
        ]);
        using var masker = new ScopeFrameMasker(layout, AppScope.FromAllowList(["Yad"]), null);
        var pixels = WhiteScreen();
        masker.Apply(pixels, Screen);

        Assert.Equal(White, At(pixels, 25, 35));      // inside Yad, uncovered
        Assert.Equal(Fill, At(pixels, 100, 50));      // Yad covered by the terminal
        Assert.Equal(Fill, At(pixels, 5, 5));         // desktop
        Assert.Equal(Fill, At(pixels, 30, 15));       // Yad's title bar (decoration)
        Assert.Equal(Fill, At(pixels, 160, 50));      // terminal outside Yad
    }

    [Fact]
    public void A_popup_of_the_allowed_process_is_shown_and_an_unreadable_layout_fills_everything()
    {
        var popup = new VisibleWindow(3, null, null, null, 10, new Rect(110, 60, 50, 30), new Rect(110, 60, 50, 30));
        var layout = new FixedWindowLayout([Window(1, "Yad", new Rect(20, 30, 100, 60), pid: 10), popup]);
        using var masker = new ScopeFrameMasker(layout, AppScope.FromAllowList(["Yad"]), null);
        var pixels = WhiteScreen();
        masker.Apply(pixels, Screen);
        Assert.Equal(White, At(pixels, 150, 80));

        layout.Fail = true;
        pixels = WhiteScreen();
        masker.Apply(pixels, Screen);
        Assert.All(Enumerable.Range(0, Screen.Width * Screen.Height), i => Assert.Equal(Fill, BitConverter.ToUInt32(pixels, i * 4)));
    }

    [Fact]
    public void Sensitive_fields_are_filled_where_their_window_is_now()
    {
        var regions = new SensitiveRegions();
        regions.Add(new Rect(40, 50, 30, 10), windowId: 1, windowBounds: new Rect(20, 30, 100, 60));
        // The window moved 10 px right since the field was seen.
        var layout = new FixedWindowLayout([Window(1, "Yad", new Rect(30, 30, 100, 60))]);
        using var masker = new ScopeFrameMasker(layout, AppScope.AllowAll, regions);
        var pixels = WhiteScreen();
        masker.Apply(pixels, Screen);
        Assert.Equal(Fill, At(pixels, 51, 51));
        Assert.Equal(Fill, At(pixels, 79, 59));
        Assert.Equal(White, At(pixels, 45, 51));
        Assert.Equal(White, At(pixels, 5, 5));
    }

    [Fact]
    public void Subtraction_covers_exactly_the_difference()
    {
        var output = new List<Rect>();
        ScopeFrameMasker.Subtract(new Rect(0, 0, 10, 10), new Rect(3, 3, 4, 4), output);
        Assert.Equal(100 - 16, output.Sum(r => r.Width * r.Height));
        output.Clear();
        ScopeFrameMasker.Subtract(new Rect(0, 0, 10, 10), new Rect(20, 20, 4, 4), output);
        Assert.Equal([new Rect(0, 0, 10, 10)], output);
    }
}
