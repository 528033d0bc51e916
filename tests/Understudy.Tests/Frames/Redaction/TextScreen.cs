using SkiaSharp;
using Understudy.Core.Model;

namespace Understudy.Tests.Frames.Redaction;

/// <summary>
/// A white B,G,R,A screen with text drawn on it by SkiaSharp the way a GTK form draws it (DejaVu
/// Sans, 14–16 px, anti-aliased, dark grey on white), remembering where each word went.
/// </summary>
internal sealed class TextScreen
{
    private const string DejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    private readonly List<(string Word, Rect Box)> _words = [];

    public TextScreen(int width, int height)
    {
        Size = new ScreenSize(width, height);
        Pixels = new byte[width * height * 4];
        Pixels.AsSpan().Fill(0xFF);
    }

    public ScreenSize Size { get; }

    public byte[] Pixels { get; }

    public IReadOnlyList<(string Word, Rect Box)> Words => _words;

    /// <summary>Draws <paramref name="text"/> with its top-left ink corner near (x, y); returns the box of the whole line.</summary>
    public Rect Draw(string text, int x, int y, float sizePx = 15)
    {
        using var typeface = File.Exists(DejaVuSans) ? SKTypeface.FromFile(DejaVuSans) : SKTypeface.Default;
        using var font = new SKFont(typeface, sizePx) { Edging = SKFontEdging.Antialias, Subpixel = true };
        using var paint = new SKPaint { Color = new SKColor(0x20, 0x20, 0x28), IsAntialias = true };
        var info = new SKImageInfo(Size.Width, Size.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        var baseline = y - font.Metrics.Ascent;
        var pin = System.Runtime.InteropServices.GCHandle.Alloc(Pixels, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            using var surface = SKSurface.Create(info, pin.AddrOfPinnedObject(), Size.Width * 4);
            surface.Canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, paint);
            surface.Flush();
        }
        finally
        {
            pin.Free();
        }
        var lineTop = (int)Math.Floor(baseline + font.Metrics.Ascent);
        var lineBottom = (int)Math.Ceiling(baseline + font.Metrics.Descent);
        var offset = 0;
        foreach (var word in text.Split(' '))
        {
            var start = text.IndexOf(word, offset, StringComparison.Ordinal);
            offset = start + word.Length;
            var left = x + font.MeasureText(text[..start]);
            font.MeasureText(word, out var ink);
            _words.Add((word, new Rect((int)Math.Floor(left + ink.Left), (int)Math.Floor(baseline + ink.Top), (int)Math.Ceiling(ink.Width) + 1, (int)Math.Ceiling(ink.Height) + 1)));
        }
        return new Rect(x, lineTop, (int)Math.Ceiling(font.MeasureText(text)), lineBottom - lineTop);
    }

    /// <summary>One box per UTF-16 char of <paramref name="text"/> as drawn by <see cref="Draw"/> at the same place: what a toolkit's accessibility text interface reports.</summary>
    public static IReadOnlyList<Rect> CharBoxes(string text, int x, int y, float sizePx = 15)
    {
        using var typeface = File.Exists(DejaVuSans) ? SKTypeface.FromFile(DejaVuSans) : SKTypeface.Default;
        using var font = new SKFont(typeface, sizePx) { Subpixel = true };
        var top = (int)Math.Floor((double)y);
        var height = (int)Math.Ceiling(font.Metrics.Descent - font.Metrics.Ascent);
        var boxes = new List<Rect>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var left = x + font.MeasureText(text[..i]);
            var right = x + font.MeasureText(text[..(i + 1)]);
            boxes.Add(new Rect((int)Math.Floor(left), top, Math.Max(1, (int)Math.Ceiling(right) - (int)Math.Floor(left)), height));
        }
        return boxes;
    }

    public Rect BoxOf(string word) => _words.First(w => w.Word == word).Box;
}
