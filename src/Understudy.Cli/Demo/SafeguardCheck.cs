using System.Buffers.Binary;
using System.Security.Cryptography;
using SkiaSharp;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Cli.Demo;

/// <summary>Where the demo's windows were on the screen: the one it must never show, and the allowed ones.</summary>
internal sealed record DemoLayout(Rect NotAllowed, IReadOnlyList<Rect> Allowed);

/// <summary>
/// What the demo proves about one recording, computed from the decrypted session only: whether
/// secrets it typed occur anywhere in the stored events, and whether every stored frame fills
/// the non-allowed window.
/// </summary>
internal sealed record SafeguardReport(bool PasswordFound, bool EmailFound, bool PlaceholderShown, int FramesChecked, int FramesFilled, string? FrameProblem)
{
    public bool AllFramesFilled => FramesChecked > 0 && FramesFilled == FramesChecked && FrameProblem is null;

    /// <summary>The first check that failed, as one line that never quotes the secrets; null when all passed.</summary>
    public string? Failure(RecordingSummary summary, string placeholder) =>
        PasswordFound ? "the password typed in the sign-in form occurs in the stored events"
        : summary.SensitiveFields < 1 ? "no sensitive-field redaction was recorded for the password field"
        : EmailFound ? "the email address typed occurs unredacted in the stored events"
        : !PlaceholderShown ? $"the typed text does not show the placeholder {placeholder}"
        : FrameProblem is { } problem ? $"frames: {problem}"
        : FramesChecked == 0 ? "frames: the session has no frames to check"
        : FramesFilled != FramesChecked ? $"frames: the non-allowed window shows in {FramesChecked - FramesFilled} of {FramesChecked} frames"
        : null;
}

internal static class SafeguardCheck
{
    // Screens composed from keyframe and patches, most recent last; a patch's base is nearly always the frame just before it.
    private const int ComposedScreensKept = 6;

    /// <summary>
    /// Searches the JSON form of every event for <paramref name="password"/> (and each of its
    /// words) and <paramref name="email"/>, and checks every frame: inside the non-allowed
    /// window's rectangle, every pixel outside the allowed windows' rectangles must be
    /// <paramref name="fill"/> (stored bytes B,G,R,A).
    /// </summary>
    public static SafeguardReport Run(SessionStore store, string sessionId, IReadOnlyList<SessionEvent> events, RecordingSummary summary,
        string password, string email, string placeholder, DemoLayout layout, uint fill)
    {
        string[] passwordParts = [password, .. password.Split(' ').Where(w => w.Length >= 5)];
        var passwordFound = false;
        var emailFound = false;
        foreach (var e in events)
        {
            var json = EventJson.ToJson(e);
            passwordFound |= passwordParts.Any(part => json.Contains(part, StringComparison.Ordinal));
            emailFound |= json.Contains(email, StringComparison.Ordinal);
        }
        var placeholderShown = summary.TypedText.Any(t => t.Contains(placeholder, StringComparison.Ordinal));
        var (checkedFrames, filled, problem) = CheckFrames(store, sessionId, events, layout, fill);
        return new SafeguardReport(passwordFound, emailFound, placeholderShown, checkedFrames, filled, problem);
    }

    private static (int Checked, int Filled, string? Problem) CheckFrames(SessionStore store, string sessionId, IReadOnlyList<SessionEvent> events, DemoLayout layout, uint fill)
    {
        var frames = events.Select(e => e.Payload).OfType<FramePayload>().ToList();
        var byBlob = new Dictionary<string, FramePayload>(StringComparer.Ordinal);
        foreach (var frame in frames)
        {
            byBlob.TryAdd(frame.Blob, frame);
        }
        var area = new List<Rect> { layout.NotAllowed };
        var scratch = new List<Rect>();
        foreach (var allowed in layout.Allowed)
        {
            Frames.Masking.ScopeFrameMasker.SubtractAll(area, allowed, scratch);
        }
        var composer = new Composer(store, sessionId, byBlob);
        var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        int checkedFrames = 0, filled = 0;
        foreach (var frame in frames)
        {
            if (frame.Scale != 1.0)
            {
                return (checkedFrames, filled, $"frame of blob {frame.Blob} is scaled by {frame.Scale}; the check compares screen pixels at scale 1");
            }
            if (!verdicts.TryGetValue(frame.Blob, out var ok))
            {
                Screen screen;
                try
                {
                    screen = composer.Compose(frame.Blob);
                }
                catch (Exception ex) when (ex is StorageException or InvalidDataException)
                {
                    return (checkedFrames, filled, ex.Message);
                }
                ok = area.All(rect => IsFilled(screen, rect, fill));
                verdicts[frame.Blob] = ok;
            }
            checkedFrames++;
            filled += ok ? 1 : 0;
        }
        return (checkedFrames, filled, null);
    }

    private static bool IsFilled(Screen screen, Rect rect, uint fill)
    {
        var x0 = Math.Max(0, rect.X);
        var y0 = Math.Max(0, rect.Y);
        var x1 = Math.Min(screen.Width, rect.X + rect.Width);
        var y1 = Math.Min(screen.Height, rect.Y + rect.Height);
        for (var y = y0; y < y1; y++)
        {
            var row = screen.Pixels.AsSpan(((y * screen.Width) + x0) * 4, Math.Max(0, x1 - x0) * 4);
            for (var i = 0; i < row.Length; i += 4)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(row[i..]) != fill)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>A whole screen as B,G,R,A bytes.</summary>
    private sealed record Screen(int Width, int Height, byte[] Pixels);

    /// <summary>Rebuilds whole screens from stored blobs: a keyframe as it is, a patch drawn over the screen of its base.</summary>
    private sealed class Composer(SessionStore store, string sessionId, IReadOnlyDictionary<string, FramePayload> frames)
    {
        private readonly List<(string Blob, Screen Screen)> _recent = [];

        public Screen Compose(string blob, int depth = 0)
        {
            var known = _recent.FindIndex(r => r.Blob == blob);
            if (known >= 0)
            {
                return _recent[known].Screen;
            }
            if (depth > 64)
            {
                throw new InvalidDataException($"frame blob {blob}: its chain of patches does not end at a keyframe");
            }
            var image = Decode(blob);
            Screen screen;
            if (frames.TryGetValue(blob, out var frame) && frame.Base is { } baseBlob)
            {
                var under = Compose(baseBlob, depth + 1);
                var pixels = (byte[])under.Pixels.Clone();
                var region = frame.Region;
                if (region.X < 0 || region.Y < 0 || region.X + image.Width > under.Width || region.Y + image.Height > under.Height)
                {
                    throw new InvalidDataException($"frame blob {blob}: its patch lies outside the screen of its base");
                }
                for (var y = 0; y < image.Height; y++)
                {
                    image.Pixels.AsSpan(y * image.Width * 4, image.Width * 4)
                        .CopyTo(pixels.AsSpan((((region.Y + y) * under.Width) + region.X) * 4));
                }
                screen = new Screen(under.Width, under.Height, pixels);
            }
            else
            {
                // A keyframe (or a blob only ever named as a base, which the encoder only makes of whole screens).
                screen = image;
            }
            _recent.Add((blob, screen));
            if (_recent.Count > ComposedScreensKept)
            {
                _recent.RemoveAt(0);
            }
            return screen;
        }

        private Screen Decode(string blob)
        {
            var bytes = store.ReadBlob(sessionId, blob);
            try
            {
                using var decoded = SKBitmap.Decode(bytes) ?? throw new InvalidDataException($"frame blob {blob} is not an image Skia can decode");
                using var converted = decoded.ColorType == SKColorType.Bgra8888 ? null : decoded.Copy(SKColorType.Bgra8888);
                var bgra = converted ?? decoded;
                if (bgra.ColorType != SKColorType.Bgra8888 || bgra.RowBytes != bgra.Width * 4)
                {
                    throw new InvalidDataException($"frame blob {blob} could not be read as B,G,R,A pixels");
                }
                var pixels = bgra.GetPixelSpan().ToArray();
                return new Screen(bgra.Width, bgra.Height, pixels);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }
}
