using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;

namespace Understudy.Tests.Guards;

/// <summary>
/// Model-based properties of typing attribution. A simulated application (fields, some sensitive;
/// whether it reports typing into its sensitive fields) processes a generated schedule of user
/// actions in order, late, in bursts, and reports focus changes and insertions that arrive later
/// still, in its order, some lost or duplicated; the attributor is fed keys, reports and polls in
/// one merged arrival order, as the accessibility thread would be. What the model knows and the
/// attributor does not is where every key really went. Then the guard on its own: generated typing
/// with generated facts (none, late, for some keys only) through the guard and the seq remap.
/// </summary>
public sealed class TypingAttributionProperties
{
    private const long Ms = 1_000_000;
    private const int Pid = 4242;
    private const string Bullet = "\u25cf";
    private static readonly AttributionOptions Attribution = new();
    private static readonly long MaxBindMs = (long)Attribution.MaxBind.TotalMilliseconds;

    internal enum FieldKind
    {
        Ordinary,
        Sensitive,

        /// <summary>Takes the focus but no text (a button): keys typed there insert nothing.</summary>
        Inert,
    }

    internal enum ActionKind
    {
        Type,
        Tab,
        ShiftTab,
        Click,

        /// <summary>The application moves the focus itself (a wizard page, an auto-advancing code field).</summary>
        AppMovesFocus,
        Pause,
    }

    /// <summary>What becomes of the report an action makes the application emit.</summary>
    internal enum Fate
    {
        Delivered,
        Duplicated,

        /// <summary>The source sees the report but cannot read it (its application stopped answering).</summary>
        Unreadable,

        /// <summary>The source never sees it.</summary>
        Lost,
    }

    internal sealed record SimulatedApp(FieldKind[] Fields, bool ReportsSensitiveTyping, bool CoalescesBursts, int InitiallyFocused, Fate SnapshotFate)
    {
        public override string ToString() =>
            $"fields [{string.Join(", ", Fields)}], reports sensitive typing: {ReportsSensitiveTyping}, coalesces: {CoalescesBursts}, focused first: {InitiallyFocused} (snapshot {SnapshotFate})";
    }

    /// <summary>
    /// One user action (or the application's own focus move), captured <see cref="GapMs"/> after the
    /// previous one and processed <see cref="LagMs"/> after its capture (or with the action before
    /// it, if that was processed later); its report, if any, arrives <see cref="DeliveryMs"/> after
    /// that. A typed key reaches the attributor <see cref="KeyDelayMs"/> after its capture.
    /// </summary>
    internal sealed record UserAction(ActionKind Kind, char Char, int Target, int GapMs, int LagMs, int DeliveryMs, int KeyDelayMs, Fate FocusFate, Fate InsertFate, int PollAfterMs, int Tie)
    {
        public override string ToString()
        {
            var what = Kind switch
            {
                ActionKind.Type => $"type '{Char}'",
                ActionKind.Click => $"click field {Target}",
                ActionKind.AppMovesFocus => $"app focuses field {Target}",
                _ => Kind.ToString(),
            };
            var fate = Kind == ActionKind.Type ? InsertFate : FocusFate;
            return $"+{GapMs}ms {what} (lag {LagMs}, delivery {DeliveryMs}, key delay {KeyDelayMs}, {fate}, poll {PollAfterMs}, tie {Tie})";
        }
    }

    internal sealed record Scenario(SimulatedApp App, UserAction[] Actions)
    {
        public override string ToString() => $"{App}\n  {string.Join("\n  ", Actions.Select(a => a.ToString()))}";
    }

    /// <summary>Which departures from an orderly application the generator may produce.</summary>
    private sealed record Faults(Fate[] FocusFates, Fate[] InsertFates, bool AppMovesFocus, bool InertFields, bool SilentSensitiveFields, bool Coalescing, int MaxLagMs);

    private static readonly Fate[] EveryFate = [Fate.Duplicated, Fate.Unreadable, Fate.Lost];

    private static readonly Faults Anything = new(EveryFate, EveryFate, true, true, true, true, 5_000);

    // Every fault the source can see happening: a report repeated, a report it cannot read. (D-Bus
    // delivers every signal, in order, to a connected listener; see SilentLosses for the rest.)
    private static readonly Fate[] SeenFates = [Fate.Duplicated, Fate.Unreadable];

    private static readonly Faults EverySeenFault = new(SeenFates, SeenFates, true, true, true, true, 5_000);

    private static readonly Faults Orderly = new([], [], false, false, false, true, (int)(MaxBindMs / 2) - 1);

    private static readonly Faults OneInsertionPerKey = new([Fate.Duplicated, Fate.Unreadable], [], true, false, true, false, 5_000);

    /// <summary>Most reports are delivered; each of the faults allowed happens now and then.</summary>
    private static Gen<Fate> Fates(Fate[] faults) =>
        Gen.Frequency([(16, Gen.Constant(Fate.Delivered)), .. faults.Select(f => (1, Gen.Constant(f)))]);

    private static Gen<ActionKind> ActionKinds(Faults faults)
    {
        var kinds = new List<(int, Gen<ActionKind>)>
        {
            (10, Gen.Constant(ActionKind.Type)),
            (2, Gen.Constant(ActionKind.Tab)),
            (1, Gen.Constant(ActionKind.ShiftTab)),
            (1, Gen.Constant(ActionKind.Click)),
            (1, Gen.Constant(ActionKind.Pause)),
        };
        if (faults.AppMovesFocus)
        {
            kinds.Add((1, Gen.Constant(ActionKind.AppMovesFocus)));
        }
        return Gen.Frequency(kinds);
    }

    private static Gen<UserAction> Actions(Faults faults, int fieldCount) =>
        from kind in ActionKinds(faults)
        // Few letters, so that keys typed into different fields often have the same text.
        from c in Gen.Elements('a', 'b', 'c')
        from target in Gen.Choose(0, fieldCount - 1)
        from gap in kind == ActionKind.Pause ? Gen.Choose(500, 8_000) : Gen.Choose(1, 200)
        // Mostly a responsive application, now and then a stall (the actions after it come in a burst).
        from lag in Gen.Frequency((4, Gen.Choose(0, 150)), (1, Gen.Choose(0, faults.MaxLagMs)))
        from delivery in Gen.Frequency((4, Gen.Choose(0, 20)), (1, Gen.Choose(0, 500)))
        // The recorder's ordering window, now and then a busy pipeline.
        from keyDelay in Gen.Frequency((4, Gen.Constant(30)), (1, Gen.Choose(0, 2_000)))
        from focusFate in Fates(faults.FocusFates)
        from insertFate in Fates(faults.InsertFates)
        from poll in Gen.Frequency((1, Gen.Constant(-1)), (1, Gen.Choose(0, 3_000)))
        from tie in Gen.Choose(0, 3)
        select new UserAction(kind, c, target, gap, lag, delivery, keyDelay, focusFate, insertFate, poll, tie);

    private static Gen<FieldKind> FieldKinds(Faults faults) => faults.InertFields
        ? Gen.Frequency((3, Gen.Constant(FieldKind.Ordinary)), (2, Gen.Constant(FieldKind.Sensitive)), (1, Gen.Constant(FieldKind.Inert)))
        : Gen.Frequency((3, Gen.Constant(FieldKind.Ordinary)), (2, Gen.Constant(FieldKind.Sensitive)));

    private static Gen<Scenario> Scenarios(Faults faults) =>
        from fieldCount in Gen.Choose(1, 4)
        from fields in FieldKinds(faults).ArrayOf(fieldCount)
        from reports in faults.SilentSensitiveFields ? Gen.Elements(true, false) : Gen.Constant(true)
        from coalesces in faults.Coalescing ? Gen.Elements(true, false) : Gen.Constant(false)
        from initial in Gen.Choose(0, fieldCount - 1)
        from snapshot in Fates(faults.FocusFates)
        from count in Gen.Choose(1, 30)
        from actions in Actions(faults, fieldCount).ArrayOf(count)
        select new Scenario(new SimulatedApp(fields, reports, coalesces, initial, snapshot), actions);

    /// <summary>Smaller scenarios first: fewer actions, then fewer faults and shorter delays.</summary>
    private static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var actions = scenario.Actions;
        for (var i = 0; i < actions.Length && actions.Length > 1; i++)
        {
            yield return scenario with { Actions = [.. actions[..i], .. actions[(i + 1)..]] };
        }
        if (scenario.App.SnapshotFate != Fate.Delivered)
        {
            yield return scenario with { App = scenario.App with { SnapshotFate = Fate.Delivered } };
        }
        if (scenario.App.CoalescesBursts)
        {
            yield return scenario with { App = scenario.App with { CoalescesBursts = false } };
        }
        for (var i = 0; i < actions.Length; i++)
        {
            var a = actions[i];
            UserAction[] simpler =
            [
                a with { FocusFate = Fate.Delivered },
                a with { InsertFate = Fate.Delivered },
                a with { PollAfterMs = -1 },
                a with { Tie = 0 },
                a with { LagMs = a.LagMs / 2 },
                a with { DeliveryMs = a.DeliveryMs / 2 },
                a with { KeyDelayMs = Math.Min(a.KeyDelayMs, 30) },
                a with { GapMs = Math.Max(1, a.GapMs / 2) },
            ];
            foreach (var candidate in simpler.Where(c => c != a))
            {
                var copy = (UserAction[])actions.Clone();
                copy[i] = candidate;
                yield return scenario with { Actions = copy };
            }
        }
    }

    /// <summary>
    /// The scenario with the person typing into a sensitive field first (if there is one): until an
    /// application has shown that it reports such typing, a key that may have been processed while a
    /// sensitive field had the focus is judged sensitive, by design.
    /// </summary>
    private static Scenario TypingIntoASensitiveFieldFirst(Scenario scenario)
    {
        var sensitive = Array.IndexOf(scenario.App.Fields, FieldKind.Sensitive);
        if (sensitive < 0)
        {
            return scenario;
        }
        var first = new UserAction(ActionKind.Type, 'p', 0, 1, 0, 0, 30, Fate.Delivered, Fate.Delivered, -1, 0);
        return new Scenario(scenario.App with { InitiallyFocused = sensitive }, [first, .. scenario.Actions]);
    }

    private static Arbitrary<Scenario> ScenarioArbitrary(Faults faults) => Arb.From(Scenarios(faults), Shrink);

    /// <summary>Where a typed key really went, as only the model knows.</summary>
    private readonly record struct KeyTruth(long Seq, long CapturedMs, string Text, int Field, FieldKind Kind);

    private sealed record Outcome(Scenario Scenario, ElementPayload[] Fields, List<KeyTruth> Keys, List<FieldFact> Facts, List<string> Log, List<long> BulletArrivalsMs)
    {
        public string Describe(string problem) => $"{problem}\nscenario: {Scenario}\nattributor saw:\n  {string.Join("\n  ", Log)}";
    }

    private enum ReportKind
    {
        Focus,
        Insert,
    }

    private sealed record Report(ReportKind Kind, int Field, string Text, long EmittedMs, int DeliveryMs, Fate Fate, int Tie, int Offset = -1);

    private static ElementPayload Element(FieldKind kind, int index) => new(
        -1,
        ElementTriggers.Focus,
        kind switch { FieldKind.Sensitive => "password text", FieldKind.Inert => "push button", _ => "text" },
        null,
        $"Field {index}",
        kind == FieldKind.Inert ? ["focusable", "focused"] : ["editable", "focused"],
        new Rect(100, 100 + (40 * index), 240, 30),
        "app",
        Pid,
        []);

    /// <summary>Runs the application model and feeds the attributor in arrival order.</summary>
    private static Outcome Simulate(Scenario scenario)
    {
        var app = scenario.App;
        var fields = app.Fields.Select(Element).ToArray();
        var n = fields.Length;
        var reports = new List<Report>();
        var keys = new List<(KeyTruth Truth, long HandedMs, int Tie)>();
        var polls = new List<long>();
        // Input events the recorder hands to the source (keys, Tab, clicks), in capture order: the
        // source tells the attributor how far they have come.
        var recorded = new List<(long CapturedMs, long HandedMs)>();
        const long StartMs = 1_000;

        // The source's snapshot of the field focused at start, before anything is typed.
        reports.Add(new Report(ReportKind.Focus, app.InitiallyFocused, "", StartMs - 500, 0, app.SnapshotFate, 0));
        var focused = app.InitiallyFocused;
        // How much text each field holds: AT-SPI says at which offset each insertion went.
        var lengths = new int[n];
        long captured = StartMs, processed = StartMs, handed = StartMs;
        foreach (var action in scenario.Actions)
        {
            captured += action.GapMs;
            // One event loop: actions are processed in order, never before they were captured.
            processed = Math.Max(processed, captured + action.LagMs);
            if (action.PollAfterMs >= 0)
            {
                polls.Add(captured + action.PollAfterMs);
            }
            if (action.Kind is not (ActionKind.AppMovesFocus or ActionKind.Pause))
            {
                // The recorder hands input over in capture order.
                handed = Math.Max(handed, captured + action.KeyDelayMs);
                recorded.Add((captured, handed));
            }
            switch (action.Kind)
            {
                case ActionKind.Type:
                    var kind = app.Fields[focused];
                    var text = action.Char.ToString();
                    keys.Add((new KeyTruth(keys.Count, captured, text, focused, kind), handed, action.Tie));
                    if (kind == FieldKind.Ordinary)
                    {
                        if (app.CoalescesBursts && reports[^1] is { Kind: ReportKind.Insert } last && last.Field == focused && last.EmittedMs == processed)
                        {
                            // Keys handled in one go reported as one insertion.
                            reports[^1] = last with { Text = last.Text + text };
                        }
                        else
                        {
                            reports.Add(new Report(ReportKind.Insert, focused, text, processed, action.DeliveryMs, action.InsertFate, action.Tie, lengths[focused]));
                        }
                        lengths[focused] += text.Length;
                    }
                    else if (kind == FieldKind.Sensitive && app.ReportsSensitiveTyping)
                    {
                        reports.Add(new Report(ReportKind.Insert, focused, Bullet, processed, action.DeliveryMs, action.InsertFate, action.Tie, lengths[focused]));
                        lengths[focused] += Bullet.Length;
                    }
                    break;
                case ActionKind.Tab:
                    MoveFocus((focused + 1) % n, action);
                    break;
                case ActionKind.ShiftTab:
                    MoveFocus((focused + n - 1) % n, action);
                    break;
                case ActionKind.Click:
                case ActionKind.AppMovesFocus:
                    MoveFocus(action.Target % n, action);
                    break;
            }
        }

        void MoveFocus(int to, UserAction action)
        {
            // A click into the field already focused, or Tab with one field, reports nothing.
            if (to != focused)
            {
                focused = to;
                reports.Add(new Report(ReportKind.Focus, to, "", processed, action.DeliveryMs, action.FocusFate, action.Tie));
            }
        }

        // Reports arrive in the order the application emitted them.
        var arrivals = new List<(long AtMs, Report Report)>();
        var previousArrival = long.MinValue;
        foreach (var report in reports)
        {
            previousArrival = Math.Max(previousArrival, report.EmittedMs + report.DeliveryMs);
            arrivals.Add((previousArrival, report));
        }
        polls.Sort();
        var endMs = Math.Max(Math.Max(previousArrival, handed), polls.Count > 0 ? polls[^1] : 0);

        var attributor = new TypingAttributor(SensitiveFieldRules.Default, Attribution);
        if (app.ReportsSensitiveTyping)
        {
            // As the source does for GTK and Chromium: toolkits known to report typing into password fields.
            attributor.ReportsHiddenTyping(Pid);
        }
        var facts = new List<FieldFact>();
        var log = new List<string>();
        var given = new List<FieldFact>();

        void Record(long atMs, string call)
        {
            var made = given.Count > 0 ? " -> " + string.Join(", ", given.Select(f => $"{f.Kind} #{f.Seq} {f.Field?.Label}")) : "";
            log.Add($"{atMs,6} {call}{made}");
            facts.AddRange(given);
            given.Clear();
        }

        void Deliver(long atMs, Report report)
        {
            var field = fields[report.Field];
            for (var copy = 0; copy < (report.Fate == Fate.Duplicated ? 2 : 1); copy++)
            {
                switch (report.Kind, report.Fate)
                {
                    case (_, Fate.Lost):
                        log.Add($"{atMs,6} (lost {report.Kind} field {report.Field} '{report.Text}')");
                        break;
                    case (ReportKind.Insert, Fate.Unreadable):
                        // The source saw the insertion but could not describe its field.
                        attributor.InsertionUnreadable(atMs * Ms, given);
                        Record(atMs, $"insertion unreadable (was field {report.Field} '{report.Text}')");
                        break;
                    case (ReportKind.Focus, Fate.Unreadable):
                        attributor.FocusUnreadable(atMs * Ms, given);
                        Record(atMs, $"focus unreadable (was field {report.Field})");
                        break;
                    case (ReportKind.Focus, _):
                        attributor.Focused(atMs * Ms, field, given);
                        Record(atMs, $"focus field {report.Field}");
                        break;
                    default:
                        attributor.Inserted(atMs * Ms, field, report.Text, given, report.Offset);
                        Record(atMs, $"insert field {report.Field} '{report.Text}'");
                        break;
                }
            }
        }

        // Merge the three streams by time, each kept in its own order; ties between a report and a
        // key go either way (both orders happen), polls come after both.
        var handedOver = 0;
        void Delivered(long atMs)
        {
            // What the source does before every poll: tell how far the recorder's input has come.
            if (handedOver < recorded.Count && recorded[handedOver].HandedMs <= atMs)
            {
                while (handedOver < recorded.Count && recorded[handedOver].HandedMs <= atMs)
                {
                    handedOver++;
                }
                attributor.Delivered(recorded[handedOver - 1].CapturedMs * Ms, given);
                Record(atMs, $"delivered through {recorded[handedOver - 1].CapturedMs}");
            }
        }

        int r = 0, k = 0, p = 0;
        while (r < arrivals.Count || k < keys.Count || p < polls.Count)
        {
            var reportAt = r < arrivals.Count ? arrivals[r].AtMs : long.MaxValue;
            var keyAt = k < keys.Count ? keys[k].HandedMs : long.MaxValue;
            var pollAt = p < polls.Count ? polls[p] : long.MaxValue;
            var first = Math.Min(reportAt, Math.Min(keyAt, pollAt));
            if (reportAt == first && (keyAt != first || arrivals[r].Report.Tie <= keys[k].Tie))
            {
                Deliver(reportAt, arrivals[r].Report);
                r++;
            }
            else if (keyAt == first)
            {
                // The source hands over every key waiting for it, then says how far the recorder's
                // input has come (so no key it says has come is still in its queue), then polls.
                while (k < keys.Count && keys[k].HandedMs == keyAt)
                {
                    var truth = keys[k].Truth;
                    attributor.Key(truth.Seq, truth.CapturedMs * Ms, truth.Text, given);
                    Record(keyAt, $"key #{truth.Seq} '{truth.Text}' captured {truth.CapturedMs} (went into field {truth.Field}, {truth.Kind})");
                    k++;
                }
                Delivered(keyAt);
                attributor.Poll(keyAt * Ms, given);
                Record(keyAt, "poll");
            }
            else
            {
                Delivered(pollAt);
                attributor.Poll(pollAt * Ms, given);
                Record(pollAt, "poll");
                p++;
            }
        }
        // Long after everything: every key has had its chance.
        var lastPoll = endMs + MaxBindMs + 1_000;
        Delivered(lastPoll);
        attributor.Poll(lastPoll * Ms, given);
        Record(lastPoll, "poll");
        var bullets = arrivals.Where(a => a.Report is { Kind: ReportKind.Insert, Text: Bullet } && a.Report.Fate != Fate.Lost).Select(a => a.AtMs).ToList();
        return new Outcome(scenario, fields, [.. keys.Select(key => key.Truth)], facts, log, bullets);
    }

    private static string? EveryKeyJudgedOnce(Outcome outcome)
    {
        foreach (var key in outcome.Keys)
        {
            var judged = outcome.Facts.Count(f => f.Seq == key.Seq && f.Kind != FieldFactKind.SensitiveFieldFocused);
            if (judged != 1)
            {
                return $"key #{key.Seq} was judged {judged} times";
            }
        }
        foreach (var fact in outcome.Facts)
        {
            if (fact.Kind != FieldFactKind.SensitiveFieldFocused && (fact.Seq < 0 || fact.Seq >= outcome.Keys.Count))
            {
                return $"a fact about key #{fact.Seq}, never typed";
            }
        }
        return null;
    }

    private static Property Holds(Outcome outcome, string? problem) => (problem is null).Label(problem is null ? "" : outcome.Describe(problem));

    private static string? KeyTypedIntoASensitiveFieldReportedOrdinary(Outcome outcome)
    {
        foreach (var fact in outcome.Facts.Where(f => f.Kind == FieldFactKind.KeyOrdinary))
        {
            var key = outcome.Keys[(int)fact.Seq];
            if (key.Kind == FieldKind.Sensitive)
            {
                return $"key #{fact.Seq} went into sensitive field {key.Field} and was reported ordinary ({fact.Field?.Label})";
            }
        }
        return null;
    }

    private static string? KeyTypedIntoAnOrdinaryFieldNotPlacedThere(Outcome outcome)
    {
        foreach (var key in outcome.Keys.Where(k => k.Kind == FieldKind.Ordinary))
        {
            var fact = outcome.Facts.First(f => f.Seq == key.Seq && f.Kind != FieldFactKind.SensitiveFieldFocused);
            // The price of safety (docs/safeguards.md): a key typed while a password's bullets were
            // still on their way may be the one a bullet stood for, and is dropped with them.
            var typedWhileBulletsInFlight = outcome.BulletArrivalsMs.Any(arrival => arrival >= key.CapturedMs - 50);
            if (fact.Kind == FieldFactKind.KeySensitive && typedWhileBulletsInFlight)
            {
                continue;
            }
            if (fact.Kind != FieldFactKind.KeyOrdinary || fact.Field != outcome.Fields[key.Field])
            {
                return $"key #{key.Seq} went into ordinary field {key.Field} and was reported {fact.Kind} ({fact.Field?.Label})";
            }
        }
        return null;
    }

    /// <summary>
    /// Safety: a key the person typed into a sensitive field is never reported as ordinary, however
    /// the application lags, bursts or repeats its reports, whatever it reports, and whichever of its
    /// reports the source cannot read.
    /// </summary>
    [Property(MaxTest = 1_000)]
    public Property No_key_typed_into_a_sensitive_field_is_ever_reported_ordinary() =>
        Prop.ForAll(ScenarioArbitrary(EverySeenFault), scenario =>
        {
            var outcome = Simulate(scenario);
            return Holds(outcome, EveryKeyJudgedOnce(outcome) ?? KeyTypedIntoASensitiveFieldReportedOrdinary(outcome));
        });

    /// <summary>
    /// The same with reports that vanish without the source seeing anything (a bus that drops
    /// signals). Two such losses together (a password key's bullet and the focus report that moved
    /// away from the field) still let a key be placed by the next field's identical character: an
    /// open residual risk, named in docs/safeguards.md.
    /// </summary>
    [Property(MaxTest = 1_000, Skip = "open residual risk: reports lost without trace (docs/safeguards.md, Limits)")]
    public Property No_key_typed_into_a_sensitive_field_is_reported_ordinary_even_when_reports_vanish() =>
        Prop.ForAll(ScenarioArbitrary(Anything), scenario =>
        {
            var outcome = Simulate(scenario);
            return Holds(outcome, EveryKeyJudgedOnce(outcome) ?? KeyTypedIntoASensitiveFieldReportedOrdinary(outcome));
        });

    /// <summary>
    /// The same safety claim where the attributor keeps it today: every key the application takes
    /// text for is reported as one insertion of its own (none lost, repeated or merged with the
    /// next key's), however late, whatever becomes of the focus reports short of being lost
    /// without trace, whether or not sensitive fields report typing, with the application moving
    /// the focus itself. Not a substitute for the property above: it keeps what holds from regressing.
    /// </summary>
    [Property(MaxTest = 1_000)]
    public Property No_key_typed_into_a_sensitive_field_is_reported_ordinary_while_each_key_reports_its_own_insertion() =>
        Prop.ForAll(ScenarioArbitrary(OneInsertionPerKey), scenario =>
        {
            var outcome = Simulate(scenario);
            return Holds(outcome, EveryKeyJudgedOnce(outcome) ?? KeyTypedIntoASensitiveFieldReportedOrdinary(outcome));
        });

    /// <summary>
    /// Liveness: with an orderly application (nothing lost or repeated, lags under half the bound,
    /// typing into sensitive fields reported, the focus moved only by the person), every key typed
    /// into an ordinary field is placed there. Fails against the attributor as it is when the
    /// application reports the session's first keys as one insertion before the first of them is
    /// handed over (see the liveness counterexample).
    /// </summary>
    [Property(MaxTest = 1_000)]
    public Property Every_key_typed_into_an_ordinary_field_of_an_orderly_application_is_placed_there() =>
        Prop.ForAll(ScenarioArbitrary(Orderly), scenario =>
        {
            var outcome = Simulate(TypingIntoASensitiveFieldFirst(scenario));
            return Holds(outcome, EveryKeyJudgedOnce(outcome) ?? KeyTypedIntoAnOrdinaryFieldNotPlacedThere(outcome));
        });

    internal enum PlannedFact
    {
        Ordinary,
        Sensitive,
        Unknown,

        /// <summary>No fact ever comes for the key.</summary>
        Never,
    }

    internal enum PieceEnd
    {
        Tab,
        Return,
        Click,
        WindowChange,

        /// <summary>A pause longer than the mid-word pause: the piece ends by itself.</summary>
        Pause,
    }

    /// <summary>A text key and the fact the source gives about it <see cref="FactDelayMs"/> after it reached the guard.</summary>
    internal sealed record PlannedKey(PlannedFact Fact, int FactDelayMs, bool Shifted, bool BackSpaceAfter, bool ReleasedLate, int GapMs)
    {
        public override string ToString() =>
            $"+{GapMs}ms key ({Fact} after {FactDelayMs} ms{(Shifted ? ", shifted" : "")}{(BackSpaceAfter ? ", BackSpace after" : "")}{(ReleasedLate ? ", released after the piece's end" : "")})";
    }

    internal sealed record PlannedPiece(PlannedKey[] Keys, PieceEnd End, int EndGapMs)
    {
        public override string ToString() => $"piece ending with {End} after {EndGapMs} ms:\n    {string.Join("\n    ", Keys.Select(k => k.ToString()))}";
    }

    internal sealed record TypingSession(PlannedPiece[] Pieces, int FlushAfterMs)
    {
        public override string ToString() => $"{string.Join("\n  ", Pieces.Select(p => p.ToString()))}\n  flush {FlushAfterMs} ms after the last event";
    }

    private static readonly Gen<PlannedKey> PlannedKeys =
        from fact in Gen.Frequency(
            (10, Gen.Constant(PlannedFact.Ordinary)), (2, Gen.Constant(PlannedFact.Sensitive)), (1, Gen.Constant(PlannedFact.Unknown)), (1, Gen.Constant(PlannedFact.Never)))
        // Mostly soon, sometimes late, sometimes after the guard's wait ran out.
        from delay in Gen.Frequency((4, Gen.Choose(0, 500)), (2, Gen.Choose(500, 6_000)), (1, Gen.Choose(6_000, 15_000)))
        from shifted in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        from backSpace in Gen.Frequency((7, Gen.Constant(false)), (1, Gen.Constant(true)))
        from releasedLate in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        // Under the typing pause: the keys of a planned piece are one piece for the guard.
        from gap in Gen.Choose(20, 400)
        select new PlannedKey(fact, delay, shifted, backSpace, releasedLate, gap);

    private static readonly Gen<PlannedPiece> PlannedPieces =
        from count in Gen.Choose(1, 6)
        from keys in PlannedKeys.ArrayOf(count)
        from end in Gen.Elements(PieceEnd.Tab, PieceEnd.Return, PieceEnd.Click, PieceEnd.WindowChange, PieceEnd.Pause)
        from gap in end == PieceEnd.Pause ? Gen.Choose(3_500, 6_000) : Gen.Choose(20, 300)
        select new PlannedPiece(keys, end, gap);

    private static readonly Gen<TypingSession> TypingSessions =
        from count in Gen.Choose(1, 8)
        from pieces in PlannedPieces.ArrayOf(count)
        from flush in Gen.Choose(0, 12_000)
        select new TypingSession(pieces, flush);

    private static IEnumerable<TypingSession> ShrinkSession(TypingSession session)
    {
        var pieces = session.Pieces;
        for (var i = 0; i < pieces.Length && pieces.Length > 1; i++)
        {
            yield return session with { Pieces = [.. pieces[..i], .. pieces[(i + 1)..]] };
        }
        for (var i = 0; i < pieces.Length; i++)
        {
            var keys = pieces[i].Keys;
            for (var k = 0; k < keys.Length; k++)
            {
                var copy = (PlannedPiece[])pieces.Clone();
                PlannedKey[] simpler = keys.Length > 1 ? [.. keys[..k], .. keys[(k + 1)..]] : keys;
                if (simpler.Length < keys.Length)
                {
                    copy[i] = pieces[i] with { Keys = simpler };
                    yield return session with { Pieces = copy };
                }
                var key = keys[k];
                foreach (var candidate in new[] { key with { Shifted = false }, key with { BackSpaceAfter = false }, key with { ReleasedLate = false }, key with { FactDelayMs = key.FactDelayMs / 2 } }.Where(c => c != key))
                {
                    var edited = (PlannedKey[])keys.Clone();
                    edited[k] = candidate;
                    var withKey = (PlannedPiece[])pieces.Clone();
                    withKey[i] = pieces[i] with { Keys = edited };
                    yield return session with { Pieces = withKey };
                }
            }
        }
    }

    private static readonly DateTimeOffset Wall = new(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
    private static readonly ElementPayload OrdinaryField = Element(FieldKind.Ordinary, 0);
    private static readonly ElementPayload SensitiveField = Element(FieldKind.Sensitive, 1);

    /// <summary>Key <paramref name="n"/>'s name and text: unique, and found in nothing else stored.</summary>
    private static (string Name, string Text, int Code) KeyIdentity(int n) => ($"k{n}x", $"t{n}x", 1_000 + n);

    private sealed record GuardOutcome(TypingSession Session, List<SessionEvent> Stored, SeqRemap Remap, FakeTextRedactor Redactor, long[] KeySeqs, long[] KeyTimesMs, long FlushMs, string Log)
    {
        public string Describe(string problem) =>
            $"{problem}\nsession:\n  {Session}\nstored:\n  {string.Join("\n  ", Stored.Select(EventJson.ToJson))}\nfed:\n{Log}";
    }

    /// <summary>Feeds the planned session through a guard and a remap as the recorder does, facts coming from their own queue.</summary>
    private static GuardOutcome RunGuard(TypingSession session)
    {
        var schedule = new List<(long AtMs, int Priority, EventPayload? Payload, int Key, PlannedFact Fact)>();
        var keyCount = session.Pieces.Sum(p => p.Keys.Length);
        long t = 1_000;
        var n = 0;
        foreach (var (piece, index) in session.Pieces.Select((p, i) => (p, i)))
        {
            var lateReleases = new List<KeyPayload>();
            foreach (var key in piece.Keys)
            {
                var (name, text, code) = KeyIdentity(n);
                t += key.GapMs;
                if (key.Shifted)
                {
                    schedule.Add((t - 1, 0, new KeyPayload(true, "Shift_L", null, Modifiers.None, 50), -1, default));
                    schedule.Add((t + 3, 0, new KeyPayload(false, "Shift_L", null, Modifiers.Shift, 50), -1, default));
                }
                schedule.Add((t, 0, new KeyPayload(true, name, text, key.Shifted ? Modifiers.Shift : Modifiers.None, code), n, default));
                var release = new KeyPayload(false, name, null, Modifiers.None, code);
                if (key.ReleasedLate)
                {
                    lateReleases.Add(release);
                }
                else
                {
                    schedule.Add((t + 2, 0, release, -1, default));
                }
                if (key.BackSpaceAfter)
                {
                    schedule.Add((t + 4, 0, new KeyPayload(true, "BackSpace", null, Modifiers.None, 22), -1, default));
                    schedule.Add((t + 5, 0, new KeyPayload(false, "BackSpace", null, Modifiers.None, 22), -1, default));
                }
                if (key.Fact != PlannedFact.Never)
                {
                    // After the key reached the guard: the source learns of a key only once it is recorded.
                    schedule.Add((t + key.FactDelayMs, 1, null, n, key.Fact));
                }
                t += 6;
                n++;
            }
            t += piece.EndGapMs;
            switch (piece.End)
            {
                case PieceEnd.Tab:
                case PieceEnd.Return:
                    var boundary = piece.End == PieceEnd.Tab ? "Tab" : "Return";
                    schedule.Add((t, 0, new KeyPayload(true, boundary, null, Modifiers.None, 23), -1, default));
                    schedule.Add((t + 1, 0, new KeyPayload(false, boundary, null, Modifiers.None, 23), -1, default));
                    break;
                case PieceEnd.Click:
                    schedule.Add((t, 0, new ButtonPayload(true, MouseButton.Left, 150, 210, Modifiers.None), -1, default));
                    schedule.Add((t + 1, 0, new ButtonPayload(false, MouseButton.Left, 150, 210, Modifiers.None), -1, default));
                    break;
                case PieceEnd.WindowChange:
                    schedule.Add((t, 0, new FocusPayload("Yad", "yad", "Form", Pid, new Rect(0, 0, 800, 600), 7 + index), -1, default));
                    break;
            }
            foreach (var release in lateReleases)
            {
                schedule.Add((t + 2, 0, release, -1, default));
            }
            t += 5;
        }
        var flushMs = t + session.FlushAfterMs;
        // Stable: at one time, events before facts, each in the order planned.
        var ordered = schedule.Select((item, order) => (item, order)).OrderBy(x => x.item.AtMs).ThenBy(x => x.item.Priority).ThenBy(x => x.order).Select(x => x.item).ToList();

        var facts = new QueuedFieldFacts();
        var redactor = new FakeTextRedactor();
        var guard = new PrivacyGuard(redactor, SensitiveFieldRules.Default, new GuardOptions(), facts);
        var remap = new SeqRemap();
        var stored = new List<SessionEvent>();
        var output = new List<GuardedEvent>();
        var keySeqs = new long[keyCount];
        var keyTimes = schedule.Where(item => item.Payload is KeyPayload { IsDown: true } && item.Key >= 0).OrderBy(item => item.Key).Select(item => item.AtMs).ToArray();
        var log = new StringBuilder();
        long seq = 0;

        void Collect()
        {
            foreach (var item in output)
            {
                stored.Add(remap.Assign(item));
            }
            output.Clear();
        }

        void ReleaseDueUntil(long untilNs)
        {
            // What the recorder does between events: release whatever falls due.
            var previous = long.MinValue;
            while (guard.NextDueNs is { } due && due <= untilNs)
            {
                Assert.True(due > previous, $"the guard asks to be released again at {due} ns, not later than {previous} ns");
                previous = due;
                guard.Release(due, output);
                Collect();
            }
        }

        foreach (var (atMs, _, payload, key, fact) in ordered.Where(item => item.AtMs <= flushMs))
        {
            var now = atMs * Ms;
            ReleaseDueUntil(now);
            if (payload is not null)
            {
                if (key >= 0)
                {
                    keySeqs[key] = seq;
                }
                log.Append(FormattableString.Invariant($"  {atMs,6} #{seq} {payload.Kind} {(payload as KeyPayload)?.Key}\n"));
                guard.Process(new SessionEvent(seq++, now, Wall, payload), now, output);
            }
            else
            {
                var kind = fact switch
                {
                    PlannedFact.Ordinary => FieldFactKind.KeyOrdinary,
                    PlannedFact.Sensitive => FieldFactKind.KeySensitive,
                    _ => FieldFactKind.KeyUnknown,
                };
                var field = fact switch
                {
                    PlannedFact.Ordinary => OrdinaryField,
                    PlannedFact.Sensitive => SensitiveField,
                    _ => null,
                };
                log.Append(FormattableString.Invariant($"  {atMs,6} fact {kind} for #{keySeqs[key]}\n"));
                facts.Add(new FieldFact(kind, keySeqs[key], field));
                guard.Release(now, output);
            }
            Collect();
        }
        ReleaseDueUntil(flushMs * Ms);
        guard.Flush(flushMs * Ms, output);
        Collect();
        Assert.Equal(0, guard.HeldCount);
        return new GuardOutcome(session, stored, remap, redactor, keySeqs, keyTimes, flushMs, log.ToString());
    }

    /// <summary>
    /// The guard with the facts it gets: a piece with a key that went (or may have gone) into a
    /// sensitive field, or whose field never became known, leaves nothing of its keys in what is
    /// stored (no key name, no text, no key code) but one redaction event that everything tied to
    /// them maps to; a piece whose keys were all placed in an ordinary field in time is kept.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Nothing_of_a_piece_with_a_key_not_known_to_be_ordinary_is_stored() =>
        Prop.ForAll(Arb.From(TypingSessions, ShrinkSession), session =>
        {
            var outcome = RunGuard(session);
            var export = string.Join("\n", outcome.Stored.Select(EventJson.ToJson));
            var bySeq = outcome.Stored.ToDictionary(e => e.Seq);
            string? problem = null;
            var n = 0;
            var standIns = new HashSet<long>();
            foreach (var (piece, index) in session.Pieces.Select((p, i) => (p, i)))
            {
                var first = n;
                n += piece.Keys.Length;
                var keys = Enumerable.Range(first, piece.Keys.Length).ToList();
                var hidden = piece.Keys.Any(k => k.Fact != PlannedFact.Ordinary);
                if (hidden)
                {
                    var targets = new HashSet<long?>();
                    foreach (var key in keys)
                    {
                        var (name, text, code) = KeyIdentity(key);
                        if (export.Contains(name, StringComparison.Ordinal) || export.Contains(text, StringComparison.Ordinal)
                            || outcome.Stored.Any(e => e.Payload is KeyPayload { KeyCode: var stored } && stored == code)
                            || outcome.Redactor.Seen.Any(s => s.Text.Contains(text, StringComparison.Ordinal)))
                        {
                            problem ??= $"key {name} of piece {index} (not all ordinary) left a trace";
                        }
                        var target = outcome.Remap.Map(outcome.KeySeqs[key]);
                        targets.Add(target);
                        if (target is not { } at || !bySeq.TryGetValue(at, out var standIn) || standIn.Payload is not RedactionPayload { Target: RedactionTargets.SensitiveField })
                        {
                            problem ??= $"key {name} of piece {index} maps to {target}, not to a stand-in";
                        }
                    }
                    if (targets.Count != 1 || !standIns.Add(targets.First() ?? -1))
                    {
                        problem ??= $"piece {index} is not stood in for by one redaction event of its own";
                    }
                }
                else
                {
                    // Every fact in well before the guard's wait ran out (counted from the last key, before the
                    // piece even ended) and before the session ended: the piece must be kept as typed.
                    var lastKeyMs = outcome.KeyTimesMs[keys[^1]];
                    var factTimes = keys.Select(key => outcome.KeyTimesMs[key] + piece.Keys[key - first].FactDelayMs);
                    if (!factTimes.All(at => at <= lastKeyMs + 7_000 && at <= outcome.FlushMs))
                    {
                        // Placed late, or not before the session ended: either verdict is right.
                        continue;
                    }
                    foreach (var key in keys)
                    {
                        var (_, text, _) = KeyIdentity(key);
                        var target = outcome.Remap.Map(outcome.KeySeqs[key]);
                        if (target is not { } at || !bySeq.TryGetValue(at, out var kept) || kept.Payload is not KeyPayload { Text: var typed } || typed != text)
                        {
                            problem ??= $"key {text} of piece {index}, placed in an ordinary field in time, was not kept";
                        }
                    }
                }
            }
            return (problem is null).Label(problem is null ? "" : outcome.Describe(problem));
        });
}
