using Understudy.Cli.Commands;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Model;
using Understudy.Storage;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Cli;

public sealed class FrameExportTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static byte[] Image(int seed)
    {
        var bytes = new byte[3000];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Two frames (jpeg, and a png patch over the first) and one webp frame; returns the events and blob ids.</summary>
    private (string SessionId, List<SessionEvent> Events, string Jpeg, string Png, string Webp) Session()
    {
        var writer = _store.Store.Create(TestStore.Start);
        string Put(byte[] image)
        {
            var id = writer.Blobs.IdFor(image);
            writer.Blobs.Put(id, image);
            return id;
        }
        var jpeg = Put(Image(1));
        var png = Put(Image(2));
        var webp = Put(Image(3));
        var events = SampleEvents.Timed(
        [
            new ButtonPayload(true, MouseButton.Left, 5, 5, Modifiers.None),
            new FramePayload(jpeg, 1, new Rect(0, 0, 64, 48), 1.0, 64, 48, "jpeg", 0, FrameRoles.Before, null),
            new FramePayload(png, 2, new Rect(0, 0, 8, 8), 1.0, 8, 8, "png", 0, FrameRoles.After, jpeg),
            new FramePayload(webp, 3, new Rect(0, 0, 64, 48), 1.0, 64, 48, "webp", null, FrameRoles.After, null),
            new FramePayload(jpeg, 4, new Rect(0, 0, 64, 48), 1.0, 64, 48, "jpeg", null, FrameRoles.After, null),
        ]);
        foreach (var sessionEvent in events)
        {
            writer.Append(sessionEvent);
        }
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        return (writer.Id, events, jpeg, png, webp);
    }

    [Fact]
    public void Frames_are_written_decrypted_with_their_extension_and_private_modes()
    {
        var (sessionId, events, jpeg, png, webp) = Session();
        var directory = Path.Combine(_store.Root, "export", "frames");
        FrameExport.PrepareDirectory(directory);
        var export = new FrameExport();
        events.ForEach(export.Add);

        var (written, skipped) = export.WriteTo(_store.Store, sessionId, directory);

        Assert.Equal((3, 0), (written, skipped));
        Assert.Equal(
            new[] { $"{jpeg}.jpg", $"{png}.png", $"{webp}.webp" }.Order(StringComparer.Ordinal),
            Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Image(1), File.ReadAllBytes(Path.Combine(directory, $"{jpeg}.jpg")));
        Assert.Equal(Image(2), File.ReadAllBytes(Path.Combine(directory, $"{png}.png")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.All(Directory.GetFiles(directory), file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
    }

    [Fact]
    public void An_existing_wider_file_is_replaced_by_a_private_one()
    {
        var (sessionId, events, jpeg, _, _) = Session();
        var directory = Path.Combine(_store.Root, "frames");
        FrameExport.PrepareDirectory(directory);
        var stale = Path.Combine(directory, $"{jpeg}.jpg");
        File.WriteAllText(stale, "old");
        File.SetUnixFileMode(stale, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var export = new FrameExport();
        events.ForEach(export.Add);

        export.WriteTo(_store.Store, sessionId, directory);

        Assert.Equal(Image(1), File.ReadAllBytes(stale));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stale));
    }

    [Fact]
    public void A_blob_that_does_not_authenticate_is_skipped_and_counted()
    {
        var (sessionId, events, jpeg, png, webp) = Session();
        var blobPath = _store.BlobPath(sessionId, png);
        var bytes = File.ReadAllBytes(blobPath);
        bytes[^1] ^= 0x80;
        File.WriteAllBytes(blobPath, bytes);
        var directory = Path.Combine(_store.Root, "frames");
        FrameExport.PrepareDirectory(directory);
        var export = new FrameExport();
        events.ForEach(export.Add);

        var (written, skipped) = export.WriteTo(_store.Store, sessionId, directory);

        Assert.Equal((2, 1), (written, skipped));
        Assert.False(File.Exists(Path.Combine(directory, $"{png}.png")));
        Assert.True(File.Exists(Path.Combine(directory, $"{jpeg}.jpg")));
        Assert.True(File.Exists(Path.Combine(directory, $"{webp}.webp")));
    }

    [Fact]
    public void A_file_where_the_directory_should_be_is_bad_input()
    {
        var path = Path.Combine(_store.Root, "not-a-directory");
        File.WriteAllText(path, "x");
        var ex = Assert.Throws<UsageException>(() => FrameExport.PrepareDirectory(path));
        Assert.Contains("is a file", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("jpeg", "jpg")]
    [InlineData("png", "png")]
    [InlineData("webp", "webp")]
    [InlineData("../x", "bin")]
    public void Extensions_follow_the_frame_format(string format, string extension) =>
        Assert.Equal(extension, FrameExport.ExtensionFor(format));
}
