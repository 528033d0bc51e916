using FsCheck;
using FsCheck.Xunit;
using Understudy.Core.Model;

namespace Understudy.Tests.Model;

public sealed class EventJsonTests
{
    private static readonly DateTimeOffset Wall = new(2026, 11, 23, 9, 30, 15, 123, TimeSpan.Zero);

    public static TheoryData<EventPayload> Payloads() => new(BasicPayloads().Concat(ObservationPayloads()));

    // The element, ui and frame samples the storage tests use too.
    private static IEnumerable<EventPayload> ObservationPayloads() =>
        Understudy.Tests.Storage.SampleEvents.EveryKind().Where(p => p.Kind is EventKind.Element or EventKind.Ui or EventKind.Frame or EventKind.Redaction);

    private static EventPayload[] BasicPayloads() =>
    [
        new KeyPayload(true, "a", "A", Modifiers.Shift | Modifiers.CapsLock, 38),
        new KeyPayload(false, "shift_l", null, Modifiers.Shift, 50),
        new KeyPayload(true, "eacute", "é", Modifiers.None, 200),
        new PointerMovePayload(-5, 1079),
        new ButtonPayload(true, MouseButton.Right, 10, 20, Modifiers.Ctrl),
        new ScrollPayload(-1, 0, 300, 400, Modifiers.None),
        new FocusPayload("Yad", "yad", "Expense — form \"quoted\"", 1234, new Rect(100, 100, 600, 420), 0x1a00003),
        new FocusPayload("", null, null, null, null, 0),
        new GapPayload(GapReasons.OutOfScope, 1_500_000_000, 42),
        new MarkerPayload(MarkerTypes.TaskBegin, "file the Café receipt 🍰"),
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Every_kind_round_trips_through_its_line(EventPayload payload)
    {
        var original = new SessionEvent(17, 123_456_789_012, Wall, payload);
        var line = EventJson.ToJson(original);
        Assert.DoesNotContain('\n', line);
        Assert.Equal(original, EventJson.Parse(line));
    }

    [Fact]
    public void Lines_use_the_documented_snake_case_fields()
    {
        var line = EventJson.ToJson(new SessionEvent(3, 99, Wall, new KeyPayload(true, "Return", null, Modifiers.Ctrl, 36)));
        Assert.Equal(
            "{\"seq\":3,\"t_mono_ns\":99,\"t_wall\":\"2026-11-23T09:30:15.1230000Z\",\"kind\":\"key_down\",\"key\":\"Return\",\"text\":null,\"modifiers\":[\"ctrl\"],\"keycode\":36}",
            line);
    }

    [Property(MaxTest = 300)]
    public bool Typed_text_of_any_unicode_round_trips(NonNull<string> text, int x, int y)
    {
        var key = new SessionEvent(1, 2, Wall, new KeyPayload(true, "k", text.Get, Modifiers.None, 10));
        var move = new SessionEvent(2, 3, Wall, new PointerMovePayload(x, y));
        return EventJson.Parse(EventJson.ToJson(key)) == key && EventJson.Parse(EventJson.ToJson(move)) == move;
    }

    [Theory]
    [InlineData("not json", "not a JSON object")]
    [InlineData("{\"seq\":1,\"t_mono_ns\":1,\"t_wall\":\"2026-11-23T00:00:00Z\",\"kind\":\"teleport\"}", "field 'kind'")]
    [InlineData("{\"seq\":\"x\",\"t_mono_ns\":1,\"t_wall\":\"2026-11-23T00:00:00Z\",\"kind\":\"pointer_move\",\"x\":1,\"y\":2}", "field 'seq'")]
    [InlineData("{\"seq\":1,\"t_mono_ns\":1,\"t_wall\":\"2026-11-23T00:00:00Z\",\"kind\":\"pointer_move\",\"x\":1}", "field 'y'")]
    public void Bad_lines_name_the_field_that_is_wrong(string line, string expected)
    {
        var error = Assert.Throws<FormatException>(() => EventJson.Parse(line));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

}
