using System.Diagnostics;
using Understudy.Storage;
using Xunit.Abstractions;

namespace Understudy.Tests.Storage;

public sealed class WriteFailureTests(ITestOutputHelper output)
{
    [Fact]
    public void Disk_full_cuts_the_log_back_to_its_last_good_frame_and_a_later_flush_recovers()
    {
        FailingStream? disk = null;
        using var store = new TestStore(wrapLogOutput: stream => disk = new FailingStream(stream));
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(30));
        var writer = store.Store.Create(TestStore.Start);
        foreach (var sessionEvent in events[..10])
        {
            writer.Append(sessionEvent);
        }
        writer.Flush();
        var goodLength = writer.BytesWritten;

        disk!.Budget = 20; // the next frame only partly fits
        foreach (var sessionEvent in events[10..20])
        {
            writer.Append(sessionEvent);
        }
        var error = Assert.Throws<StorageException>(writer.Flush);
        Assert.StartsWith($"disk full while writing {store.LogPath(writer.Id)}: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(1, disk.Failures);
        Assert.Equal(goodLength, new FileInfo(store.LogPath(writer.Id)).Length);
        Assert.Equal(goodLength, writer.BytesWritten);
        Assert.Equal(10, writer.EventsWritten);

        // The log on disk is clean: the first frame and nothing else.
        var whileFull = store.Store.Read(writer.Id);
        Assert.Null(whileFull.Damage);
        Assert.Equal(events[..10], whileFull.Events);

        // Space comes back: the buffered events go out in the next frame, with a fresh nonce.
        disk.Budget = long.MaxValue;
        foreach (var sessionEvent in events[20..])
        {
            writer.Append(sessionEvent);
        }
        writer.Flush();
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));

        var result = store.Store.Read(writer.Id);
        Assert.Null(result.Damage);
        Assert.Equal(events, result.Events);
        Assert.True(store.Store.Verify(writer.Id).Ok);
    }

    [Fact]
    public void Closing_on_a_full_disk_still_completes_the_manifest_with_what_was_written()
    {
        FailingStream? disk = null;
        using var store = new TestStore(wrapLogOutput: stream => disk = new FailingStream(stream));
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(20));
        var writer = store.Store.Create(TestStore.Start);
        foreach (var sessionEvent in events[..10])
        {
            writer.Append(sessionEvent);
        }
        writer.Flush();
        disk!.Budget = 0;
        foreach (var sessionEvent in events[10..])
        {
            writer.Append(sessionEvent);
        }

        var error = Assert.Throws<StorageException>(() => writer.Close(new SessionEndInfo(EndReasons.Error, 0)));
        Assert.StartsWith("disk full while writing", error.Message, StringComparison.Ordinal);

        var info = store.Store.Get(writer.Id);
        Assert.Equal(SessionStatus.Complete, info.Status);
        Assert.Equal(10, info.EventCount);
        Assert.Equal("error", info.EndReason);
        var result = store.Store.Read(writer.Id);
        Assert.Null(result.Damage);
        Assert.Equal(events[..10], result.Events);
    }

    [RootFact]
    public void A_real_full_filesystem_leaves_a_clean_log()
    {
        using var root = new TemporaryDirectory();
        var mountPoint = root.Combine("small");
        Directory.CreateDirectory(mountPoint);
        Run("mount", $"-t tmpfs -o size=64k,mode=0700 tmpfs {mountPoint}");
        try
        {
            var keyPath = root.Combine("device.key");
            using var key = DeviceKeyStore.LoadOrCreate(keyPath);
            var store = new SessionStore(Path.Combine(mountPoint, "data"), key);
            var writer = store.Create(TestStore.Start);
            using var events = SampleEvents.Timed(SampleEvents.TypicalInput(20_000)).GetEnumerator();
            StorageException? full = null;
            var flushes = 0;
            while (full is null && flushes < 100_000)
            {
                for (var i = 0; i < 20 && events.MoveNext(); i++)
                {
                    writer.Append(events.Current);
                }
                try
                {
                    writer.Flush();
                    flushes++;
                }
                catch (StorageException ex)
                {
                    full = ex;
                }
            }
            Assert.NotNull(full);
            output.WriteLine($"filled after {flushes} frames, {writer.BytesWritten} bytes: {full.Message}");
            Assert.StartsWith("disk full while writing", full.Message, StringComparison.Ordinal);
            Assert.Equal(writer.BytesWritten, new FileInfo(Path.Combine(writer.DirectoryPath, "events.log")).Length);
            var written = writer.EventsWritten;
            writer.Dispose();

            var result = store.Read(writer.Id);
            Assert.Null(result.Damage);
            Assert.Equal(written, result.Events.Count);
        }
        finally
        {
            Run("umount", mountPoint);
        }
    }

    private static void Run(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed: {errors}");
    }
}
