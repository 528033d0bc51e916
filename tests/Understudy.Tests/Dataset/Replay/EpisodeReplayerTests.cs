using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Dataset.Build;
using Understudy.Dataset.Export;
using Understudy.Dataset.Replay;
using Understudy.Tests.Dataset.Build;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Dataset.Replay;

/// <summary>Every kind of step becomes the input that made it; what cannot be replayed is counted, never guessed.</summary>
public sealed class EpisodeReplayerTests
{
    private static ActionRecord Action(string kind, long offsetMs = 0) => new()
    {
        Kind = kind,
        FirstSeq = 0,
        LastSeq = 0,
        OffsetMs = offsetMs,
        DurationMs = 0,
    };

    internal static EpisodeRecord Episode(ScreenRecord? screen, params ActionRecord[] actions) => new()
    {
        EpisodeId = "20261204T000000Z-abcdef-000",
        SessionId = "20261204T000000Z-abcdef",
        Index = 0,
        TaskSource = "none",
        EndReason = "session_end",
        Apps = ["App"],
        StartedAt = DateTimeOffset.UnixEpoch,
        EndedAt = DateTimeOffset.UnixEpoch,
        DurationMs = 0,
        Screen = screen,
        RawEvents = 0,
        Quality = [],
        ActionsByKind = new Dictionary<string, int>(),
        DropsByReason = new Dictionary<string, int>(),
        RedactionsByType = new Dictionary<string, int>(),
        GapMsByReason = new Dictionary<string, long>(),
        Steps = [.. actions.Select((a, i) => new StepRecord { Index = i, Action = a })],
    };

    private static (ReplayReport Report, List<string> Operations, List<TimeSpan> Sleeps) Run(EpisodeRecord episode, ScreenSize? screen = null, double? speed = null, Action<InputOperationLog>? setUp = null)
    {
        var log = new InputOperationLog(screen ?? new ScreenSize(800, 600));
        setUp?.Invoke(log);
        var sleeps = new List<TimeSpan>();
        var options = new ReplayOptions { SpeedFactor = speed, PathSampleStep = TimeSpan.Zero, KeyStep = TimeSpan.Zero };
        var report = new EpisodeReplayer(log, settle: null, options, sleeps.Add).Replay(episode);
        return (report, [.. log.Operations], sleeps);
    }

    private static readonly ScreenRecord Screen800 = new(800, 600);

    [Fact]
    public void A_double_click_with_shift_held_moves_there_and_clicks_twice_inside_the_modifier()
    {
        var click = Action("click") with { Position = new PointRecord(120, 80), Button = "left", Clicks = 2, HeldModifiers = ["shift"], PointerPath = [[0, 10, 10], [40, 60, 40]] };
        var (report, operations, _) = Run(Episode(Screen800, click));

        Assert.Equal(
            ["move 10,10", "move 60,40", "key Shift_L down", "move 120,80", "button 1 down", "button 1 up", "button 1 down", "button 1 up", "key Shift_L up"],
            operations);
        Assert.Equal((1, 1), (report.Steps, report.Replayed));
    }

    [Theory]
    [InlineData("right", 3)]
    [InlineData("middle", 2)]
    public void Right_and_middle_clicks_use_their_buttons(string button, int number)
    {
        var (_, operations, _) = Run(Episode(Screen800, Action("click") with { Position = new PointRecord(5, 6), Button = button, Clicks = 1 }));
        Assert.Equal(["move 5,6", $"button {number} down", $"button {number} up"], operations);
    }

    [Fact]
    public void A_drag_presses_at_its_start_follows_the_path_after_the_press_and_releases_at_its_end()
    {
        var drag = Action("drag") with
        {
            Position = new PointRecord(100, 100),
            EndPosition = new PointRecord(300, 140),
            Button = "left",
            PointerPath = [[0, 50, 50], [10, 100, 100], [60, 200, 120], [90, 300, 140]],
        };
        var (_, operations, _) = Run(Episode(Screen800, drag));

        Assert.Equal(["move 50,50", "move 100,100", "button 1 down", "move 200,120", "move 300,140", "move 300,140", "button 1 up"], operations);
    }

    [Fact]
    public void A_hold_keeps_the_button_down_for_its_recorded_duration()
    {
        var hold = Action("hold") with { Position = new PointRecord(7, 8), Button = "left", DurationMs = 1200 };
        var (_, operations, sleeps) = Run(Episode(Screen800, hold));
        Assert.Equal(["move 7,8", "button 1 down", "button 1 up"], operations);
        Assert.Contains(TimeSpan.FromMilliseconds(1200), sleeps);
    }

    [Fact]
    public void Scrolls_become_wheel_notches_up_down_left_and_right()
    {
        var up = Action("scroll") with { Position = new PointRecord(10, 20), ScrollDy = -2 };
        var right = Action("scroll") with { Position = new PointRecord(10, 20), ScrollDx = 1, ScrollDy = 1 };
        var (_, operations, _) = Run(Episode(Screen800, up, right));
        Assert.Equal(
            ["move 10,20", "button 4 down", "button 4 up", "button 4 down", "button 4 up",
             "move 10,20", "button 5 down", "button 5 up", "button 7 down", "button 7 up"],
            operations);
    }

    [Fact]
    public void Typed_text_is_typed_character_by_character_and_placeholders_are_left_out_and_counted()
    {
        var typed = Action("type") with { Text = "Zoë <EMAIL_ADDRESS>\n" };
        var password = Action("type") with { Text = "<REDACTED>" };
        var (report, operations, _) = Run(Episode(Screen800, typed, password));

        Assert.Equal(["char Z", "char o", "char ë", "char  ", "key Return down", "key Return up"], operations);
        Assert.Equal(2, report.RedactedSpansNotTyped);
        Assert.Equal(1, report.Replayed);
        Assert.Equal(1, report.SkippedByReason[ReplaySkipReasons.Redacted]);
    }

    [Fact]
    public void A_hotkey_presses_its_keys_in_order_and_releases_them_in_reverse()
    {
        var (_, operations, _) = Run(Episode(Screen800, Action("hotkey") with { Keys = ["ctrl", "shift", "s"] }));
        Assert.Equal(["key Control_L down", "key Shift_L down", "key s down", "key s up", "key Shift_L up", "key Control_L up"], operations);
    }

    [Fact]
    public void A_repeated_press_is_tapped_as_often_as_it_was()
    {
        var (_, operations, _) = Run(Episode(Screen800, Action("press") with { Keys = ["down"], Repeat = 3 }));
        Assert.Equal(["key Down down", "key Down up", "key Down down", "key Down up", "key Down down", "key Down up"], operations);
    }

    [Fact]
    public void Semantic_steps_replay_the_input_that_made_them_and_one_without_input_is_skipped()
    {
        var selectByClick = Action("select") with { Position = new PointRecord(30, 40), Button = "left", Clicks = 1, Ui = new UiRecord("Category", "combo box", "Meals", null, null) };
        var menuByKeys = Action("menu") with { Keys = ["enter"], Repeat = 1 };
        var setByTyping = Action("set_value") with { Text = "42" };
        var setByProgram = Action("set_value") with { Ui = new UiRecord("Total", "label", "42", null, null) };
        var (report, operations, _) = Run(Episode(Screen800, selectByClick, menuByKeys, setByTyping, setByProgram));

        Assert.Equal(["move 30,40", "button 1 down", "button 1 up", "key Return down", "key Return up", "char 4", "char 2"], operations);
        Assert.Equal(3, report.Replayed);
        Assert.Equal(1, report.SkippedByReason[ReplaySkipReasons.NoInput]);
    }

    [Fact]
    public void A_key_the_display_lacks_skips_the_step_without_leaving_a_key_held()
    {
        var (report, operations, _) = Run(Episode(Screen800, Action("hotkey") with { Keys = ["ctrl", "alt", "f13"] }), setUp: log => log.UnknownKeys.Add("F13"));

        Assert.Equal(1, report.SkippedByReason[ReplaySkipReasons.UnknownKey]);
        Assert.Equal(["key Control_L down", "key Alt_L down", "key Alt_L up", "key Control_L up"], operations);
    }

    [Fact]
    public void On_a_screen_of_another_size_coordinates_are_scaled()
    {
        var click = Action("click") with { Position = new PointRecord(100, 50), Button = "left", Clicks = 1 };
        var (report, operations, _) = Run(Episode(new ScreenRecord(400, 300), click), new ScreenSize(800, 600));
        Assert.True(report.CoordinatesScaled);
        Assert.Equal("move 200,100", operations[0]);
    }

    [Fact]
    public void At_recorded_speed_each_step_waits_for_its_recorded_time_divided_by_the_factor()
    {
        var first = Action("press", offsetMs: 1000) with { Keys = ["tab"] };
        var second = Action("press", offsetMs: 5000) with { Keys = ["tab"] };
        var (_, _, sleeps) = Run(Episode(Screen800, first, second), speed: 2);

        // The first step starts at once; the second 4 s later at twice the pace: about 2 s (less what the first took).
        var wait = Assert.Single(sleeps, s => s > TimeSpan.FromMilliseconds(500));
        Assert.InRange(wait.TotalMilliseconds, 1500, 2000);
    }

    [Fact]
    public void Normal_speed_does_not_wait_for_recorded_time()
    {
        var first = Action("press", offsetMs: 0) with { Keys = ["tab"] };
        var second = Action("press", offsetMs: 60_000) with { Keys = ["tab"] };
        var (_, _, sleeps) = Run(Episode(Screen800, first, second));
        Assert.DoesNotContain(sleeps, s => s > TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("normal", null)]
    [InlineData("recorded", 1.0)]
    [InlineData("2", 2.0)]
    [InlineData("0.5", 0.5)]
    public void Speeds_parse(string text, double? factor) => Assert.Equal(factor, ReplayOptions.ParseSpeed(text));

    [Theory]
    [InlineData("fast")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000")]
    public void Bad_speeds_are_refused(string text) =>
        Assert.Contains("--speed", Assert.Throws<ArgumentException>(() => ReplayOptions.ParseSpeed(text)).Message, StringComparison.Ordinal);
}

/// <summary>The episodes file: read from a real built dataset; every kind of bad input named with its line.</summary>
public sealed class EpisodeFileTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_built_dataset_reads_back_and_replays_without_a_display()
    {
        using var store = new TestStore();
        new SyntheticRecording().WriteTo(store.Store);
        var built = new DatasetBuilder(store.Store, new DatasetBuildOptions { OutputDirectory = _dir.Combine("ds"), Formats = ["jsonl"] }).Build();

        var episode = Assert.Single(EpisodeFile.Read(EpisodeFile.Resolve(built.OutputDirectory)));
        var log = new InputOperationLog(new ScreenSize(SyntheticRecording.ScreenWidth, SyntheticRecording.ScreenHeight));
        var report = new EpisodeReplayer(log, null, new ReplayOptions(), _ => { }).Replay(episode);

        Assert.Equal(episode.Steps.Count, report.Replayed);
        Assert.Contains("move 240,116", log.Operations);
        Assert.Equal(1, report.RedactedSpansNotTyped);
        // Every key and button pressed is released again.
        Assert.Equal(log.Operations.Count(o => o.EndsWith(" down", StringComparison.Ordinal)), log.Operations.Count(o => o.EndsWith(" up", StringComparison.Ordinal)));
    }

    [Fact]
    public void Bad_files_are_named_with_the_line_and_what_is_wrong()
    {
        Assert.Contains("no such file", Assert.Throws<ReplayInputException>(() => EpisodeFile.Resolve(_dir.Combine("missing"))).Message, StringComparison.Ordinal);
        Directory.CreateDirectory(_dir.Combine("empty-dataset"));
        Assert.Contains("no episodes.jsonl", Assert.Throws<ReplayInputException>(() => EpisodeFile.Resolve(_dir.Combine("empty-dataset"))).Message, StringComparison.Ordinal);

        var good = EpisodeRecordJson.Format(EpisodeReplayerTests.Episode(new ScreenRecord(10, 10)));
        var file = _dir.Combine("episodes.jsonl");
        File.WriteAllText(file, good + "\n{\"episode_id\": 3}\n");
        Assert.StartsWith($"{file}:2: not an episode", Assert.Throws<ReplayInputException>(() => EpisodeFile.Read(file)).Message, StringComparison.Ordinal);
        File.WriteAllText(file, good + "\nnot json\n");
        Assert.StartsWith($"{file}:2: ", Assert.Throws<ReplayInputException>(() => EpisodeFile.Read(file)).Message, StringComparison.Ordinal);
        File.WriteAllText(file, good.Replace("\"schema_version\":1", "\"schema_version\":9", StringComparison.Ordinal));
        Assert.Contains("schema_version 9 is not supported", Assert.Throws<ReplayInputException>(() => EpisodeFile.Read(file)).Message, StringComparison.Ordinal);
        File.WriteAllText(file, good);
        Assert.Contains("no episode 'nope'", Assert.Throws<ReplayInputException>(() => EpisodeFile.Read(file, "nope")).Message, StringComparison.Ordinal);
        File.WriteAllText(file, "\n");
        Assert.Contains("holds no episodes", Assert.Throws<ReplayInputException>(() => EpisodeFile.Read(file)).Message, StringComparison.Ordinal);
    }
}
