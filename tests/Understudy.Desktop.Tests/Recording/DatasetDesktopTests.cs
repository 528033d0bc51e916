using System.Text.Json;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>
/// End to end on the virtual desktop: the demo records a scripted form fill in real GTK forms and
/// builds a dataset from it; the actions, their targets (from AT-SPI) and the exports must say
/// what the script did, with every redaction in place.
/// </summary>
[Collection("desktop")]
public sealed class DatasetDesktopTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    [Fact]
    public void A_recorded_form_fill_becomes_an_episode_whose_actions_name_the_fields_they_acted_on()
    {
        var env = new Dictionary<string, string?>(Env) { ["DISPLAY"] = null };
        var (exit, stdout, stderr) = CliProcess.Run(env, "demo", "--data", DataDir, "--json");
        Assert.True(exit == 0, stderr);
        using var summary = JsonDocument.Parse(stdout);
        var datasetPath = summary.RootElement.GetProperty("dataset").GetProperty("path").GetString()!;
        Assert.True(File.Exists(summary.RootElement.GetProperty("dataset").GetProperty("viewer").GetString()));

        var episodeLine = Assert.Single(File.ReadAllLines(Path.Combine(datasetPath, "episodes.jsonl")));
        using var episode = JsonDocument.Parse(episodeLine);
        var root = episode.RootElement;
        Assert.Equal("Enter a lunch expense", root.GetProperty("task").GetString());
        Assert.Equal("task_end", root.GetProperty("end_reason").GetString());
        var steps = root.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("action")).ToList();

        static string? Field(JsonElement action) =>
            action.TryGetProperty("target", out var target) ? (target.TryGetProperty("label", out var label) ? label.GetString() : target.TryGetProperty("name", out var name) ? name.GetString() : null) : null;
        static string Kind(JsonElement action) => action.GetProperty("kind").GetString()!;
        static string? Text(JsonElement action) => action.TryGetProperty("text", out var text) ? text.GetString() : null;

        var typing = steps.Where(a => Kind(a) == "type").Select(a => (Text(a), Field(a))).ToList();
        Assert.Equal(
            [
                ("Team lunch at Café Zoë with <EMAIL_ADDRESS>", "Description"),
                ("42.50", "Amount"),
                (" Receipt #4711 attached.", "Notes"),
                ("<EMAIL_ADDRESS>", "Email"),
                ("<REDACTED>", "Password"),
            ],
            typing);
        var password = steps.Single(a => Text(a) == "<REDACTED>");
        Assert.Contains("SENSITIVE_FIELD", password.GetProperty("redactions").EnumerateArray().Select(r => r.GetString()));

        var select = steps.Single(a => Kind(a) == "select").GetProperty("ui");
        Assert.Equal(("Category", "Meals"), (select.GetProperty("control").GetString(), select.GetProperty("value").GetString()));
        var setValue = steps.Single(a => Kind(a) == "set_value").GetProperty("ui");
        Assert.Equal("Amount", setValue.GetProperty("control").GetString());
        Assert.Contains(steps, a => Kind(a) == "click" && Field(a) == "Notes" && a.GetProperty("clicks").GetInt32() == 2);
        Assert.Equal([["ctrl", "a"], ["ctrl", "end"]], steps.Where(a => Kind(a) == "hotkey").Select(a => a.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray()));
        Assert.Equal([-4, 2], steps.Where(a => Kind(a) == "scroll").Select(a => -a.GetProperty("scroll_dy").GetInt32()));

        // Nothing the safeguards removed comes back in any export.
        foreach (var file in Directory.EnumerateFiles(datasetPath, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/images/", StringComparison.Ordinal)))
        {
            var content = File.ReadAllText(file);
            Assert.DoesNotContain("correct horse battery staple", content, StringComparison.Ordinal);
            Assert.DoesNotContain("@example", content, StringComparison.Ordinal);
        }
    }
}
