using System.Diagnostics;
using System.Text.RegularExpressions;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed partial class BlobStoreTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static byte[] Image(int seed, int length = 5000)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A closed session holding the given blobs and a frame event for each.</summary>
    private (string SessionId, List<string> BlobIds) SessionWithFrames(TestStore store, params byte[][] images)
    {
        var writer = store.Store.Create(TestStore.Start);
        var ids = new List<string>();
        long seq = 0;
        foreach (var image in images)
        {
            var id = writer.Blobs.IdFor(image);
            writer.Blobs.Put(id, image);
            ids.Add(id);
            writer.Append(new SessionEvent(seq, 1_000 + seq, SampleEvents.Start, new FramePayload(id, 1_000, new Rect(0, 0, 64, 48), 1.0, 64, 48, "jpeg", null, FrameRoles.After, null)));
            seq++;
        }
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        return (writer.Id, ids);
    }

    [Fact]
    public void A_blob_round_trips_and_its_file_is_private_ciphertext()
    {
        var image = Image(1);
        var (sessionId, ids) = SessionWithFrames(_store, image);

        Assert.Matches(BlobIdPattern(), ids[0]);
        Assert.Equal(image, _store.Store.ReadBlob(sessionId, ids[0]));
        var path = _store.BlobPath(sessionId, ids[0]);
        var file = File.ReadAllBytes(path);
        Assert.Equal("USBLOB01"u8.ToArray(), file[..8]);
        Assert.Equal(16 + 12 + image.Length + 16, file.Length);
        Assert.Equal(-1, file.AsSpan().IndexOf(image.AsSpan(0, 32)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.True(_store.Store.Verify(sessionId).Ok);
    }

    [Fact]
    public void Equal_content_is_stored_once_under_one_id()
    {
        var writer = _store.Store.Create(TestStore.Start);
        var image = Image(2);
        var first = writer.Blobs.IdFor(image);
        writer.Blobs.Put(first, image);
        var written = File.GetLastWriteTimeUtc(_store.BlobPath(writer.Id, first));
        var bytes = File.ReadAllBytes(_store.BlobPath(writer.Id, first));
        var second = writer.Blobs.IdFor((byte[])image.Clone());
        writer.Blobs.Put(second, image);

        Assert.Equal(first, second);
        Assert.True(writer.Blobs.Contains(first));
        Assert.Single(Directory.GetFiles(Path.Combine(writer.DirectoryPath, "blobs")));
        Assert.Equal(bytes, File.ReadAllBytes(_store.BlobPath(writer.Id, first)));
        Assert.Equal(written, File.GetLastWriteTimeUtc(_store.BlobPath(writer.Id, first)));
        Assert.NotEqual(first, writer.Blobs.IdFor(Image(3)));
        writer.Dispose();
    }

    [Fact]
    public void Ids_of_the_same_content_differ_between_sessions()
    {
        var image = Image(4);
        using var one = _store.Store.Create(TestStore.Start);
        using var two = _store.Store.Create(TestStore.Start);
        Assert.NotEqual(one.Blobs.IdFor(image), two.Blobs.IdFor(image));
    }

    [Fact]
    public void Ids_are_validated_at_the_boundary()
    {
        using var writer = _store.Store.Create(TestStore.Start);
        var image = Image(5);
        Assert.Throws<ArgumentException>(() => writer.Blobs.Put("../../manifest.json", image));
        Assert.Throws<ArgumentException>(() => writer.Blobs.Contains("ABCDEF0123456789ABCDEF0123456789"));
        Assert.Throws<StorageException>(() => _store.Store.ReadBlob(writer.Id, "0123456789abcdef0123456789abcdef\n"));
    }

    [Fact]
    public void Many_threads_putting_blobs_leave_only_whole_blobs()
    {
        var writer = _store.Store.Create(TestStore.Start);
        var images = Enumerable.Range(0, 40).Select(i => Image(i % 10, 2000 + i % 10)).ToArray();
        Parallel.ForEach(images, new ParallelOptions { MaxDegreeOfParallelism = 4 }, image => writer.Blobs.Put(writer.Blobs.IdFor(image), image));
        var blobs = Path.Combine(writer.DirectoryPath, "blobs");
        var id = writer.Id;
        var expected = images.Take(10).Select(image => (writer.Blobs.IdFor(image), image)).ToList();
        writer.Dispose();

        Assert.Equal(10, Directory.GetFiles(blobs).Length);
        foreach (var (blobId, image) in expected)
        {
            Assert.Equal(image, _store.Store.ReadBlob(id, blobId));
        }
    }

    [Fact]
    public void A_flipped_byte_fails_authentication()
    {
        var (sessionId, ids) = SessionWithFrames(_store, Image(7));
        var path = _store.BlobPath(sessionId, ids[0]);
        var bytes = File.ReadAllBytes(path);
        bytes[40] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<StorageException>(() => _store.Store.ReadBlob(sessionId, ids[0]));
        Assert.Contains(sessionId, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ids[0], ex.Message, StringComparison.Ordinal);
        var report = _store.Store.Verify(sessionId);
        Assert.False(report.Ok);
        Assert.Equal(ids, report.DamagedBlobs);
    }

    [Fact]
    public void A_blob_renamed_to_another_id_fails_authentication()
    {
        var (sessionId, ids) = SessionWithFrames(_store, Image(8), Image(9));
        File.Move(_store.BlobPath(sessionId, ids[0]), _store.BlobPath(sessionId, ids[1]), overwrite: true);

        Assert.Throws<StorageException>(() => _store.Store.ReadBlob(sessionId, ids[1]));
        var report = _store.Store.Verify(sessionId);
        Assert.Equal([ids[0]], report.MissingBlobs);
        Assert.Equal([ids[1]], report.DamagedBlobs);
    }

    [Fact]
    public void A_blob_copied_into_another_session_fails_authentication()
    {
        var (from, ids) = SessionWithFrames(_store, Image(10));
        var (to, _) = SessionWithFrames(_store, Image(11));
        File.Copy(_store.BlobPath(from, ids[0]), _store.BlobPath(to, ids[0]));

        var ex = Assert.Throws<StorageException>(() => _store.Store.ReadBlob(to, ids[0]));
        Assert.Contains("does not authenticate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_reports_a_missing_blob_and_a_missing_base()
    {
        var writer = _store.Store.Create(TestStore.Start);
        var image = Image(12);
        var id = writer.Blobs.IdFor(image);
        writer.Blobs.Put(id, image);
        var absent = writer.Blobs.IdFor(Image(13));
        writer.Append(new SessionEvent(0, 1, SampleEvents.Start, new FramePayload(id, 1, new Rect(0, 0, 8, 8), 1.0, 8, 8, "png", 0, FrameRoles.Before, absent)));
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));

        var report = _store.Store.Verify(writer.Id);
        Assert.False(report.Ok);
        Assert.Null(report.Damage);
        Assert.Equal(2, report.BlobsChecked);
        Assert.Equal([absent], report.MissingBlobs);
        Assert.Empty(report.DamagedBlobs);
        var ex = Assert.Throws<StorageException>(() => _store.Store.ReadBlob(writer.Id, absent));
        Assert.Contains(absent, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disk_full_while_writing_a_blob_leaves_no_file_and_says_so()
    {
        FailingStream? disk = null;
        using var store = new TestStore(wrapBlobOutput: stream => disk = new FailingStream(stream) { Budget = 1000 });
        using var writer = store.Store.Create(TestStore.Start);
        var image = Image(14);
        var id = writer.Blobs.IdFor(image);

        var ex = Assert.Throws<BlobWriteException>(() => writer.Blobs.Put(id, image));
        Assert.StartsWith("disk full while writing blob " + id, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(1, disk!.Failures);
        Assert.Empty(Directory.GetFiles(Path.Combine(writer.DirectoryPath, "blobs")));
        Assert.False(writer.Blobs.Contains(id));
    }

    [RootFact]
    public void A_real_full_filesystem_leaves_no_partial_blob()
    {
        using var root = new TemporaryDirectory();
        var mountPoint = root.Combine("small");
        Directory.CreateDirectory(mountPoint);
        Run("mount", $"-t tmpfs -o size=256k,mode=0700 tmpfs {mountPoint}");
        try
        {
            using var key = DeviceKeyStore.LoadOrCreate(root.Combine("device.key"));
            var store = new SessionStore(Path.Combine(mountPoint, "data"), key);
            using var writer = store.Create(TestStore.Start);
            var image = Image(15, 512 * 1024);
            var id = writer.Blobs.IdFor(image);
            Assert.Throws<BlobWriteException>(() => writer.Blobs.Put(id, image));
            Assert.Empty(Directory.GetFiles(Path.Combine(writer.DirectoryPath, "blobs")));
        }
        finally
        {
            Run("umount", mountPoint);
        }
    }

    [Fact]
    public void Putting_after_close_is_refused()
    {
        var writer = _store.Store.Create(TestStore.Start);
        var image = Image(16);
        var id = writer.Blobs.IdFor(image);
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        Assert.Throws<ObjectDisposedException>(() => writer.Blobs.Put(id, image));
    }

    [Fact]
    public void Delete_removes_the_blobs()
    {
        var (sessionId, ids) = SessionWithFrames(_store, Image(17));
        Assert.True(File.Exists(_store.BlobPath(sessionId, ids[0])));
        _store.Store.Delete(sessionId);
        Assert.False(Directory.Exists(_store.SessionDirectory(sessionId)));
    }

    private static void Run(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed: {errors}");
    }

    [GeneratedRegex(@"^[0-9a-f]{32}\z")]
    private static partial Regex BlobIdPattern();
}
