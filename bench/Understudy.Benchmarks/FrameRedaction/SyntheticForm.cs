using System.Runtime.InteropServices;
using SkiaSharp;
using Understudy.Core.Model;
using Understudy.Frames.Redaction;

namespace Understudy.Benchmarks.FrameRedaction;

/// <summary>
/// A 1920×1080 screen that looks like a desktop with two GTK-style form windows of 800×600, each
/// with ten labelled fields (label left, value in a white entry box, DejaVu Sans 15 px, the GTK
/// default on Debian), a title bar, and a few words on a panel at the bottom. Keeps the
/// accessibility view of it too: every label and value with one box per char.
/// </summary>
internal sealed class SyntheticForm
{
    public const int Width = 1920;
    public const int Height = 1080;
    private const float TextPx = 15;
    private const string DejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    private static readonly (string Label, string Value)[] Fields =
    [
        ("Full name", "Alice Smith"),
        ("Email", "alice.smith@example.com"),
        ("Phone", "+44 20 7946 0958"),
        ("Card number", "4111 1111 1111 1111"),
        ("Expiry", "08/29"),
        ("Street", "221B Baker Street"),
        ("City", "London"),
        ("Amount", "1,250.00 EUR"),
        ("Category", "Travel and meals"),
        ("Notes", "Quarterly review with the sales team"),
        ("Employee ID", "EMP-20931"),
        ("Manager", "bob.jones@example.org"),
        ("Cost centre", "CC 4410"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("Project", "Understudy pilot"),
        ("Start date", "2026-11-02"),
        ("End date", "2026-11-06"),
        ("Approver", "Carol White"),
        ("Reference", "INV 88812345"),
        ("Comment", "Receipts attached, see the shared folder"),
    ];

    private SyntheticForm(byte[] pixels, IReadOnlyList<AccessibleText> texts, Rect window)
    {
        Pixels = pixels;
        Texts = texts;
        Window = window;
    }

    public static ScreenSize Size => new(Width, Height);

    public byte[] Pixels { get; }

    public IReadOnlyList<AccessibleText> Texts { get; }

    /// <summary>The first form window: the region an OCR of "the allowed window" covers.</summary>
    public Rect Window { get; }

    public static int FieldCount => Fields.Length;

    public static SyntheticForm Render()
    {
        var pixels = new byte[Width * Height * 4];
        var texts = new List<AccessibleText>();
        using var typeface = File.Exists(DejaVuSans) ? SKTypeface.FromFile(DejaVuSans) : SKTypeface.Default;
        using var font = new SKFont(typeface, TextPx) { Edging = SKFontEdging.Antialias, Subpixel = true };
        using var titleFont = new SKFont(typeface, 14) { Edging = SKFontEdging.Antialias, Subpixel = true };
        using var ink = new SKPaint { Color = new SKColor(0x2E, 0x34, 0x36), IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        using var border = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(0xC0, 0xBF, 0xBC), StrokeWidth = 1 };
        var info = new SKImageInfo(Width, Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        var pin = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var surface = SKSurface.Create(info, pin.AddrOfPinnedObject(), Width * 4);
            var canvas = surface.Canvas;
            canvas.Clear(new SKColor(0x3D, 0x84, 0x6B));
            var windows = new[] { new SKRectI(80, 120, 880, 720), new SKRectI(1000, 200, 1800, 800) };
            for (var w = 0; w < windows.Length; w++)
            {
                var r = windows[w];
                fill.Color = new SKColor(0xF6, 0xF5, 0xF4);
                canvas.DrawRect(r, fill);
                fill.Color = new SKColor(0xDE, 0xDD, 0xDA);
                canvas.DrawRect(new SKRect(r.Left, r.Top, r.Right, r.Top + 32), fill);
                canvas.DrawText(w == 0 ? "Expense claim" : "Employee record", r.Left + 12, r.Top + 21, SKTextAlign.Left, titleFont, ink);
                for (var i = 0; i < 10; i++)
                {
                    var (label, value) = Fields[(w * 10) + i];
                    var y = r.Top + 56 + (i * 52);
                    var labelX = r.Left + 24;
                    var entry = new SKRect(r.Left + 200, y - 6, r.Right - 40, y + 28);
                    fill.Color = SKColors.White;
                    canvas.DrawRect(entry, fill);
                    canvas.DrawRect(entry, border);
                    texts.Add(Draw(canvas, font, ink, label + ":", labelX, y));
                    texts.Add(Draw(canvas, font, ink, value, (int)entry.Left + 8, y));
                }
            }
            fill.Color = new SKColor(0x24, 0x1F, 0x31);
            canvas.DrawRect(new SKRect(0, Height - 36, Width, Height), fill);
            using var light = new SKPaint { Color = new SKColor(0xF6, 0xF5, 0xF4), IsAntialias = true };
            canvas.DrawText("Activities    Files    Expenses    Wed 2 Dec 09:41", 16, Height - 12, SKTextAlign.Left, font, light);
            surface.Flush();
        }
        finally
        {
            pin.Free();
        }
        return new SyntheticForm(pixels, texts, new Rect(80, 120, 800, 600));
    }

    /// <summary>Draws a text with its line box's top at <paramref name="top"/> and returns its accessibility view.</summary>
    private static AccessibleText Draw(SKCanvas canvas, SKFont font, SKPaint ink, string text, int x, int top)
    {
        var baseline = top - font.Metrics.Ascent;
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, ink);
        var height = (int)Math.Ceiling(font.Metrics.Descent - font.Metrics.Ascent);
        var boxes = new Rect[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var left = x + font.MeasureText(text.AsSpan(0, i));
            var right = x + font.MeasureText(text.AsSpan(0, i + 1));
            boxes[i] = new Rect((int)Math.Floor(left), top, Math.Max(1, (int)Math.Ceiling(right) - (int)Math.Floor(left)), height);
        }
        var width = (int)Math.Ceiling(font.MeasureText(text));
        return new AccessibleText(text, new Rect(x, top, width, height), boxes);
    }
}
