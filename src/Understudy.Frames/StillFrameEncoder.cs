using System.IO.Hashing;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>
/// A frame as stored by <see cref="StillFrameEncoder"/>: the blob, the screen rectangle it shows,
/// the image size after scaling, and the frame it patches (null for a keyframe).
/// </summary>
public readonly record struct EncodedFrame(string Blob, Rect Region, int Width, int Height, string? Base, string Format, double Scale);

/// <summary>
/// Stores screens that come from somewhere other than a live grab (an imported video) exactly as
/// the recorder stores its frames: keyframes and patches, content-addressed encrypted blobs, the
/// same format, quality and scale. The caller masks the pixels before handing them over: this
/// class only encodes. One caller at a time.
/// </summary>
public sealed class StillFrameEncoder : IDisposable
{
    private readonly ScreenBufferPool _buffers = new(2);
    private readonly FrameEncoder _encoder;
    private readonly FrameOptions _options;

    public StillFrameEncoder(FrameOptions options, IBlobStore store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        if (options.Scale is <= 0 or > 1 || options.Quality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "frame options out of range: scale (0, 1], quality 1–100");
        }
        _options = options;
        _encoder = new FrameEncoder(options, store, _buffers);
    }

    /// <summary>
    /// Stores one B,G,R,A screen of <paramref name="size"/> (already masked). Throws
    /// <see cref="BlobWriteException"/> when the blob cannot be written and
    /// <see cref="InvalidOperationException"/> when the image cannot be encoded.
    /// </summary>
    public EncodedFrame Store(ReadOnlySpan<byte> pixels, ScreenSize size)
    {
        var length = checked(size.Width * size.Height * 4);
        if (size.Width <= 0 || size.Height <= 0 || pixels.Length < length)
        {
            throw new ArgumentException("the pixels do not fill a screen of the given size", nameof(pixels));
        }
        var buffer = _buffers.Rent(length);
        pixels[..length].CopyTo(buffer);
        var job = new FrameJob { Pixels = buffer, Size = size, ContentHash = XxHash3.HashToUInt64(buffer.AsSpan(0, length)), GrabbedMonoNs = 0 };
        try
        {
            var stored = _encoder.Store(job);
            return new EncodedFrame(stored.Blob, stored.Region, stored.Width, stored.Height, stored.Base, _encoder.FormatName, _options.Scale);
        }
        catch (FrameEncodeException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        finally
        {
            if (job.Pixels is { } left)
            {
                _buffers.Return(left);
            }
        }
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _buffers.Clear();
    }
}
