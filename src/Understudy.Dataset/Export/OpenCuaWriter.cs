using System.Text.Json;
using Understudy.Dataset.Episodes;

namespace Understudy.Dataset.Export;

/// <summary>
/// <c>opencua/trajectories.jsonl</c>: one task a line in the shape of OpenCUA's released AgentNet
/// data (<c>task_id</c>, <c>instruction</c>, <c>traj</c> of <c>{index, image, value: {code, action,
/// thought, observation, reflection, last_step_correct, last_step_redundant}}</c>). The image of a
/// step is the screen before its action; an episode that ended at a task-end marker gets a final
/// <c>computer.terminate</c> step on the last screen. Steps whose action has no PyAutoGUI form
/// (a keyboard-made selection) are left out and counted.
/// </summary>
public sealed class OpenCuaWriter : IDatasetWriter
{
    public const string RelativePath = "opencua/trajectories.jsonl";

    private readonly DatasetLayout _layout;
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;

    public OpenCuaWriter(DatasetLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        Directory.CreateDirectory(Path.GetDirectoryName(layout.Full(RelativePath))!);
        _file = new FileStream(layout.Full(RelativePath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _json = new Utf8JsonWriter(_file, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Format => "opencua";

    public int StepsWithoutCode { get; private set; }

    public int EpisodesWithoutScreen { get; private set; }

    public void Write(EpisodeRecord episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var screen = episode.Screen ?? ScreenFromFrames(episode);
        if (screen is null)
        {
            // Without the screen's size nothing can be normalised.
            EpisodesWithoutScreen++;
            return;
        }
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("task_id", episode.EpisodeId);
        _json.WriteString("instruction", episode.Task ?? "");
        _json.WriteBoolean("task_completed", episode.EndReason == EpisodeEnds.TaskEnd);
        _json.WriteString("session_id", episode.SessionId);
        _json.WriteStartArray("apps");
        foreach (var app in episode.Apps)
        {
            _json.WriteStringValue(app);
        }
        _json.WriteEndArray();
        _json.WriteStartArray("quality");
        foreach (var flag in episode.Quality)
        {
            _json.WriteStringValue(flag);
        }
        _json.WriteEndArray();
        _json.WriteStartArray("traj");
        var index = 0;
        FrameRecord? lastScreen = null;
        foreach (var step in episode.Steps)
        {
            var code = PyAutoGuiCode.For(step.Action, screen);
            if (code is null)
            {
                StepsWithoutCode++;
                continue;
            }
            WriteStep(index++, step.Before, code, ActionDescriptions.Describe(step.Action));
            lastScreen = step.After ?? step.Before ?? lastScreen;
        }
        if (episode.EndReason == EpisodeEnds.TaskEnd && index > 0)
        {
            WriteStep(index, lastScreen, PyAutoGuiCode.Terminate(success: true), "Finish the task");
        }
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _file.WriteByte((byte)'\n');
    }

    private void WriteStep(int index, FrameRecord? image, string code, string action)
    {
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        if (image is null)
        {
            _json.WriteNull("image");
        }
        else
        {
            _json.WriteString("image", image.Image);
        }
        _json.WriteStartObject("value");
        _json.WriteString("code", code);
        _json.WriteString("action", action);
        _json.WriteString("thought", "");
        _json.WriteString("observation", "");
        _json.WriteString("reflection", "");
        _json.WriteBoolean("last_step_correct", true);
        _json.WriteBoolean("last_step_redundant", false);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    // A session that does not say its screen size: a whole-screen frame divided by its scale does.
    private static ScreenRecord? ScreenFromFrames(EpisodeRecord episode)
    {
        foreach (var step in episode.Steps)
        {
            if ((step.Before ?? step.After) is { Scale: > 0 } frame)
            {
                return new ScreenRecord((int)Math.Round(frame.Width / frame.Scale), (int)Math.Round(frame.Height / frame.Scale));
            }
        }
        return null;
    }

    public IReadOnlyList<string> Complete()
    {
        _json.Flush();
        _file.Flush(flushToDisk: true);
        return [RelativePath];
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
        GC.KeepAlive(_layout);
    }
}
