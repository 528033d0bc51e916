using Understudy.Core.Guards;
using Understudy.Core.Model;
using Understudy.Dataset.Import;
using Understudy.Redaction;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Dataset.Import;

/// <summary>Small hand-written recordings in the tools' on-disk formats, in a temporary folder, and a store to import them into.</summary>
internal sealed class ImportFixture : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public ImportFixture()
    {
        Recording = _root.Combine("recording");
        Directory.CreateDirectory(Recording);
    }

    public TestStore Store { get; } = new();

    public string Recording { get; }

    public void Write(string name, params string[] lines) => File.WriteAllText(Path.Combine(Recording, name), string.Join("\n", lines) + "\n");

    public ImportResult Import(ImportFormat format, ImportDiagnostics? diagnostics = null, ImportSettings? settings = null) =>
        SessionImporter.Import(Recording, format, Store.Store, settings ?? Settings(), diagnostics ?? new ImportDiagnostics());

    public static ImportSettings Settings() => new() { Redactor = new TextRedactionEngine(), SensitiveFields = SensitiveFieldRules.Default };

    public List<SessionEvent> Events(string id) => [.. Store.Store.ReadEvents(id)];

    public void Dispose()
    {
        Store.Dispose();
        _root.Dispose();
    }

    public static string Move(double ts, double x, double y) => Fmt($"{{\"time_stamp\": {ts}, \"action\": \"move\", \"x\": {x}, \"y\": {y}}}");

    public static string Click(double ts, double x, double y, bool pressed, string button = "left") =>
        Fmt($"{{\"time_stamp\": {ts}, \"action\": \"click\", \"x\": {x}, \"y\": {y}, \"button\": \"{button}\", \"pressed\": {(pressed ? "true" : "false")}}}");

    public static string Scroll(double ts, double dx, double dy) => Fmt($"{{\"time_stamp\": {ts}, \"action\": \"scroll\", \"x\": 5, \"y\": 6, \"dx\": {dx}, \"dy\": {dy}}}");

    public static string Key(double ts, string name, bool press = true) =>
        Fmt($"{{\"time_stamp\": {ts}, \"action\": \"{(press ? "press" : "release")}\", \"name\": {System.Text.Json.JsonSerializer.Serialize(name)}}}");

    /// <summary>Press and release of each character of <paramref name="text"/>, 0.1 s apart, from <paramref name="ts"/>.</summary>
    public static IEnumerable<string> Type(double ts, string text)
    {
        foreach (var c in text)
        {
            yield return Key(ts, c.ToString());
            yield return Key(ts + 0.05, c.ToString(), press: false);
            ts += 0.1;
        }
    }

    public static string Metadata(int width = 320, int height = 240, int scroll = 1, double? videoStart = null, string? obsStarted = null) =>
        Fmt($"{{\"system\": \"Windows\", \"screen_width\": {width}, \"screen_height\": {height}, \"scroll_direction\": {scroll}, \"start_time\": \"2024-05-01 10:00:00\"")
        + (videoStart is { } v ? Fmt($", \"video_start_timestamp\": {v}") : "")
        + (obsStarted is { } o ? $", \"obs_record_state_timings\": {{\"OBS_WEBSOCKET_OUTPUT_STARTED\": [{o}]}}" : "")
        + "}";

    private static string Fmt(FormattableString text) => FormattableString.Invariant(text);
}
