using Understudy.Core.Model;

namespace Understudy.Core.Capture;

/// <summary>
/// A source that reacts to what was recorded: the element under a click, the frames around an
/// action. The recorder calls <see cref="OnRecorded"/> on its pipeline thread for every event it
/// has numbered (only events inside the scope reach it), so implementations must only enqueue:
/// never block, never call the platform. Results come back later through the sink, tied to the
/// action by its <see cref="SessionEvent.Seq"/>.
/// </summary>
public interface IActionObserver
{
    void OnRecorded(SessionEvent recorded);
}

/// <summary>
/// Where content-addressed binary blobs (encoded frames) of the session being recorded go.
/// Implementations encrypt, write atomically (a blob is either complete or absent, never
/// broken) and are thread-safe.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// The id for a blob identified by <paramref name="content"/>: a keyed hash, so that an id
    /// reveals nothing to anyone without the session's key, while equal content gets equal ids.
    /// The caller chooses what identifies a blob; the frame source hashes the raw pixels and the
    /// encoding parameters, so that it can skip encoding a frame that is already stored.
    /// </summary>
    string IdFor(ReadOnlySpan<byte> content);

    bool Contains(string id);

    /// <summary>Stores <paramref name="content"/> under <paramref name="id"/> unless it is already there. Throws <see cref="BlobWriteException"/>.</summary>
    void Put(string id, ReadOnlySpan<byte> content);
}

/// <summary>A blob could not be stored (disk full, I/O error); nothing partial was left behind.</summary>
public sealed class BlobWriteException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Image formats frames can be encoded in. The wire names are the lower-case names.</summary>
public enum FrameFormat
{
    Jpeg,
    Png,
    Webp,
}

public static class FrameFormatNames
{
    /// <summary>The name in frame events and manifests: jpeg, png or webp.</summary>
    public static string ToWireName(this FrameFormat format) => format switch
    {
        FrameFormat.Jpeg => "jpeg",
        FrameFormat.Png => "png",
        FrameFormat.Webp => "webp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown frame format"),
    };
}

public sealed record FrameOptions
{
    public FrameFormat Format { get; init; } = FrameFormat.Jpeg;

    /// <summary>Encoder quality 1–100 (JPEG, WebP); PNG is lossless and ignores it.</summary>
    public int Quality { get; init; } = 80;

    /// <summary>Down-scaling factor in (0, 1]: 0.5 stores frames at half width and height.</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>How often the screen is grabbed into the in-memory ring (the before-frame is at most this old).</summary>
    public TimeSpan GrabInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How often the screen is grabbed while nobody uses the input devices (nothing for
    /// <see cref="IdleAfter"/>): a recorder left running must not spend a steady few percent of a
    /// core on grabbing an unchanging screen. The first input wakes the fast rate at once.
    /// </summary>
    public TimeSpan IdleGrabInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Without input for this long, grabbing slows down to <see cref="IdleGrabInterval"/>.</summary>
    public TimeSpan IdleAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The screen counts as settled after an action once it has not changed for this long.</summary>
    public TimeSpan SettleQuiet { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The after-frame is taken at this point even if the screen never settles (video, animations).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Fewest distinct recent screens kept in memory for choosing the one before an action. While
    /// the screen keeps changing (typing), each grab takes a slot, so the ring must reach back past
    /// the recorder's ordering delay even on a busy machine.
    /// </summary>
    public int RingFrames { get; init; } = 3;

    /// <summary>More slots, up to 8, as long as the ring stays within this many bytes (32 MiB: 4 screens at 1920×1080, 8 at 1280×800).</summary>
    public long RingBudgetBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Solid fill of masked regions, as stored bytes B,G,R,A (a dark grey by default). Never blur.</summary>
    public uint MaskFill { get; init; } = 0xFF202020;

    /// <summary>Threads that encode frames; the grab thread never encodes.</summary>
    public int EncodeWorkers { get; init; } = 1;
}

public sealed record AccessibilityOptions
{
    /// <summary>Longest any single accessibility call may take before the application is deemed hung.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Lookups waiting longer than this (behind a hung application) are dropped and counted.</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Which fields are sensitive, for binding typing to fields (the policy's labels).</summary>
    public Guards.SensitiveFieldRules? SensitiveFields { get; init; }

    /// <summary>How typing is bound to the fields applications report it went into.</summary>
    public Guards.Fields.AttributionOptions? Attribution { get; init; }
}

/// <summary>What a session's later stages may rely on; written to its manifest.</summary>
public sealed record SessionCapabilities(bool Accessibility, bool Frames, string? FrameFormat, double? FrameScale, double ScaleFactor);

/// <summary>
/// Grabs the whole screen into caller-owned memory, without allocating per grab. Used from one
/// thread only (the frame source's grab thread).
/// </summary>
public interface IScreenGrabber : IDisposable
{
    /// <summary>The screen's size as of the last grab (or creation).</summary>
    ScreenSize Size { get; }

    /// <summary>
    /// Copies the screen into <paramref name="bgra"/> as 32-bit B,G,R,A pixels, rows top to bottom,
    /// stride = width × 4. Returns false, without copying, when the screen's size is no longer
    /// <see cref="Size"/> (xrandr): <see cref="Size"/> then holds the new size, and the caller
    /// provides a buffer of that size next time. Throws <see cref="CaptureUnavailableException"/>
    /// when the display is gone.
    /// </summary>
    bool TryGrab(Span<byte> bgra);
}

/// <summary>A source that may find, once started, that what it observes is not there (e.g. no accessibility bus).</summary>
public interface IOptionalCaptureSource : ICaptureSource
{
    /// <summary>True once <see cref="ICaptureSource.Start"/> found what it needs; a recording goes on without it otherwise.</summary>
    bool Available { get; }
}

/// <summary>
/// A top-level window on screen, for masking frames: <see cref="Frame"/> is everything it covers
/// (decorations included), <see cref="Client"/> the application's own area inside it.
/// </summary>
public readonly record struct VisibleWindow(long ClientId, string? WmClass, string? WmInstance, string? Title, int? Pid, Rect Frame, Rect Client);

/// <summary>
/// Reads which top-level windows are on screen, bottom to top. Used from one thread only (the frame
/// source's grab thread), right after each grab, so it must be cheap: a few round trips.
/// </summary>
public interface IWindowLayoutProbe : IDisposable
{
    /// <summary>Fills <paramref name="windows"/> bottom to top. False when the layout could not be read (the caller then shows nothing).</summary>
    bool TrySnapshot(List<VisibleWindow> windows);
}
