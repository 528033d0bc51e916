using Understudy.Core.Model;

namespace Understudy.Cli.Commands;

/// <summary>What one pass over a session's events tells its owner: how much was observed beyond input, and what the recorder lost.</summary>
internal sealed class SessionTally
{
    /// <summary>The losses always shown, even at zero, so a user sees that nothing was lost rather than nothing being said.</summary>
    public static readonly IReadOnlyList<string> ReportedLossReasons =
    [
        GapReasons.InputOverflow,
        GapReasons.OutOfScope,
        GapReasons.AccessibilityLost,
        GapReasons.ElementTimeout,
        GapReasons.FrameLost,
        GapReasons.DisplayLost,
    ];

    /// <summary>Reasons whose <c>dropped</c> counts something (input events, lookups, frames).</summary>
    public static readonly IReadOnlySet<string> ReasonsWithDropped = new HashSet<string>(StringComparer.Ordinal)
    {
        GapReasons.InputOverflow,
        GapReasons.ElementTimeout,
        GapReasons.FrameLost,
    };

    private readonly SortedDictionary<string, LossTotal> _losses = new(StringComparer.Ordinal);

    public long Elements { get; private set; }

    public long UiActions { get; private set; }

    public long Frames { get; private set; }

    private readonly SortedDictionary<string, long> _redactions = new(StringComparer.Ordinal);

    /// <summary>What the safeguards removed before it was stored, by type (spans; sensitive-field pieces count one each).</summary>
    public IReadOnlyDictionary<string, long> RedactionsByType => _redactions;

    /// <summary>Every reported reason (zero if absent), then any other reason that occurred, such as pauses.</summary>
    public IEnumerable<(string Reason, LossTotal Total)> Losses =>
        ReportedLossReasons.Select(reason => (reason, _losses.GetValueOrDefault(reason)))
            .Concat(_losses.Where(pair => !ReportedLossReasons.Contains(pair.Key)).Select(pair => (pair.Key, pair.Value)));

    public static SessionTally From(IEnumerable<SessionEvent> events)
    {
        var tally = new SessionTally();
        foreach (var sessionEvent in events)
        {
            switch (sessionEvent.Payload)
            {
                case ElementPayload:
                    tally.Elements++;
                    break;
                case UiPayload:
                    tally.UiActions++;
                    break;
                case FramePayload:
                    tally.Frames++;
                    break;
                case RedactionPayload redaction:
                    tally._redactions[redaction.Type] = SaturatingAdd(tally._redactions.GetValueOrDefault(redaction.Type), Math.Max(0, redaction.Count));
                    break;
                case GapPayload gap:
                    var total = tally._losses.GetValueOrDefault(gap.Reason);
                    // Saturating: a damaged or hostile session must not make the summary wrap negative.
                    tally._losses[gap.Reason] = new LossTotal(
                        total.Gaps + 1,
                        SaturatingAdd(total.DurationNs, Math.Max(0, gap.DurationNs)),
                        SaturatingAdd(total.Dropped, Math.Max(0, gap.Dropped)));
                    break;
            }
        }
        return tally;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}

/// <summary>The gaps of one reason: how many, how long in total, how many events/lookups/frames they dropped.</summary>
internal readonly record struct LossTotal(long Gaps, long DurationNs, long Dropped);
