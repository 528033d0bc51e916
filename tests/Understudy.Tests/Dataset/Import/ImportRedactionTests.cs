using System.Text;
using Understudy.Core.Model;
using Understudy.Dataset.Import;
using static Understudy.Tests.Dataset.Import.ImportFixture;

namespace Understudy.Tests.Dataset.Import;

/// <summary>Imported content goes through the recorder's guard before the writer sees it: read back from the store, only redacted text is there.</summary>
public sealed class ImportRedactionTests
{
    private const string Email = "jane.doe@example.com";

    [Fact]
    public void A_typed_email_in_an_AgentNet_recording_is_stored_only_as_a_placeholder()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata(videoStart: 99.9));
        fixture.Write("task_name.json", $"{{\"task_name\": \"Write to {Email}\"}}");
        fixture.Write("events.jsonl", [Click(100.0, 50, 50, pressed: true), Click(100.1, 50, 50, pressed: false), .. Type(100.5, "to " + Email), Key(103.5, "enter")]);

        var result = fixture.Import(ImportFormat.AgentNet);
        Assert.Empty(result.Problems);
        var events = fixture.Events(result.SessionId);

        var typed = string.Concat(events.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));
        Assert.Equal("to <EMAIL_ADDRESS>", typed);
        Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.Typed, Type: "EMAIL_ADDRESS", Count: 1 });
        Assert.Equal(new MarkerPayload(MarkerTypes.TaskBegin, "Write to <EMAIL_ADDRESS>"), events[1].Payload);
        Assert.Equal(1, result.RedactionsByType["EMAIL_ADDRESS"]);

        // Not a character of the address in any event's JSON form, nor in the session's files.
        var exported = string.Join("\n", events.Select(EventJson.ToJson));
        Assert.DoesNotContain("jane", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("example", exported, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(fixture.Store.SessionDirectory(result.SessionId), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("example.com", Encoding.Latin1.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Keys_typed_after_a_click_on_a_password_field_are_not_kept_at_all()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata());
        fixture.Write("element.jsonl",
            "{\"time_stamp\": 100.0, \"a11y_tree\": {\"AXRole\": \"AXTextField\", \"AXSubrole\": \"AXSecureTextField\", \"AXTitle\": \"\", \"AXValue\": \"••••\", \"AXFrame\": {\"x\": 40, \"y\": 40, \"w\": 100, \"h\": 20}}}",
            "{\"time_stamp\": 105.0, \"a11y_tree\": {\"Name\": \"PIN\", \"ControlType\": \"EditControl\", \"BoundingRectangle\": {\"left\": 0, \"top\": 0, \"right\": 50, \"bottom\": 20}}}");
        fixture.Write("events.jsonl",
        [
            Click(100.0, 50, 50, pressed: true), Click(100.1, 50, 50, pressed: false), .. Type(100.5, "hunter2xyz"), Key(102, "tab"),
            Click(105.0, 10, 10, pressed: true), Click(105.1, 10, 10, pressed: false), .. Type(105.5, "4711"),
        ]);

        var result = fixture.Import(ImportFormat.AgentNet);
        var events = fixture.Events(result.SessionId);
        var keys = events.Select(e => e.Payload).OfType<KeyPayload>().ToList();
        Assert.All(keys.Where(k => k.Key != "Tab"), k => Assert.Equal("redacted", k.Key));
        Assert.All(keys, k => Assert.Null(k.Text));
        Assert.Equal(2, events.Count(e => e.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField }));
        Assert.Equal("password text", events.Select(e => e.Payload).OfType<ElementPayload>().First().Role);
        var exported = string.Join("\n", events.Select(EventJson.ToJson));
        Assert.DoesNotContain("hunter", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("4711", exported, StringComparison.Ordinal);
    }

    [Fact]
    public void An_element_name_holding_an_email_is_redacted_with_a_redaction_event()
    {
        using var fixture = new ImportFixture();
        fixture.Write("metadata.json", Metadata());
        fixture.Write("element.jsonl", $"{{\"time_stamp\": 100.0, \"a11y_tree\": {{\"Name\": \"Reply to {Email}\", \"ControlType\": \"ButtonControl\"}}}}");
        fixture.Write("events.jsonl", Click(100.0, 5, 5, pressed: true), Click(100.1, 5, 5, pressed: false));

        var result = fixture.Import(ImportFormat.AgentNet);
        var events = fixture.Events(result.SessionId);
        Assert.Equal("Reply to <EMAIL_ADDRESS>", events.Select(e => e.Payload).OfType<ElementPayload>().Single().Name);
        Assert.Contains(events, e => e.Payload is RedactionPayload { Target: RedactionTargets.Element, Type: "EMAIL_ADDRESS" });
    }
}
