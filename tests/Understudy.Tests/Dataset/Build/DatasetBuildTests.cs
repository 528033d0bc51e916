using System.Text.Json;
using Json.Schema;
using Parquet.Serialization;
using SkiaSharp;
using Understudy.Dataset.Build;
using Understudy.Dataset.Export;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Dataset.Build;

/// <summary>
/// <c>dataset build</c> on sessions in a real store: every format is written, reads back, and
/// says the same thing as the native records; bad input is refused or built as far as it goes.
/// </summary>
public sealed class DatasetBuildTests : IDisposable
{
    private readonly TestStore _store = new();
    private readonly TemporaryDirectory _out = new();

    public void Dispose()
    {
        _store.Dispose();
        _out.Dispose();
    }

    private DatasetBuildResult Build(string name = "ds", Func<DatasetBuildOptions, DatasetBuildOptions>? change = null)
    {
        var options = new DatasetBuildOptions { OutputDirectory = _out.Combine(name), Parallelism = 2 };
        return new DatasetBuilder(_store.Store, change is null ? options : change(options)).Build();
    }

    private static List<EpisodeRecord> Episodes(DatasetBuildResult result) =>
        [.. File.ReadLines(Path.Combine(result.OutputDirectory, NativeJsonlWriter.RelativePath)).Select(line => JsonSerializer.Deserialize(line, EpisodeRecordJson.Default.EpisodeRecord)!)];

    [Fact]
    public void A_recorded_task_becomes_one_episode_with_its_actions_targets_and_frames()
    {
        var id = new SyntheticRecording().WriteTo(_store.Store);
        var result = Build();

        var episode = Assert.Single(Episodes(result));
        Assert.Equal($"{id}-000", episode.EpisodeId);
        Assert.Equal("File the <b>lunch</b> expense", episode.Task);
        Assert.Equal("task_end", episode.EndReason);
        Assert.Equal(["ExpenseApp"], episode.Apps);
        Assert.Equal(new ScreenRecord(400, 300), episode.Screen);
        Assert.Equal(["type", "click", "scroll", "drag", "hotkey"], episode.Steps.Select(s => s.Action.Kind));

        var typed = episode.Steps[0].Action;
        Assert.Equal("hi <EMAIL_ADDRESS>", typed.Text);
        Assert.Equal("Description", typed.Target?.Label);
        Assert.Contains("EMAIL_ADDRESS", typed.Redactions ?? []);

        var click = episode.Steps[1];
        Assert.Equal(new PointRecord(240, 116), click.Action.Position);
        Assert.Equal("Save", click.Action.Target?.Name);
        Assert.Equal(["panel", "frame"], click.Action.Target!.Ancestors.Select(a => a.Role));
        Assert.Equal("recorded", click.Before?.Source);
        Assert.Equal("recorded", click.After?.Source);
        Assert.NotNull(click.Action.PointerPath);

        Assert.Equal(3, episode.Steps[2].Action.ScrollDy);
        Assert.Equal(new PointRecord(150, 260), episode.Steps[3].Action.EndPosition);
        Assert.Equal(["ctrl", "s"], episode.Steps[4].Action.Keys);
        Assert.Equal(1, result.Manifest.Statistics.RedactionsByType["EMAIL_ADDRESS"]);
    }

    [Fact]
    public void The_after_frame_of_a_patch_is_composed_into_the_whole_screen()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        var result = Build();
        var click = Episodes(result)[0].Steps[1];

        using var before = SKBitmap.Decode(Path.Combine(result.OutputDirectory, click.Before!.Image));
        using var after = SKBitmap.Decode(Path.Combine(result.OutputDirectory, click.After!.Image));
        Assert.Equal((400, 300), (after.Width, after.Height));
        var inside = SyntheticRecording.PatchRegion;
        Assert.Equal(SyntheticRecording.PatchColour, after.GetPixel(inside.X + 5, inside.Y + 5));
        Assert.Equal(SyntheticRecording.KeyframeColour, after.GetPixel(inside.X - 5, inside.Y + 5));
        Assert.Equal(SyntheticRecording.KeyframeColour, before.GetPixel(inside.X + 5, inside.Y + 5));
    }

    [Fact]
    public void Every_native_record_satisfies_the_published_json_schema()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        var result = Build();
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(result.OutputDirectory, NativeJsonlWriter.SchemaPath)));
        foreach (var line in File.ReadLines(Path.Combine(result.OutputDirectory, NativeJsonlWriter.RelativePath)))
        {
            using var document = JsonDocument.Parse(line);
            var evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(evaluation.IsValid, string.Join("; ", (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        }
    }

    [Fact]
    public void The_opencua_export_has_valid_pyautogui_code_for_every_step_and_ends_with_terminate()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        var result = Build();
        var lines = File.ReadAllLines(Path.Combine(result.OutputDirectory, OpenCuaWriter.RelativePath));
        using var task = JsonDocument.Parse(Assert.Single(lines));
        var root = task.RootElement;
        Assert.Equal("File the <b>lunch</b> expense", root.GetProperty("instruction").GetString());
        Assert.True(root.GetProperty("task_completed").GetBoolean());
        var steps = root.GetProperty("traj").EnumerateArray().ToList();
        var codes = steps.Select(s => s.GetProperty("value").GetProperty("code").GetString()!).ToList();
        Assert.Equal("pyautogui.write('hi <EMAIL_ADDRESS>')", codes[0]);
        Assert.Equal("pyautogui.click(x=0.6, y=0.3867)", codes[1]);
        Assert.Equal("pyautogui.scroll(-3, x=0.75, y=0.6667)", codes[2]);
        Assert.Equal("pyautogui.moveTo(x=0.125, y=0.8333)\npyautogui.dragTo(x=0.375, y=0.8667, button='left')", codes[3]);
        Assert.Equal("pyautogui.hotkey('ctrl', 's')", codes[4]);
        Assert.Equal("computer.terminate(status='success')", codes[^1]);
        Assert.Equal(Enumerable.Range(0, steps.Count), steps.Select(s => s.GetProperty("index").GetInt32()));
        foreach (var image in steps.Select(s => s.GetProperty("image")).Where(i => i.ValueKind == JsonValueKind.String))
        {
            Assert.True(File.Exists(Path.Combine(result.OutputDirectory, image.GetString()!)), image.GetString());
        }
        Assert.Equal("ok", PythonCheck.Check(codes));
    }

    [Fact]
    public async Task The_parquet_shards_read_back_with_one_row_per_step_and_embedded_images()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        new SyntheticRecording(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero)).WriteTo(_store.Store);
        var result = Build();
        var shard = Assert.Single(Directory.GetFiles(Path.Combine(result.OutputDirectory, "data"), "*.parquet"));
        Assert.EndsWith("train-00000-of-00001.parquet", shard, StringComparison.Ordinal);

        await using var stream = File.OpenRead(shard);
        var read = await ParquetSerializer.DeserializeAsync<ParquetStepRow>(stream);
        var rows = read.Data;
        Assert.Contains("\"_type\":\"Image\"", read.CustomMetadata!["huggingface"], StringComparison.Ordinal);
        var episodes = Episodes(result);
        Assert.Equal(episodes.Sum(e => e.Steps.Count), rows.Count);
        Assert.Equal(episodes.SelectMany(e => e.Steps.Select(s => (e.EpisodeId, s.Index))), rows.Select(r => (r.EpisodeId, r.StepIndex)));
        var click = rows.First(r => r.ActionKind == "click");
        Assert.Equal("pyautogui.click(x=0.6, y=0.3867)", click.Code);
        using var after = SKBitmap.Decode(click.AfterImage!.Bytes);
        Assert.Equal(SyntheticRecording.PatchColour, after.GetPixel(SyntheticRecording.PatchRegion.X + 1, SyntheticRecording.PatchRegion.Y + 1));
        Assert.Equal("Save", JsonSerializer.Deserialize(click.ActionJson, EpisodeRecordJson.Default.ActionRecord)!.Target!.Name);
    }

    [Fact]
    public void The_viewer_escapes_recorded_text_and_draws_the_click()
    {
        var id = new SyntheticRecording().WriteTo(_store.Store);
        var result = Build();
        var page = File.ReadAllText(Path.Combine(result.OutputDirectory, "viewer", $"{id}-000.html"));
        Assert.Contains("File the &lt;b&gt;lunch&lt;/b&gt; expense", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>lunch", page, StringComparison.Ordinal);
        Assert.Contains("<circle cx=\"240\" cy=\"116\"", page, StringComparison.Ordinal);
        Assert.Contains($"{id}-000.html", File.ReadAllText(Path.Combine(result.OutputDirectory, "viewer", "index.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_card_and_lineage_account_for_every_session_and_episode()
    {
        var first = new SyntheticRecording().WriteTo(_store.Store);
        var second = new SyntheticRecording(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero)).WriteTo(_store.Store);
        var result = Build();

        var card = File.ReadAllText(Path.Combine(result.OutputDirectory, DatasetCard.RelativePath));
        Assert.StartsWith("---\nconfigs:", card, StringComparison.Ordinal);
        Assert.Contains("| episodes | 2 (2 with a task text) |", card, StringComparison.Ordinal);
        Assert.Contains("| EMAIL_ADDRESS | 2 |", card, StringComparison.Ordinal);
        Assert.Contains("dtype: image", card, StringComparison.Ordinal);

        using var lineage = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, DatasetLineage.RelativePath)));
        var sessions = lineage.RootElement.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), sessions.Select(s => s.GetProperty("session_id").GetString()));
        Assert.All(sessions, s => Assert.Equal(_store.Key.KeyId, s.GetProperty("device_key_id").GetString()));
        Assert.Equal([$"{first}-000"], sessions.Single(s => s.GetProperty("session_id").GetString() == first).GetProperty("episodes").EnumerateArray().Select(e => e.GetString()));
        Assert.True(Directory.Exists(Path.Combine(result.OutputDirectory, "images", first)));
    }

    [Fact]
    public void Building_twice_gives_the_same_records()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        new SyntheticRecording(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero)).WriteTo(_store.Store);
        var one = File.ReadAllText(Path.Combine(Build("a").OutputDirectory, NativeJsonlWriter.RelativePath));
        var two = File.ReadAllText(Path.Combine(Build("b", o => o with { Parallelism = 1 }).OutputDirectory, NativeJsonlWriter.RelativePath));
        Assert.Equal(one, two);
    }

    [Fact]
    public void Filters_leave_out_episodes_of_other_apps_dates_and_lower_quality()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        new SyntheticRecording(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)) { App = "OtherApp" }.WriteTo(_store.Store);

        var byApp = Build("app", o => o with { Apps = ["otherapp"] });
        Assert.Equal(["OtherApp"], Assert.Single(Episodes(byApp)).Apps);
        Assert.Equal(1, byApp.Manifest.Statistics.EpisodesFilteredOut["app"]);

        var byDate = Build("date", o => o with { Since = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal(["OtherApp"], Assert.Single(Episodes(byDate)).Apps);

        // The typed email is a redaction gap: a clean-only build keeps nothing.
        var clean = Build("clean", o => o with { MinQuality = MinQuality.Clean });
        Assert.Empty(Episodes(clean));
        Assert.Equal(2, clean.Manifest.Statistics.EpisodesFilteredOut["quality"]);
    }

    [Fact]
    public void A_crashed_session_is_built_as_far_as_it_goes_and_flagged_truncated()
    {
        var id = new SyntheticRecording().WriteTo(_store.Store, close: false);
        var result = Build();
        var episode = Assert.Single(Episodes(result));
        Assert.Equal(id, episode.SessionId);
        Assert.Contains("truncated", episode.Quality);
    }

    [Fact]
    public void A_session_of_another_device_key_is_skipped_with_one_line()
    {
        var kept = new SyntheticRecording().WriteTo(_store.Store);
        using var otherKey = Understudy.Storage.DeviceKeyStore.LoadOrCreate(_store.Root + "/other.key");
        var foreign = new SyntheticRecording(new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.Zero)).WriteTo(new Understudy.Storage.SessionStore(_store.DataPath, otherKey));

        var result = Build();
        Assert.Equal(1, result.SessionsSkipped);
        var problem = Assert.Single(result.Problems);
        Assert.Contains(foreign, problem, StringComparison.Ordinal);
        Assert.Equal(kept, Assert.Single(Episodes(result)).SessionId);
    }

    [Fact]
    public void A_session_of_a_newer_format_version_is_skipped_with_one_line_naming_it()
    {
        var kept = new SyntheticRecording().WriteTo(_store.Store);
        var newer = new SyntheticRecording(new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.Zero)).WriteTo(_store.Store);
        var manifest = _store.ManifestPath(newer);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format_version\": 1", "\"format_version\": 2", StringComparison.Ordinal));

        var result = Build();
        Assert.Equal(1, result.SessionsSkipped);
        var problem = Assert.Single(result.Problems);
        Assert.Contains(newer, problem, StringComparison.Ordinal);
        Assert.Contains("format_version 2", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
        Assert.Equal(kept, Assert.Single(Episodes(result)).SessionId);
    }

    [Fact]
    public void A_log_damaged_in_the_middle_is_built_up_to_the_damage_and_flagged_truncated()
    {
        var id = new SyntheticRecording { FlushEvery = 5 }.WriteTo(_store.Store);
        var log = _store.LogPath(id);
        var bytes = File.ReadAllBytes(log);
        // Flip a byte two thirds of the way in: that frame fails authentication, so it and every frame after it are lost.
        bytes[bytes.Length * 2 / 3] ^= 0x5a;
        File.WriteAllBytes(log, bytes);

        var result = Build();
        var episode = Assert.Single(Episodes(result));
        Assert.Contains("truncated", episode.Quality);
        Assert.Contains(result.Problems, p => p.Contains(id, StringComparison.Ordinal) && p.Contains("log ends early", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_frame_blob_leaves_the_step_without_a_screen_and_flags_it()
    {
        var id = new SyntheticRecording().WriteTo(_store.Store);
        foreach (var blob in Directory.GetFiles(Path.Combine(_store.SessionDirectory(id), "blobs"), "*", SearchOption.AllDirectories))
        {
            File.Delete(blob);
        }
        var result = Build();
        var episode = Assert.Single(Episodes(result));
        Assert.Null(episode.Steps[1].Before);
        Assert.Contains("missing_frames", episode.Quality);
        Assert.Contains(result.Problems, p => p.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public void An_existing_dataset_is_not_replaced_without_overwrite_and_a_failed_build_leaves_nothing()
    {
        new SyntheticRecording().WriteTo(_store.Store);
        var first = Build();
        var error = Assert.Throws<DatasetBuildException>(() => Build());
        Assert.Contains("exists and is not empty", error.Message, StringComparison.Ordinal);
        var replaced = Build(change: o => o with { Overwrite = true });
        Assert.NotEqual(first.Manifest.DatasetId, replaced.Manifest.DatasetId);
        Assert.Equal([_out.Combine("ds")], Directory.GetDirectories(_out.Path));

        Directory.CreateDirectory(_out.Combine("notes"));
        File.WriteAllText(_out.Combine("notes", "mine.txt"), "keep me");
        Assert.Throws<DatasetBuildException>(() => Build("notes", o => o with { Overwrite = true }));
        Assert.Equal("keep me", File.ReadAllText(_out.Combine("notes", "mine.txt")));

        Assert.Throws<DatasetBuildException>(() => Build("x", o => o with { Formats = ["csv"] }));
        Assert.Throws<DatasetBuildException>(() => Build("y", o => o with { SessionIds = ["20260101T000000Z-000000"] }));
        Assert.False(Directory.Exists(_out.Combine("x")));
    }
}
