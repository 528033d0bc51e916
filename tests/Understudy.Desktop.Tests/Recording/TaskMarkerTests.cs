using System.Globalization;
using System.Text.Json;
using Understudy.Core.Model;
using Understudy.Desktop.Tests.Harness;

namespace Understudy.Desktop.Tests.Recording;

/// <summary>
/// Tasks marked while recording, with the real recorder process: 'understudy task begin|end' over
/// its control socket and the task hotkey from inside the application; the dataset builder cuts
/// episodes there, names them after the task, and keeps the hotkey itself out of the actions.
/// </summary>
[Collection("desktop")]
public sealed class TaskMarkerTests(DesktopFixture fixture) : RecordingTestBase(fixture)
{
    private const string FormClass = "UnderstudyDemo";

    private (int Exit, string Stdout, string Stderr) Task(params string[] args) =>
        CliProcess.Run(Env, ["task", .. args, "--data", DataDir]);

    [Fact]
    public void Tasks_from_the_command_and_the_hotkey_become_named_episodes_without_the_hotkey_in_them()
    {
        var form = Desktop.StartApp("bash", RepoPaths.Script("demo-form.sh"));
        try
        {
            var window = Desktop.WaitForWindow(FormClass, TimeSpan.FromSeconds(30));
            Desktop.RunTool("xdotool", "windowactivate", "--sync", window.ToString(CultureInfo.InvariantCulture));
            AcceptConsent();
            var (noRecorder, _, noRecorderErr) = Task("begin", "anything");
            Assert.Equal(2, noRecorder);
            Assert.Contains("no recorder is running", noRecorderErr, StringComparison.Ordinal);

            using var recorder = CliProcess.Start(Env, "record", "--data", DataDir, "--allow-app", FormClass, "--no-frames");
            recorder.WaitForStderr("recording session", TimeSpan.FromSeconds(30));

            var (begin, beginOut, beginErr) = Task("begin", "File the lunch expense for bob@example.com", "--json");
            Assert.True(begin == 0, beginErr);
            using (var answer = JsonDocument.Parse(beginOut))
            {
                Assert.True(answer.RootElement.GetProperty("task_open").GetBoolean());
                Assert.Equal("File the lunch expense for <EMAIL_ADDRESS>", answer.RootElement.GetProperty("label").GetString());
            }
            Desktop.RunTool("xdotool", "type", "--delay", "40", "first task");
            Pause(1000);
            var (end, _, endErr) = Task("end");
            Assert.True(end == 0, endErr);
            var (again, _, againErr) = Task("end");
            Assert.Equal(2, again);
            Assert.Contains("no task is open", againErr, StringComparison.Ordinal);
            var (badText, _, badTextErr) = Task("begin", "two\nlines");
            Assert.Equal(2, badText);
            Assert.Contains("one line", badTextErr, StringComparison.Ordinal);

            // The hotkey opens an unnamed task from inside the application and closes it again.
            Pause(500);
            Desktop.RunTool("xdotool", "key", "ctrl+alt+shift+t");
            Pause(500);
            var (status, statusOut, _) = Task("status", "--json");
            Assert.Equal(0, status);
            Assert.Contains("\"task_open\": true", statusOut, StringComparison.Ordinal);
            Desktop.RunTool("xdotool", "type", "--delay", "40", " second");
            Pause(1000);
            Desktop.RunTool("xdotool", "key", "ctrl+alt+shift+t");
            Pause(1500);
            recorder.Signal(2);
            Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(Path.Combine(DataDir, "recorder.sock")), "the control socket outlived the recorder");

            var sessionId = recorder.Stdout.Trim();
            var markers = CliProcess.Export(Env, DataDir, sessionId).Select(e => e.Payload).OfType<MarkerPayload>()
                .Where(m => m.Marker is MarkerTypes.TaskBegin or MarkerTypes.TaskEnd).Select(m => (m.Marker, m.Label)).ToList();
            Assert.Equal(
                [
                    (MarkerTypes.TaskBegin, "File the lunch expense for <EMAIL_ADDRESS>"),
                    (MarkerTypes.TaskEnd, null),
                    (MarkerTypes.TaskBegin, null),
                    (MarkerTypes.TaskEnd, null),
                ],
                markers);

            var output = Path.Combine(Root, "dataset");
            var (build, _, buildErr) = CliProcess.Run(Env, "dataset", "build", "--data", DataDir, "--out", output, "--format", "jsonl", "--min-quality", "any");
            Assert.True(build == 0, buildErr);
            var episodes = File.ReadAllLines(Path.Combine(output, "episodes.jsonl")).Select(line => JsonDocument.Parse(line)).ToList();
            try
            {
                var tasks = episodes.Where(e => e.RootElement.GetProperty("end_reason").GetString() == "task_end").ToList();
                Assert.Equal(2, tasks.Count);
                Assert.Equal("File the lunch expense for <EMAIL_ADDRESS>", tasks[0].RootElement.GetProperty("task").GetString());
                Assert.Equal(JsonValueKind.Null, tasks[1].RootElement.TryGetProperty("task", out var unnamed) ? unnamed.ValueKind : JsonValueKind.Null);
                static IEnumerable<JsonElement> Actions(JsonDocument episode) =>
                    episode.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("action"));
                Assert.Contains(Actions(tasks[0]), a => a.GetProperty("kind").GetString() == "type" && a.GetProperty("text").GetString() == "first task");
                Assert.Contains(Actions(tasks[1]), a => a.GetProperty("kind").GetString() == "type" && a.GetProperty("text").GetString() == " second");
                Assert.DoesNotContain(episodes.SelectMany(Actions), a => a.GetProperty("kind").GetString() == "hotkey");
            }
            finally
            {
                episodes.ForEach(e => e.Dispose());
            }
        }
        finally
        {
            if (!form.HasExited)
            {
                form.Kill(entireProcessTree: true);
                form.WaitForExit();
            }
            form.Dispose();
        }
    }
}
