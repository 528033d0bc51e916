using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed class SessionStoreTests : IDisposable
{
    private readonly TestStore _store = new(new SteppingTimeProvider(SampleEvents.Start, TimeSpan.FromSeconds(1)));

    public void Dispose() => _store.Dispose();

    private SessionStore Store => _store.Store;

    [Fact]
    public void A_recorded_session_reads_back_with_its_metadata()
    {
        var events = SampleEvents.Timed(SampleEvents.EveryKind());
        var writer = Store.Create(TestStore.Start);
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$", writer.Id);
        Assert.StartsWith("20261123T063000Z-", writer.Id, StringComparison.Ordinal);
        Assert.Equal(_store.SessionDirectory(writer.Id), writer.DirectoryPath);
        foreach (var sessionEvent in events)
        {
            writer.Append(sessionEvent);
        }
        Assert.Equal(0, writer.EventsWritten);
        writer.Flush();
        Assert.Equal(events.Count, writer.EventsWritten);
        writer.Sync();
        writer.Close(new SessionEndInfo(EndReasons.Signal, 3));
        writer.Dispose();

        var result = Store.Read(writer.Id);
        Assert.Null(result.Damage);
        Assert.Equal(events, result.Events);
        Assert.Equal(1, result.Frames);

        var info = result.Info;
        Assert.Equal(SessionStatus.Complete, info.Status);
        Assert.Equal("complete", info.Status.ToWireName());
        Assert.Equal(SampleEvents.Start, info.CreatedAt);
        Assert.NotNull(info.EndedAt);
        Assert.Equal("x11", info.Backend);
        Assert.Equal(new ScreenSize(1920, 1080), info.Screen);
        Assert.Equal(["firefox", "org.gnome.TextEditor"], info.AllowApps);
        Assert.Equal(events.Count, info.EventCount);
        Assert.Equal(3, info.DroppedInput);
        Assert.Equal("signal", info.EndReason);
        Assert.Equal(new FileInfo(_store.LogPath(writer.Id)).Length, info.LogBytes);
        Assert.Equal(_store.Key.KeyId, info.DeviceKeyId);
        Assert.Null(info.Error);
        Assert.Equal(5, info.CountsByKind!["key_down"]);
        Assert.Equal(1, info.CountsByKind["key_up"]);
        Assert.Equal(2, info.CountsByKind["pointer_move"]);
        Assert.Equal(3, info.CountsByKind["marker"]);
        Assert.Equal(events.Count, info.CountsByKind.Values.Sum());
    }

    [Fact]
    public void The_manifest_has_the_documented_fields_and_no_content()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.EveryKind()), eventsPerFrame: 5);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(_store.ManifestPath(id)));
        var root = manifest.RootElement;
        Assert.Equal(1, root.GetProperty("format_version").GetInt32());
        Assert.Equal(id, root.GetProperty("id").GetString());
        Assert.Equal("complete", root.GetProperty("status").GetString());
        Assert.Equal("x11", root.GetProperty("backend").GetString());
        Assert.Equal(1920, root.GetProperty("screen").GetProperty("width").GetInt32());
        Assert.Equal(_store.Key.KeyId, root.GetProperty("device_key_id").GetString());
        Assert.Equal(60, Convert.FromBase64String(root.GetProperty("wrapped_data_key").GetString()!).Length);
        Assert.Equal(SampleEvents.EveryKind().Count, root.GetProperty("event_count").GetInt64());
        Assert.Equal(0, root.GetProperty("dropped_input").GetInt64());
        Assert.Equal("duration", root.GetProperty("end_reason").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("counts_by_kind").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("ended_at").ValueKind);

        var text = File.ReadAllText(_store.ManifestPath(id));
        Assert.DoesNotContain("Café", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Mozilla", text, StringComparison.Ordinal);
        Assert.DoesNotContain("receipt", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recording_manifest_has_no_end_yet()
    {
        using var writer = Store.Create(new SessionStartInfo("fake", null, []));
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(_store.ManifestPath(writer.Id)));
        var root = manifest.RootElement;
        Assert.Equal("recording", root.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ended_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("screen").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("event_count").ValueKind);
        Assert.Equal(0, root.GetProperty("allow_apps").GetArrayLength());
    }

    [Fact]
    public void Status_is_recording_while_the_writer_lives_then_complete()
    {
        var writer = Store.Create(TestStore.Start);
        Assert.Equal(SessionStatus.Recording, Store.Get(writer.Id).Status);
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        Assert.Equal(SessionStatus.Complete, Store.Get(writer.Id).Status);
    }

    [Fact]
    public void A_writer_that_dies_without_closing_leaves_an_interrupted_session_with_its_flushed_events()
    {
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(30));
        var writer = Store.Create(TestStore.Start);
        foreach (var sessionEvent in events[..20])
        {
            writer.Append(sessionEvent);
        }
        writer.Flush();
        foreach (var sessionEvent in events[20..])
        {
            writer.Append(sessionEvent);
        }
        writer.SimulateCrash(); // the last 10 were only in memory

        var info = Store.Get(writer.Id);
        Assert.Equal(SessionStatus.Interrupted, info.Status);
        Assert.Null(info.EndedAt);
        Assert.Null(info.EventCount);
        var result = Store.Read(writer.Id);
        Assert.Null(result.Damage);
        Assert.Equal(events[..20], result.Events);
        Assert.True(Store.Verify(writer.Id).Ok);
    }

    [Fact]
    public void Disposing_without_close_flushes_but_reports_interrupted()
    {
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(12));
        string id;
        using (var writer = Store.Create(TestStore.Start))
        {
            id = writer.Id;
            foreach (var sessionEvent in events)
            {
                writer.Append(sessionEvent);
            }
        }
        Assert.Equal(SessionStatus.Interrupted, Store.Get(id).Status);
        Assert.Equal(events, Store.Read(id).Events);
    }

    [Fact]
    public void Seqs_must_be_gapless_from_zero()
    {
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(3));
        using var writer = Store.Create(TestStore.Start);
        Assert.Throws<InvalidOperationException>(() => writer.Append(events[1]));
        writer.Append(events[0]);
        Assert.Throws<InvalidOperationException>(() => writer.Append(events[2]));
        Assert.Throws<InvalidOperationException>(() => writer.Append(events[0]));
        writer.Append(events[1]);
        writer.Append(events[2]);
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        Assert.Throws<InvalidOperationException>(() => writer.Append(events[2] with { Seq = 3 }));
        Assert.Equal(events, Store.Read(writer.Id).Events);
    }

    [Fact]
    public void Content_cannot_be_smuggled_into_the_manifest_through_codes()
    {
        Assert.Throws<ArgumentException>(() => Store.Create(new SessionStartInfo("x11 " + SampleEvents.Secret + " typed", null, [])));
        using var writer = Store.Create(TestStore.Start);
        Assert.Throws<ArgumentException>(() => writer.Close(new SessionEndInfo("typed: " + SampleEvents.Secret, 0)));
    }

    [Fact]
    public void List_is_oldest_first_and_shows_a_broken_manifest_as_damaged()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(5)), eventsPerFrame: 5);
            ids.Add(id);
        }
        File.WriteAllText(_store.ManifestPath(ids[1]), "{ this is not json");
        Directory.CreateDirectory(Path.Combine(_store.DataPath, "sessions", "not-a-session"));
        File.WriteAllText(Path.Combine(_store.DataPath, "sessions", "stray.txt"), "");

        var sessions = Store.List();
        Assert.Equal(ids, sessions.Select(s => s.Id));
        Assert.Equal(SessionStatus.Complete, sessions[0].Status);
        Assert.Equal(SessionStatus.Damaged, sessions[1].Status);
        Assert.Contains("not valid JSON", sessions[1].Error, StringComparison.Ordinal);
        Assert.Equal(SessionStatus.Complete, sessions[2].Status);

        var readError = Assert.Throws<StorageException>(() => Store.Read(ids[1]));
        Assert.Contains(ids[1], readError.Message, StringComparison.Ordinal);
        Assert.False(Store.Verify(ids[1]).Ok);
    }

    [Fact]
    public void List_of_an_empty_or_missing_data_directory_is_empty()
    {
        Assert.Empty(Store.List());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("/etc")]
    [InlineData("20261123T063000Z-7f3a9c/../../x")]
    [InlineData("20261123T063000Z-7F3A9C")]
    [InlineData("20261123T063000Z-7f3a9c\n")]
    [InlineData("20261123T063000Z-7f3a9")]
    [InlineData("x20261123T063000Z-7f3a9c")]
    public void Invalid_ids_are_refused_before_touching_the_filesystem(string id)
    {
        // A directory where "../x" would land if the id were used as a path.
        var bait = Path.Combine(_store.DataPath, "x");
        Directory.CreateDirectory(Path.Combine(bait, "sessions"));

        foreach (var action in new Action[]
        {
            () => Store.Get(id),
            () => Store.Read(id),
            () => Store.ReadEvents(id),
            () => Store.Verify(id),
            () => Store.Delete(id),
            () => Store.Delete(id, evenIfOtherDeviceKey: true),
        })
        {
            var error = Assert.Throws<StorageException>(action);
            Assert.IsNotType<SessionNotFoundException>(error);
            Assert.StartsWith("invalid session id", error.Message, StringComparison.Ordinal);
        }
        Assert.True(Directory.Exists(bait));
        Assert.False(SessionId.IsValid(id));
    }

    [Fact]
    public void A_valid_id_that_does_not_exist_is_not_found()
    {
        var error = Assert.Throws<SessionNotFoundException>(() => Store.Get("20261123T063000Z-000000"));
        Assert.Contains("20261123T063000Z-000000", error.Message, StringComparison.Ordinal);
        Assert.Throws<SessionNotFoundException>(() => Store.Read("20261123T063000Z-000000"));
        Assert.Throws<SessionNotFoundException>(() => Store.Delete("20261123T063000Z-000000"));
    }

    [Fact]
    public void Everything_is_created_private()
    {
        var writer = Store.Create(TestStore.Start);
        const UnixFileMode Directory0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Directory0700, File.GetUnixFileMode(_store.DataPath));
        Assert.Equal(Directory0700, File.GetUnixFileMode(Path.Combine(_store.DataPath, "sessions")));
        Assert.Equal(Directory0700, File.GetUnixFileMode(writer.DirectoryPath));
        Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(writer.DirectoryPath, "writer.lock")));
        Assert.Equal(File0600, File.GetUnixFileMode(_store.LogPath(writer.Id)));
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        Assert.Equal(File0600, File.GetUnixFileMode(_store.ManifestPath(writer.Id)));
        Assert.Equal(File0600, File.GetUnixFileMode(_store.LogPath(writer.Id)));
        Assert.Equal(File0600, File.GetUnixFileMode(_store.KeyPath));
        Assert.Equal(Directory0700, File.GetUnixFileMode(Path.GetDirectoryName(_store.KeyPath)!));
    }

    [Fact]
    public void Delete_shreds_the_key_first_then_removes_the_files()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(20)), eventsPerFrame: 5);
        var directory = _store.SessionDirectory(id);
        var sawShredded = false;
        Store.AfterShredForTesting = shredded =>
        {
            Assert.Equal(directory, shredded);
            var manifest = File.ReadAllBytes(_store.ManifestPath(id));
            Assert.NotEmpty(manifest);
            Assert.All(manifest, b => Assert.Equal(0, b));
            Assert.True(File.Exists(_store.LogPath(id)));
            // A reader at this instant finds no key rather than a readable session.
            Assert.Equal(SessionStatus.Damaged, Store.Get(id).Status);
            Assert.Throws<StorageException>(() => Store.Read(id));
            sawShredded = true;
        };
        Store.Delete(id);
        Assert.True(sawShredded);
        Assert.False(Directory.Exists(directory));
        Assert.Empty(Store.List());
    }

    [Fact]
    public void A_session_being_recorded_cannot_be_deleted()
    {
        using var writer = Store.Create(TestStore.Start);
        writer.Append(SampleEvents.Timed(SampleEvents.TypicalInput(1))[0]);
        writer.Flush();
        var error = Assert.Throws<StorageException>(() => Store.Delete(writer.Id));
        Assert.Contains("being recorded", error.Message, StringComparison.Ordinal);
        Assert.Throws<StorageException>(() => Store.Delete(writer.Id, evenIfOtherDeviceKey: true));
        Assert.True(File.Exists(_store.ManifestPath(writer.Id)));
        Assert.Single(Store.Read(writer.Id).Events);
    }

    [Fact]
    public void An_interrupted_session_can_be_deleted()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(5)), eventsPerFrame: 5, close: false);
        Assert.Equal(SessionStatus.Interrupted, Store.Get(id).Status);
        Store.Delete(id);
        Assert.False(Directory.Exists(_store.SessionDirectory(id)));
    }

    [Fact]
    public void A_session_with_a_damaged_manifest_can_be_deleted()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(5)), eventsPerFrame: 5);
        File.WriteAllText(_store.ManifestPath(id), "garbage");
        Store.Delete(id);
        Assert.False(Directory.Exists(_store.SessionDirectory(id)));
    }

    [Fact]
    public void Another_device_key_gets_a_clear_error_everywhere()
    {
        var (id, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(15)), eventsPerFrame: 5);
        using var otherKeyDirectory = new TemporaryDirectory();
        using var otherKey = DeviceKeyStore.LoadOrCreate(otherKeyDirectory.Combine("device.key"));
        var other = new SessionStore(_store.DataPath, otherKey);
        var expected = $"session {id} was recorded with device key {_store.Key.KeyId}, this device has key {otherKey.KeyId}";

        Assert.StartsWith(expected, Assert.Throws<StorageException>(() => other.Read(id)).Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, Assert.Throws<StorageException>(() => other.ReadEvents(id)).Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, Assert.Throws<StorageException>(() => other.Delete(id)).Message, StringComparison.Ordinal);

        var report = other.Verify(id);
        Assert.False(report.Ok);
        Assert.False(report.Authenticated);
        Assert.StartsWith(expected, report.Error, StringComparison.Ordinal);
        Assert.Null(report.Damage);
        Assert.Equal(15, report.Events); // structure still checked
        Assert.Equal(3, report.Frames);

        // Listing needs no key.
        Assert.Equal(SessionStatus.Complete, Assert.Single(other.List()).Status);

        other.Delete(id, evenIfOtherDeviceKey: true);
        Assert.False(Directory.Exists(_store.SessionDirectory(id)));
    }

    [Fact]
    public void A_wrapped_key_copied_from_another_session_does_not_open()
    {
        var (first, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(5)), eventsPerFrame: 5);
        var (second, _) = _store.Record(SampleEvents.Timed(SampleEvents.TypicalInput(5)), eventsPerFrame: 5);
        var wrapped = JsonNode.Parse(File.ReadAllText(_store.ManifestPath(first)))!["wrapped_data_key"]!.GetValue<string>();
        var secondManifest = JsonNode.Parse(File.ReadAllText(_store.ManifestPath(second)))!;
        Assert.NotEqual(wrapped, secondManifest["wrapped_data_key"]!.GetValue<string>());
        secondManifest["wrapped_data_key"] = wrapped;
        File.WriteAllText(_store.ManifestPath(second), secondManifest.ToJsonString());

        var error = Assert.Throws<StorageException>(() => Store.Read(second));
        Assert.Contains("wrapped_data_key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_plaintext_of_typed_content_reaches_the_disk()
    {
        var secretPayloads = new EventPayload[]
        {
            new FocusPayload("editor", "editor", "Notes — " + SampleEvents.Secret, 10, null, 1),
            new KeyPayload(true, "S", SampleEvents.Secret, Modifiers.Shift, 39),
            new KeyPayload(false, "S", null, Modifiers.Shift, 39),
            new MarkerPayload(MarkerTypes.TaskBegin, SampleEvents.Secret),
            new GapPayload(SampleEvents.Secret, 1, 1),
        };
        var events = SampleEvents.Timed(SampleEvents.TypicalInput(50).Concat(secretPayloads).Concat(SampleEvents.TypicalInput(50)));
        var writer = Store.Create(TestStore.Start);
        foreach (var sessionEvent in events)
        {
            writer.Append(sessionEvent);
            if (sessionEvent.Seq % 7 == 0)
            {
                writer.Flush();
            }
        }
        writer.Flush();
        AssertNoSecretOnDisk(); // while recording
        writer.Close(new SessionEndInfo(EndReasons.Duration, 0));
        AssertNoSecretOnDisk();

        Assert.Equal(["events.log", "manifest.json", "writer.lock"], Directory.GetFiles(writer.DirectoryPath).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(Store.Read(writer.Id).Events, e => e.Payload is KeyPayload { Text: SampleEvents.Secret });
    }

    private void AssertNoSecretOnDisk()
    {
        byte[][] needles =
        [
            Encoding.UTF8.GetBytes(SampleEvents.Secret),
            Encoding.Unicode.GetBytes(SampleEvents.Secret),
            Encoding.BigEndianUnicode.GetBytes(SampleEvents.Secret),
            Encoding.UTF8.GetBytes("Sup3r"),
        ];
        foreach (var file in Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "writer.lock")
            {
                // Cannot be opened while the writer holds its flock; it must stay empty anyway.
                Assert.Equal(0, new FileInfo(file).Length);
                continue;
            }
            var bytes = File.ReadAllBytes(file);
            foreach (var needle in needles)
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} contains the typed secret");
            }
        }
    }
}
