using System.Globalization;
using System.IO.Hashing;
using System.Text;
using SkiaSharp;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>A frame as stored: the blob to show, the screen rectangle it covers and the full frame it patches.</summary>
internal readonly record struct StoredFrame(string Blob, Rect Region, int Width, int Height, string? Base, long BytesWritten);

/// <summary>Skia could not encode a frame.</summary>
internal sealed class FrameEncodeException(string message) : Exception(message);

/// <summary>
/// Turns picked screens into stored blobs: a full keyframe, then patches. A patch is the bounding
/// rectangle of what differs from the previous stored frame, drawn over that frame (its base,
/// itself a keyframe or a patch); the chain restarts with a keyframe when a patch would cover more
/// than half the screen, after 30 patches, or when the screen size changes. Patching against the
/// previous frame rather than the keyframe keeps each patch to what one action changed: on a form
/// where the user works in fields far apart, patches against the keyframe soon spanned most of it.
/// Stores one frame at a time (under a lock), so a base is always stored before a patch names it.
/// </summary>
internal sealed class FrameEncoder : IDisposable
{
    public const int PatchesPerKeyframe = 30;
    private const int RecentResults = 8;

    private readonly FrameOptions _options;
    private readonly IBlobStore _store;
    private readonly string _formatName;
    private readonly Lock _gate = new();
    private readonly Queue<(ulong Hash, ScreenSize Size, StoredFrame Frame)> _recent = new();

    // The screen as the last stored frame shows it (keyframe plus patches), and that frame's blob.
    private byte[]? _referencePixels;
    private ScreenSize _referenceSize;
    private string? _referenceBlob;
    private StoredFrame _referenceFrame;
    private int _patchesSinceKey;

    private readonly ScreenBufferPool _buffers;

    public FrameEncoder(FrameOptions options, IBlobStore store, ScreenBufferPool buffers)
    {
        _buffers = buffers;
        _options = options;
        _store = store;
        _formatName = options.Format.ToWireName();
    }

    public string FormatName => _formatName;


    /// <summary>
    /// Stores <paramref name="job"/>'s screen. May take ownership of its pixel buffer (it becomes the
    /// reference for the next patch); the caller returns <see cref="FrameJob.Pixels"/> to the pool if
    /// it is still set. Throws <see cref="BlobWriteException"/> or <see cref="FrameEncodeException"/>;
    /// nothing is recorded as stored then.
    /// </summary>
    public StoredFrame Store(FrameJob job)
    {
        var buffer = job.Pixels ?? throw new InvalidOperationException("the job's pixels were already taken");
        var size = job.Size;
        var byteLength = size.Width * size.Height * 4;
        var pixels = buffer.AsSpan(0, byteLength);
        var whole = new Rect(0, 0, size.Width, size.Height);
        lock (_gate)
        {
            foreach (var (hash, recentSize, frame) in _recent)
            {
                if (hash == job.ContentHash && recentSize == size)
                {
                    return frame with { BytesWritten = 0 };
                }
            }
            var full = _referencePixels is null || _referenceBlob is null || _referenceSize != size || _patchesSinceKey >= PatchesPerKeyframe;
            var region = whole;
            if (!full)
            {
                var changed = FrameDiff.ChangedBounds(_referencePixels.AsSpan(0, byteLength), pixels, size);
                if (changed is null)
                {
                    return Remember(job, _referenceFrame with { BytesWritten = 0 });
                }
                var area = (long)changed.Value.Width * changed.Value.Height;
                full = area * 2 > (long)size.Width * size.Height;
                region = full ? whole : changed.Value;
            }
            var baseBlob = full ? null : _referenceBlob;
            var blob = BlobIdFor(pixels, size, region, baseBlob);
            var written = _store.Contains(blob) ? 0 : EncodeAndPut(blob, pixels, size, region);
            var stored = new StoredFrame(blob, region, Scaled(region.Width), Scaled(region.Height), baseBlob, written);

            // Only a stored frame may become the base of later patches.
            if (_referencePixels is not null)
            {
                _buffers.Return(_referencePixels);
            }
            _referencePixels = buffer;
            job.Pixels = null;
            _referenceSize = size;
            _referenceBlob = blob;
            _referenceFrame = stored;
            _patchesSinceKey = full ? 0 : _patchesSinceKey + 1;
            return Remember(job, stored);
        }
    }

    /// <summary>Encodes a region of a BGRA screen as the configured format; for the benchmark and tests.</summary>
    public byte[] Encode(ReadOnlySpan<byte> pixels, ScreenSize size, Rect region)
    {
        using var data = EncodeToData(pixels, size, region);
        return data.ToArray();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_referencePixels is not null)
            {
                _buffers.Return(_referencePixels);
                _referencePixels = null;
            }
            _referenceBlob = null;
        }
    }

    private StoredFrame Remember(FrameJob job, StoredFrame frame)
    {
        _recent.Enqueue((job.ContentHash, job.Size, frame));
        while (_recent.Count > RecentResults)
        {
            _recent.Dequeue();
        }
        return frame;
    }

    private int Scaled(int pixels) => Math.Max(1, (int)Math.Round(pixels * _options.Scale));

    private long EncodeAndPut(string id, ReadOnlySpan<byte> pixels, ScreenSize size, Rect region)
    {
        using var data = EncodeToData(pixels, size, region);
        var bytes = data.AsSpan();
        _store.Put(id, bytes);
        return bytes.Length;
    }

    /// <summary>
    /// The blob id: the store's keyed hash of a 128-bit digest of the region's pixels plus every
    /// encoding parameter and, for a patch, its base. The store hashes what it is given; handing it
    /// the digest instead of 8 MB of pixels keeps a frame's id to one fast pass over the pixels.
    /// The base is part of the identity so that a blob id always names one whole screen.
    /// </summary>
    private string BlobIdFor(ReadOnlySpan<byte> pixels, ScreenSize size, Rect region, string? baseBlob)
    {
        var digest = new XxHash128();
        var stride = size.Width * 4;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            digest.Append(pixels.Slice((y * stride) + (region.X * 4), region.Width * 4));
        }
        var parameters = string.Create(
            CultureInfo.InvariantCulture,
            $"frame;{_formatName};q{_options.Quality};s{_options.Scale:R};{region.X},{region.Y},{region.Width}x{region.Height};base={baseBlob}");
        Span<byte> content = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(parameters.Length)];
        digest.GetCurrentHash(content[..16]);
        var written = 16 + Encoding.UTF8.GetBytes(parameters, content[16..]);
        return _store.IdFor(content[..written]);
    }

    private unsafe SKData EncodeToData(ReadOnlySpan<byte> pixels, ScreenSize size, Rect region)
    {
        fixed (byte* start = pixels)
        {
            // Opaque: the fourth byte of an X pixel is padding, and the encoders must not read it as transparency.
            var info = new SKImageInfo(size.Width, size.Height, SKColorType.Bgra8888, SKAlphaType.Opaque);
            using var screen = new SKPixmap(info, (nint)start, size.Width * 4);
            using var area = new SKPixmap();
            if (!screen.ExtractSubset(area, new SKRectI(region.X, region.Y, region.X + region.Width, region.Y + region.Height)))
            {
                throw new FrameEncodeException("the frame region lies outside the screen");
            }
            if (_options.Scale >= 1.0)
            {
                return EncodePixmap(area);
            }
            var scaledInfo = new SKImageInfo(Scaled(region.Width), Scaled(region.Height), SKColorType.Bgra8888, SKAlphaType.Opaque);
            using var scaled = new SKBitmap(scaledInfo);
            using var target = scaled.PeekPixels();
            if (!area.ScalePixels(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
            {
                throw new FrameEncodeException("the frame could not be scaled");
            }
            return EncodePixmap(target);
        }
    }

    private SKData EncodePixmap(SKPixmap pixmap)
    {
        var data = _options.Format switch
        {
            FrameFormat.Jpeg => pixmap.Encode(new SKJpegEncoderOptions(_options.Quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
            FrameFormat.Png => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)),
            FrameFormat.Webp => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, _options.Quality)),
            _ => null,
        };
        return data ?? throw new FrameEncodeException($"the {_formatName} encoder failed");
    }
}

/// <summary>A screen picked for an action, waiting to be encoded, and the frame events it answers.</summary>
internal sealed class FrameJob
{
    public required byte[]? Pixels { get; set; }

    public required ScreenSize Size { get; init; }

    /// <summary>Identifies the pixels; recomputed when the privacy masks change them.</summary>
    public required ulong ContentHash { get; set; }

    public required long GrabbedMonoNs { get; init; }

    public List<(long Seq, string Role)> Consumers { get; } = new(2);

    /// <summary>Set when an encoder took the job: no more consumers may join it then.</summary>
    public bool Taken { get; set; }
}
