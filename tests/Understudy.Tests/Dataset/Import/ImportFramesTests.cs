using System.Diagnostics;
using Understudy.Core.Model;
using Understudy.Dataset.Import;
using Understudy.Frames.Redaction;
using Understudy.Redaction;
using static Understudy.Tests.Dataset.Import.ImportFixture;

namespace Understudy.Tests.Dataset.Import;

/// <summary>A fact that needs ffmpeg and tesseract (scripts/install-desktop-packages.sh installs both); skipped, with the reason, only where one is missing.</summary>
internal sealed class FramesFactAttribute : FactAttribute
{
    public FramesFactAttribute()
    {
        if (!ImportFramesTests.FramesPossible(out var why))
        {
            Skip = $"frames need ffmpeg and OCR: {why}";
        }
    }
}

/// <summary>Frames from a real video made with ffmpeg's test source.</summary>
public sealed class ImportFramesTests
{
    internal static bool FramesPossible(out string why)
    {
        why = FfmpegVideo.Unavailable() ?? "";
        if (why.Length > 0)
        {
            return false;
        }
        try
        {
            OcrFrameScrubber.EnsureAvailable();
            return true;
        }
        catch (Ocr.OcrUnavailableException ex)
        {
            why = ex.Message;
            return false;
        }
    }

    private static void MakeVideo(string path)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "6", "-pix_fmt", "yuv420p", path])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [FramesFact]
    public void Frames_are_taken_from_the_video_before_and_after_actions_and_stored_like_recorded_ones()
    {
        using var fixture = new ImportFixture();
        MakeVideo(Path.Combine(fixture.Recording, "recording.mp4"));
        // A 640×480 screen recorded into a 320×240 video: frames are stored at scale 0.5, regions in screen pixels.
        fixture.Write("metadata.json", Metadata(width: 640, height: 480, obsStarted: "50.0"));
        fixture.Write("events.jsonl", [Move(50.5, 1, 1), Click(51.0, 100, 100, pressed: true), Click(51.1, 100, 100, pressed: false), .. Type(53.0, "hello"), Scroll(55.0, 0, -1)]);

        using var scrubber = new OcrFrameScrubber(new TextRedactionEngine(), new FrameRedactionOptions { Timeout = TimeSpan.FromSeconds(20) }, () => null);
        var settings = Settings() with { Frames = new ImportFrameSettings { OpenVideo = FfmpegVideo.Open, Scrubber = scrubber } };
        var result = fixture.Import(ImportFormat.DuckTrack, settings: settings);
        Assert.Null(result.FramesNote);
        Assert.Equal(0, result.FramesLost);

        var events = fixture.Events(result.SessionId);
        var frames = events.Where(e => e.Payload is FramePayload).ToList();
        // Click, first key of the burst, scroll: each a before and an after frame.
        Assert.Equal(6, frames.Count);
        Assert.Equal(6, result.FramesStored);
        foreach (var frame in frames)
        {
            var payload = (FramePayload)frame.Payload;
            var action = events[(int)payload.ForSeq!.Value];
            Assert.True(action.Payload is ButtonPayload { IsDown: true } or KeyPayload { IsDown: true } or ScrollPayload, $"frame {frame.Seq} is for {action.Kind}");
            Assert.True(frame.Seq > action.Seq);
            Assert.Equal(0.5, payload.Scale);
            Assert.Equal("jpeg", payload.Format);
            if (payload.Role == FrameRoles.Before)
            {
                Assert.True(payload.GrabbedMonoNs < action.MonoNs);
            }
            var image = fixture.Store.Store.ReadBlob(result.SessionId, payload.Blob);
            Assert.Equal([0xFF, 0xD8], image[..2]);
        }
        var first = (FramePayload)frames[0].Payload;
        Assert.Equal((new Rect(0, 0, 640, 480), 320, 240, (string?)null), (first.Region, first.Width, first.Height, first.Base));
        Assert.Equal(2, frames.Count(f => ((FramePayload)f.Payload).Role == FrameRoles.Before && events[(int)((FramePayload)f.Payload).ForSeq!.Value].Payload is not ScrollPayload));
        Assert.True(fixture.Store.Store.Verify(result.SessionId).Ok);
        var capabilities = fixture.Store.Store.Get(result.SessionId).Capabilities!;
        Assert.Equal((true, "jpeg", (double?)0.5), (capabilities.Frames, capabilities.FrameFormat, capabilities.FrameScale));
    }

    [FramesFact]
    public void Without_a_video_start_no_frames_are_taken_and_the_import_says_why()
    {
        using var fixture = new ImportFixture();
        MakeVideo(Path.Combine(fixture.Recording, "recording.mp4"));
        fixture.Write("metadata.json", Metadata());
        fixture.Write("events.jsonl", Click(51.0, 100, 100, pressed: true), Click(51.1, 100, 100, pressed: false));
        using var scrubber = new OcrFrameScrubber(new TextRedactionEngine(), new FrameRedactionOptions(), () => null);
        var result = fixture.Import(ImportFormat.DuckTrack, settings: Settings() with { Frames = new ImportFrameSettings { OpenVideo = FfmpegVideo.Open, Scrubber = scrubber } });
        Assert.Contains("does not say when the video started", result.FramesNote, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Events(result.SessionId), e => e.Payload is FramePayload);
        Assert.False(fixture.Store.Store.Get(result.SessionId).Capabilities!.Frames);
    }

    [Fact]
    public void Without_frame_settings_the_reason_is_reported_once_and_events_still_import()
    {
        using var fixture = new ImportFixture();
        File.WriteAllBytes(Path.Combine(fixture.Recording, "recording.mp4"), [0, 1, 2]);
        fixture.Write("metadata.json", Metadata(obsStarted: "50.0"));
        fixture.Write("events.jsonl", Click(51.0, 100, 100, pressed: true), Click(51.1, 100, 100, pressed: false));
        var result = fixture.Import(ImportFormat.DuckTrack, settings: Settings() with { FramesUnavailable = "ffmpeg (with ffprobe) is not on PATH" });
        Assert.True(result.HasVideo);
        Assert.Equal("ffmpeg (with ffprobe) is not on PATH", result.FramesNote);
        Assert.Equal(2, fixture.Events(result.SessionId).Count(e => e.Payload is ButtonPayload));
    }
}
