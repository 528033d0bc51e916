using Understudy.Core.Model;
using Understudy.Dataset.Import;
using Understudy.Storage;
using static Understudy.Tests.Dataset.Import.ImportFixture;

namespace Understudy.Tests.Dataset.Import;

/// <summary>Bad input: imported as far as it validly goes, one problem per line with file and line number, never a crash, never a half session.</summary>
public sealed class ImportInputTests
{
    [Fact]
    public void Malformed_lines_are_skipped_and_named_by_file_and_line_without_their_content()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata());
        fixture.Write("events.jsonl",
            Move(1.0, 1, 1),
            "{\"time_stamp\": 1.1, \"action\": \"move\", \"x\": \"secret-text\"}",
            "not json at all secret-text",
            "[1, 2]",
            "{\"action\": \"move\", \"x\": 1, \"y\": 2}",
            "{\"time_stamp\": 1.2, \"action\": \"teleport\"}",
            "{\"time_stamp\": 1.3, \"action\": \"secret-text here\"}",
            "{\"time_stamp\": 1.4, \"action\": \"press\", \"name\": null}",
            "{\"time_stamp\": 1.5, \"action\": \"press\", \"name\": \"$Unknown (255)$\"}",
            "{\"time_stamp\": 1.6, \"action\": \"click\", \"x\": 1, \"y\": 2, \"button\": \"left\"}",
            "",
            Key(2.0, "a"));

        var result = fixture.Import(ImportFormat.DuckTrack);
        var problems = result.Problems.Select(p => p.ToString()).ToList();
        Assert.Equal(
        [
            "events.jsonl:2: fields 'x'/'y' missing or not screen coordinates (line skipped)",
            "events.jsonl:3: not valid JSON (at byte 1; line skipped)",
            "events.jsonl:4: not a JSON object (line skipped)",
            "events.jsonl:5: field 'time_stamp' missing or not a number of seconds (line skipped)",
            "events.jsonl:6: unknown action 'teleport' (line skipped)",
            "events.jsonl:7: unknown action (not a known action name) (line skipped)",
            "events.jsonl:8: key without a name (line skipped)",
            "events.jsonl:10: fields 'button' (string) and 'pressed' (true/false) required for a click (line skipped)",
            "events.jsonl:9: a key pynput could not name (line skipped)",
        ], problems);
        Assert.All(problems, p => Assert.DoesNotContain("secret", p, StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, long>
        {
            [SkipReasons.InvalidField] = 3, [SkipReasons.MalformedLine] = 2, [SkipReasons.UnknownAction] = 2, [SkipReasons.UnknownKey] = 2,
        }, result.Skipped);

        var events = fixture.Events(result.SessionId);
        Assert.Single(events, e => e.Payload is PointerMovePayload);
        Assert.Single(events, e => e.Payload is KeyPayload { IsDown: true, Key: "a" });
        Assert.Equal(SessionStatus.Complete, fixture.Store.Store.Get(result.SessionId).Status);
    }

    [Fact]
    public void Missing_metadata_is_one_problem_and_wall_times_end_at_the_events_file()
    {
        using var fixture = new ImportFixture();
        fixture.Write("events.jsonl", Move(10.0, 1, 1), Move(12.0, 2, 2));
        var written = new DateTime(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(fixture.Recording, "events.jsonl"), written);

        var result = fixture.Import(ImportFormat.DuckTrack);
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith("metadata.json: missing", problem.ToString(), StringComparison.Ordinal);
        var moves = fixture.Events(result.SessionId).Where(e => e.Payload is PointerMovePayload).ToList();
        Assert.Equal(new DateTimeOffset(written), moves[^1].Wall);
        Assert.Equal(TimeSpan.FromSeconds(2), moves[^1].Wall - moves[0].Wall);
        Assert.Null(fixture.Store.Store.Get(result.SessionId).Screen);
    }

    [Fact]
    public void A_missing_folder_or_events_file_or_no_valid_event_fails_without_leaving_a_session()
    {
        using var fixture = new ImportFixture();
        var missing = Assert.Throws<ImportInputException>(() =>
            SessionImporter.Import(Path.Combine(fixture.Recording, "nope"), ImportFormat.AgentNet, fixture.Store.Store, Settings(), new ImportDiagnostics()));
        Assert.EndsWith("nope: no such folder", missing.Message, StringComparison.Ordinal);

        var noEvents = Assert.Throws<ImportInputException>(() => fixture.Import(ImportFormat.AgentNet));
        Assert.Contains("events.jsonl: missing", noEvents.Message, StringComparison.Ordinal);

        fixture.Write("events.jsonl", "garbage", "{\"time_stamp\": 1, \"action\": \"fly\"}");
        var diagnostics = new ImportDiagnostics();
        var none = Assert.Throws<ImportInputException>(() => fixture.Import(ImportFormat.AgentNet, diagnostics));
        Assert.Contains("no valid input events", none.Message, StringComparison.Ordinal);
        Assert.Equal(3, diagnostics.Problems.Count); // metadata missing, line 1, line 2
        Assert.Empty(fixture.Store.Store.List());
    }

    [Fact]
    public void A_redactor_fault_fails_closed_as_in_the_recorder()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata());
        fixture.Write("events.jsonl", Move(1.0, 1, 1), Key(2.0, "a"), Key(2.1, "b"));
        var result = fixture.Import(ImportFormat.DuckTrack, settings: Settings() with { Redactor = new FailingRedactor() });
        var typed = string.Concat(fixture.Events(result.SessionId).Select(e => e.Payload).OfType<KeyPayload>().Select(k => k.Text));
        Assert.Equal("<UNSCANNED>", typed);
    }

    [Fact]
    public void A_failure_while_writing_deletes_the_session_instead_of_leaving_one_that_looks_complete()
    {
        using var full = new ImportFixture();
        full.Write("metadata.json", Metadata());
        full.Write("events.jsonl", [.. Enumerable.Range(0, 5000).Select(i => Move(1.0 + (i * 0.001), i % 300, i % 200))]);
        using var failing = new TestStoreWithFailingLog();
        Assert.Throws<StorageException>(() => SessionImporter.Import(full.Recording, ImportFormat.DuckTrack, failing.Store, Settings(), new ImportDiagnostics()));
        Assert.Empty(failing.Store.List());
    }

    private sealed class FailingRedactor : Core.Redaction.ITextRedactor
    {
        public Core.Redaction.RedactionResult Redact(string text, Core.Redaction.TextSource source) => throw new InvalidOperationException("fault");
    }

    /// <summary>A store whose events.log fails on the first write.</summary>
    private sealed class TestStoreWithFailingLog : IDisposable
    {
        private readonly Storage.TestStore _inner = new(wrapLogOutput: s => new Storage.FailingStream(s) { Budget = 64 });

        public SessionStore Store => _inner.Store;

        public void Dispose() => _inner.Dispose();
    }
}
