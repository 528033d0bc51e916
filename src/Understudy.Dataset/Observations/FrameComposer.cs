using SkiaSharp;
using Understudy.Core.Model;

namespace Understudy.Dataset.Observations;

/// <summary>An image file's content: the whole screen, encoded.</summary>
public sealed record EncodedImage(byte[] Bytes, string Format, int Width, int Height)
{
    public string Extension => Format switch
    {
        "jpeg" or "jpg" => "jpg",
        "png" => "png",
        "webp" => "webp",
        _ => "bin",
    };
}

/// <summary>
/// Turns a session's stored frames into whole-screen images. A keyframe's blob is already one and
/// is passed on untouched; a patch is drawn over its base's screen, which is composed the same way
/// (chains reach a keyframe within 31 steps). The last few composed screens are kept decoded, so
/// walking a session in order decodes each blob about once.
/// </summary>
public sealed class FrameComposer : IDisposable
{
    private const int CachedScreens = 4;
    private const int EncodeQuality = 90;
    private const int MaxChain = 64;

    private readonly Func<string, byte[]?> _readBlob;
    private readonly Dictionary<string, FramePayload> _frames = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Blob, SKBitmap Screen)> _cache = new();

    /// <param name="readBlob">The decrypted content of a blob, or null when it is missing or does not authenticate.</param>
    public FrameComposer(Func<string, byte[]?> readBlob)
    {
        ArgumentNullException.ThrowIfNull(readBlob);
        _readBlob = readBlob;
    }

    /// <summary>Frames that could not be composed (a missing or damaged blob in the chain, an undecodable image).</summary>
    public int Failures { get; private set; }

    /// <summary>Every frame event of the session goes through here, in order, so patch chains can be followed.</summary>
    public void Register(FramePayload frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _frames.TryAdd(frame.Blob, frame);
    }

    /// <summary>The whole screen that blob <paramref name="blob"/> names, or null (counted in <see cref="Failures"/>).</summary>
    public EncodedImage? Compose(string blob)
    {
        if (!_frames.TryGetValue(blob, out var frame))
        {
            Failures++;
            return null;
        }
        if (frame.Base is null)
        {
            var stored = _readBlob(blob);
            if (stored is null)
            {
                Failures++;
                return null;
            }
            return new EncodedImage(stored, frame.Format, frame.Width, frame.Height);
        }
        var screen = Screen(blob, depth: 0);
        if (screen is null)
        {
            Failures++;
            return null;
        }
        using var image = SKImage.FromBitmap(screen);
        var format = frame.Format switch
        {
            "png" => SKEncodedImageFormat.Png,
            "webp" => SKEncodedImageFormat.Webp,
            _ => SKEncodedImageFormat.Jpeg,
        };
        using var data = image.Encode(format, EncodeQuality);
        if (data is null)
        {
            Failures++;
            return null;
        }
        return new EncodedImage(data.ToArray(), frame.Format, screen.Width, screen.Height);
    }

    private SKBitmap? Screen(string blob, int depth)
    {
        if (TakeCached(blob) is { } cached)
        {
            return cached;
        }
        if (depth > MaxChain || !_frames.TryGetValue(blob, out var frame))
        {
            return null;
        }
        var content = _readBlob(blob);
        if (content is null)
        {
            return null;
        }
        var decoded = SKBitmap.Decode(content);
        if (decoded is null)
        {
            return null;
        }
        if (frame.Base is null)
        {
            return Cache(blob, decoded);
        }
        using (decoded)
        {
            var under = Screen(frame.Base, depth + 1);
            if (under is null)
            {
                return null;
            }
            var screen = CopyOf(under);
            using (var canvas = new SKCanvas(screen))
            {
                var x = (float)Math.Round(frame.Region.X * frame.Scale);
                var y = (float)Math.Round(frame.Region.Y * frame.Scale);
                using var patch = SKImage.FromBitmap(decoded);
                canvas.DrawImage(patch, x, y, SKSamplingOptions.Default, null);
            }
            return Cache(blob, screen);
        }
    }

    // Not SKBitmap.Copy(): it draws through a shader it never disposes, and that shader holds a
    // copy of the screen, so each composed patch left a whole screen of native memory to the
    // finalizer and a build's memory grew with the session.
    private static SKBitmap CopyOf(SKBitmap source)
    {
        var copy = new SKBitmap(source.Info);
        if (copy.RowBytes == source.RowBytes && copy.ByteCount == source.ByteCount)
        {
            source.GetPixelSpan().CopyTo(copy.GetPixelSpan());
            copy.NotifyPixelsChanged();
            return copy;
        }
        using var canvas = new SKCanvas(copy);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, SKSamplingOptions.Default, paint);
        return copy;
    }

    private SKBitmap? TakeCached(string blob)
    {
        for (var node = _cache.First; node is not null; node = node.Next)
        {
            if (node.Value.Blob == blob)
            {
                _cache.Remove(node);
                _cache.AddFirst(node);
                return node.Value.Screen;
            }
        }
        return null;
    }

    private SKBitmap Cache(string blob, SKBitmap screen)
    {
        _cache.AddFirst((blob, screen));
        while (_cache.Count > CachedScreens)
        {
            _cache.Last!.Value.Screen.Dispose();
            _cache.RemoveLast();
        }
        return screen;
    }

    public void Dispose()
    {
        foreach (var (_, screen) in _cache)
        {
            screen.Dispose();
        }
        _cache.Clear();
    }
}
