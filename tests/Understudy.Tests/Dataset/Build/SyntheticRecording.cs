using System.Text;
using SkiaSharp;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Dataset.Build;

/// <summary>
/// Writes a session into a real store the way the recorder would: a task marker, focus, element
/// lookups, typing with a redacted email, a click with its before and after frames (a keyframe
/// and a patch over it), a scroll, a drag and a hotkey. Frames are real PNGs, so composition can
/// be checked pixel by pixel: the keyframe is grey, the patch paints a red square.
/// </summary>
internal sealed class SyntheticRecording
{
    public const int ScreenWidth = 400;
    public const int ScreenHeight = 300;
    public static readonly Rect PatchRegion = new(100, 50, 40, 30);
    public static readonly SKColor KeyframeColour = new(128, 128, 128);
    public static readonly SKColor PatchColour = new(220, 20, 20);

    private readonly List<SessionEvent> _events = [];
    private readonly DateTimeOffset _wall0;
    private long _ms;

    public SyntheticRecording(DateTimeOffset? start = null) => _wall0 = start ?? new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    public string Task { get; init; } = "File the <b>lunch</b> expense";

    public string App { get; init; } = "ExpenseApp";

    /// <summary>Hands the events to the log in frames of this many (one frame for all when null).</summary>
    public int? FlushEvery { get; init; }

    public long Seq => _events.Count;

    private SessionEvent Add(EventPayload payload, int afterMs = 10)
    {
        _ms += afterMs;
        var recorded = new SessionEvent(_events.Count, _ms * 1_000_000, _wall0.AddMilliseconds(_ms), payload);
        _events.Add(recorded);
        return recorded;
    }

    /// <summary>The whole scripted episode; returns the session id. Without <paramref name="close"/> the recorder dies before the task ends.</summary>
    public string WriteTo(SessionStore store, bool close = true)
    {
        var writer = store.Create(new SessionStartInfo("x11", new ScreenSize(ScreenWidth, ScreenHeight), [App]));
        var keyframe = Png(ScreenWidth, ScreenHeight, KeyframeColour);
        var keyId = writer.Blobs.IdFor(keyframe);
        writer.Blobs.Put(keyId, keyframe);
        var patch = Png(PatchRegion.Width, PatchRegion.Height, PatchColour);
        var patchId = writer.Blobs.IdFor([.. patch, .. Encoding.ASCII.GetBytes(keyId)]);
        writer.Blobs.Put(patchId, patch);

        Add(new MarkerPayload(MarkerTypes.SessionBegin, null), 0);
        Add(new MarkerPayload(MarkerTypes.TaskBegin, Task));
        Add(new FocusPayload(App, "expense", "Expenses", 4242, new Rect(0, 0, ScreenWidth, ScreenHeight), 77));

        // Typing "hi " then the redacted email, into the Description field.
        var firstKey = Key("h", "h");
        Key("i", "i");
        Add(new KeyPayload(true, "redacted", " <EMAIL_ADDRESS>", Modifiers.None, 0), 30);
        Add(new KeyPayload(false, "redacted", null, Modifiers.None, 0), 10);
        Add(new ElementPayload(firstKey, ElementTriggers.Focus, "text", null, "Description", ["editable", "focused"], new Rect(10, 10, 200, 20), App, 4242,
            [new ElementAncestor("panel", null), new ElementAncestor("frame", "Expenses")]));
        Add(new RedactionPayload(RedactionTargets.Typed, "EMAIL_ADDRESS", 1, firstKey + 4, firstKey + 5));

        // A click on Save with a recorded before frame (the keyframe) and after frame (the patch).
        for (var i = 0; i < 8; i++)
        {
            Add(new PointerMovePayload(200 + (i * 5), 100 + (i * 2)), 8);
        }
        Add(new FramePayload(keyId, _ms * 1_000_000, new Rect(0, 0, ScreenWidth, ScreenHeight), 1.0, ScreenWidth, ScreenHeight, "png", Seq + 1, FrameRoles.Before, null), 1);
        var press = Add(new ButtonPayload(true, MouseButton.Left, 240, 116, Modifiers.None), 1).Seq;
        Add(new ButtonPayload(false, MouseButton.Left, 240, 116, Modifiers.None), 60);
        Add(new ElementPayload(press, ElementTriggers.Pointer, "push button", "Save", null, ["enabled"], new Rect(220, 100, 60, 30), App, 4242,
            [new ElementAncestor("panel", null), new ElementAncestor("frame", "Expenses")]));
        Add(new FramePayload(patchId, _ms * 1_000_000, PatchRegion, 1.0, PatchRegion.Width, PatchRegion.Height, "png", press, FrameRoles.After, keyId), 300);

        // Scroll down three notches over the list, then drag, then ctrl+s.
        for (var i = 0; i < 3; i++)
        {
            Add(new ScrollPayload(0, 1, 300, 200, Modifiers.None), 80);
        }
        Add(new ButtonPayload(true, MouseButton.Left, 50, 250, Modifiers.None), 1500);
        Add(new PointerMovePayload(90, 250), 50);
        Add(new PointerMovePayload(150, 260), 50);
        Add(new ButtonPayload(false, MouseButton.Left, 150, 260, Modifiers.None), 50);
        Add(new KeyPayload(true, "control_l", null, Modifiers.None, 37), 1500);
        Add(new KeyPayload(true, "s", null, Modifiers.Ctrl, 39), 40);
        Add(new KeyPayload(false, "s", null, Modifiers.Ctrl, 39), 40);
        Add(new KeyPayload(false, "control_l", null, Modifiers.Ctrl, 37), 40);
        if (close)
        {
            Add(new MarkerPayload(MarkerTypes.TaskEnd, null), 3000);
            Add(new MarkerPayload(MarkerTypes.SessionEnd, null), 3000);
        }

        for (var i = 0; i < _events.Count; i++)
        {
            writer.Append(_events[i]);
            if (FlushEvery is { } every && (i + 1) % every == 0)
            {
                writer.Flush();
            }
        }
        writer.UpdateCapabilities(new SessionCapabilities(Accessibility: true, Frames: true, "png", 1.0, 1.0));
        if (close)
        {
            writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        }
        else
        {
            writer.Flush();
            writer.SimulateCrash();
        }
        return writer.Id;
    }

    private long Key(string key, string text)
    {
        var down = Add(new KeyPayload(true, key, text, Modifiers.None, 40), 30).Seq;
        Add(new KeyPayload(false, key, null, Modifiers.None, 40), 20);
        return down;
    }

    internal static byte[] Png(int width, int height, SKColor colour)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
