using System.Globalization;
using Understudy.Core.Model;
using Understudy.Dataset.Episodes;
using Understudy.Dataset.Reduction;

namespace Understudy.Tests.Dataset.Reduction;

/// <summary>
/// A hand-written session for golden tests of the reduction: events are added at a clock that only
/// moves with <see cref="Wait"/> (and the helpers that say how long they take), so every threshold
/// can be hit to the millisecond. Each method returns the seq of the event it added.
/// </summary>
internal sealed class EventScript
{
    private const long Ms = 1_000_000;
    private static readonly DateTimeOffset Epoch = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    private readonly List<SessionEvent> _events = [];
    private long _ns = 10_000 * Ms;

    public IReadOnlyList<SessionEvent> Events => _events;

    /// <summary>Milliseconds since the script's start: where the clock stands.</summary>
    public long NowMs => (_ns / Ms) - 10_000;

    public EventScript Wait(int ms)
    {
        _ns += ms * Ms;
        return this;
    }

    public long Add(EventPayload payload)
    {
        var seq = _events.Count;
        _events.Add(new SessionEvent(seq, _ns, Epoch.AddTicks((_ns - (10_000 * Ms)) / 100), payload));
        return seq;
    }

    public long Move(int x, int y) => Add(new PointerMovePayload(x, y));

    public long Down(int x, int y, MouseButton button = MouseButton.Left, Modifiers modifiers = Modifiers.None) =>
        Add(new ButtonPayload(true, button, x, y, modifiers));

    public long Up(int x, int y, MouseButton button = MouseButton.Left, Modifiers modifiers = Modifiers.None) =>
        Add(new ButtonPayload(false, button, x, y, modifiers));

    /// <summary>A press and, <paramref name="holdMs"/> later, its release in place; the clock stands at the release.</summary>
    public (long Down, long Up) Click(int x, int y, MouseButton button = MouseButton.Left, int holdMs = 60, Modifiers modifiers = Modifiers.None)
    {
        var down = Down(x, y, button, modifiers);
        Wait(holdMs);
        return (down, Up(x, y, button, modifiers));
    }

    public long KeyDown(string key, string? text = null, Modifiers modifiers = Modifiers.None) =>
        Add(new KeyPayload(true, key, text, modifiers, KeyCode(key)));

    public long KeyUp(string key, Modifiers modifiers = Modifiers.None) =>
        Add(new KeyPayload(false, key, null, modifiers, KeyCode(key)));

    /// <summary>A key pressed and released <paramref name="holdMs"/> later; the clock stands at the release.</summary>
    public (long Down, long Up) Tap(string key, string? text = null, Modifiers modifiers = Modifiers.None, int holdMs = 40)
    {
        var down = KeyDown(key, text, modifiers);
        Wait(holdMs);
        return (down, KeyUp(key, modifiers));
    }

    /// <summary>
    /// Each character as a key press that produced it and its release (40 ms held, 120 ms from one
    /// press to the next); the clock stands 80 ms after the last release.
    /// </summary>
    public List<long> Type(string text, Modifiers modifiers = Modifiers.None)
    {
        var seqs = new List<long>();
        foreach (var c in text)
        {
            var key = c switch
            {
                ' ' => "space",
                '.' => "period",
                '@' => "2",
                _ => char.ToLowerInvariant(c).ToString(CultureInfo.InvariantCulture),
            };
            var (down, up) = Tap(key, c.ToString(CultureInfo.InvariantCulture), modifiers);
            seqs.Add(down);
            seqs.Add(up);
            Wait(80);
        }
        return seqs;
    }

    public long Scroll(int dx, int dy, int x, int y, Modifiers modifiers = Modifiers.None) =>
        Add(new ScrollPayload(dx, dy, x, y, modifiers));

    public long Focus(string app, string? title = null) =>
        Add(new FocusPayload(app, app.ToLowerInvariant(), title, 4242, new Rect(0, 0, 1280, 800), 7));

    /// <summary>Runs the reducer over the script and checks that every input event is accounted for exactly once.</summary>
    public Reduced Reduce(ReductionOptions? options = null)
    {
        var reduced = new Reduced();
        var reducer = new ActionReducer(options ?? new ReductionOptions(), reduced);
        foreach (var recorded in _events)
        {
            reducer.Add(recorded);
        }
        reducer.Complete();
        reduced.AssertEveryInputAccountedOnce(_events);
        return reduced;
    }

    /// <summary>Runs the reducer and the episode assembler, as <c>dataset build</c> does; returns every step in order.</summary>
    public List<TrajectoryStep> Steps(ReductionOptions? options = null)
    {
        var reduction = options ?? new ReductionOptions();
        var episodes = new List<Episode>();
        var assembler = new EpisodeAssembler(
            new SessionFacts("golden", new ScreenSize(1280, 800), Accessibility: true, Frames: false),
            new EpisodeOptions(), reduction, episodes.Add);
        var reducer = new ActionReducer(reduction, assembler);
        foreach (var recorded in _events)
        {
            assembler.CountRawEvent(recorded.Seq);
            reducer.Add(recorded);
        }
        reducer.Complete();
        assembler.Complete();
        return [.. episodes.SelectMany(e => e.Steps)];
    }

    // A code per key name, the same in every run, as X would give; the reducer only looks at names.
    private static int KeyCode(string key) => 8 + (key.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & 0x7fffffff) % 240;
}

/// <summary>What the reducer handed on, in order, with a one-line golden form of each action.</summary>
internal sealed class Reduced : IReductionSink
{
    public List<AgentAction> Actions { get; } = [];

    public List<ReductionDrop> Drops { get; } = [];

    public List<SessionEvent> Observations { get; } = [];

    /// <summary>Every action in its golden form, in order.</summary>
    public List<string> Golden => [.. Actions.Select(Describe)];

    public void OnAction(AgentAction action) => Actions.Add(action);

    public void OnDrop(ReductionDrop drop) => Drops.Add(drop);

    public void OnEvent(SessionEvent observation) => Observations.Add(observation);

    public AgentAction Single(ActionKind kind) => Assert.Single(Actions, a => a.Kind == kind);

    /// <summary>
    /// One line per action: <c>click left x2 at 100,200</c>, <c>drag left 10,10 -> 90,10</c>,
    /// <c>scroll 0,3 at 300,300</c>, <c>type "hello"</c>, <c>hotkey ctrl+shift+s</c>,
    /// <c>press down x3</c>; held modifiers follow in brackets.
    /// </summary>
    public static string Describe(AgentAction action)
    {
        var button = action.Button is { } b ? b.ToWireName() : "?";
        var at = action.Position is { } p ? $"{p.X},{p.Y}" : "?";
        var line = action.Kind switch
        {
            ActionKind.Click => $"click {button} x{action.Clicks} at {at}",
            ActionKind.Drag => $"drag {button} {at} -> {action.EndPosition?.X},{action.EndPosition?.Y}",
            ActionKind.Hold => $"hold {button} at {at}",
            ActionKind.Scroll => $"scroll {action.ScrollDx},{action.ScrollDy} at {at}",
            ActionKind.Type => $"type \"{action.Text}\"",
            ActionKind.Hotkey => $"hotkey {string.Join('+', action.Keys)}",
            ActionKind.Press => $"press {string.Join('+', action.Keys)} x{action.Repeat}",
            _ => $"{action.Kind.ToWireName()} {action.Ui?.Control}={action.Ui?.Value}",
        };
        return action.HeldModifiers.Count == 0 ? line : $"{line} [{string.Join('+', action.HeldModifiers)}]";
    }

    /// <summary>Drops as <c>seq:reason</c>, in seq order.</summary>
    public List<string> DropLines => [.. Drops.OrderBy(d => d.Seq).Select(d => $"{d.Seq}:{d.Reason}")];

    public static List<string> DropsOf(IEnumerable<long> seqs, string reason) => [.. seqs.Order().Select(s => $"{s}:{reason}")];

    public void AssertEveryInputAccountedOnce(IReadOnlyList<SessionEvent> events)
    {
        var owners = new Dictionary<long, int>();
        foreach (var seq in Actions.SelectMany(a => a.InputSeqs).Concat(Drops.Select(d => d.Seq)))
        {
            owners[seq] = owners.GetValueOrDefault(seq) + 1;
        }
        foreach (var recorded in events)
        {
            var input = recorded.Kind is EventKind.KeyDown or EventKind.KeyUp or EventKind.ButtonDown or EventKind.ButtonUp or EventKind.Scroll;
            // A sensitive-field redaction stands for keys that are not in the session: its action owns it.
            var standsForInput = recorded.Payload is RedactionPayload { Target: RedactionTargets.SensitiveField };
            var count = owners.GetValueOrDefault(recorded.Seq);
            if (input)
            {
                Assert.True(count == 1, $"input event {recorded.Seq} ({recorded.Kind}) is owned {count} times");
            }
            else if (!standsForInput)
            {
                Assert.True(count == 0, $"event {recorded.Seq} ({recorded.Kind}) is no input but is owned {count} times");
            }
        }
    }
}
