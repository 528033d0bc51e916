using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Drops everything that happens while an application outside the scope is in front, and
/// leaves a single <c>gap</c> in its place. Nothing about the out-of-scope app is kept — not
/// its class, title or the keys typed into it. The gap is stamped when scope resumes and
/// covers <c>[t_mono_ns − duration_ns, t_mono_ns]</c>.
/// Until the first focus event the scope is unknown and, unless everything is allowed, the
/// gate fails closed.
/// While the person has paused recording (<see cref="PauseSwitch"/>), everything is dropped the
/// same way and the time leaves a <c>paused</c> gap.
/// </summary>
public sealed class ScopeGate(IScopeRules scope, PauseSwitch? pause = null)
{
    private long _pauseStartNs = long.MinValue;
    private long _pauseDropped;

    // Pauses already over, by capture time: input the X server delivers late still falls in them.
    private readonly Queue<(long From, long To)> _pastPauses = new();
    private long _pastPausesEndNs = long.MinValue;
    private const int PastPausesKept = 16;

    private bool _inScope = scope.AllowsAll;
    private bool _gapOpen = !scope.AllowsAll;
    private long _gapStartNs = long.MinValue;
    private long _gapDropped;

    // Keys and buttons pressed while in scope: their releases pass even after scope is left,
    // so later stages never see a key stuck down. A release reveals nothing the press did not.
    private readonly HashSet<int> _pressedKeys = [];
    private readonly HashSet<MouseButton> _pressedButtons = [];

    public long DroppedTotal { get; private set; }

    public bool InScope => _inScope;

    public bool Paused => _pauseStartNs != long.MinValue;

    /// <summary>
    /// Opens or closes the paused gap when the switch changed; the recorder calls it before each
    /// batch and when the switch wakes it, so that a pause is stamped when it happens, not at the next input.
    /// </summary>
    public void Poll(long monoNs, DateTimeOffset wall, List<CapturedEvent> output)
    {
        var paused = pause?.IsPaused ?? false;
        // The switch's own time of change, not when the pipeline got round to looking.
        var changedAt = pause is { ChangedAtNs: var at } && at != long.MinValue ? Math.Min(at, monoNs) : monoNs;
        if (paused && _pauseStartNs == long.MinValue)
        {
            FlushPauseGap(output);
            _pauseStartNs = changedAt;
            _pauseDropped = 0;
        }
        else if (!paused && _pauseStartNs != long.MinValue)
        {
            var end = Math.Max(_pauseStartNs, changedAt);
            if (_pastPauses.Count == PastPausesKept)
            {
                _pastPauses.Dequeue();
            }
            _pastPauses.Enqueue((_pauseStartNs, end));
            _pastPausesEndNs = Math.Max(_pastPausesEndNs, end);
            // The gap is written once the input captured inside the pause has come through: on a busy
            // machine the X server hands it over late, and the gap must count it.
            _pendingPauseGap = (new CapturedEvent(monoNs, wall, new GapPayload(GapReasons.Paused, Math.Max(0, monoNs - _pauseStartNs), 0)), end);
            _pauseStartNs = long.MinValue;
        }
        if (_pendingPauseGap is { } pending && monoNs - pending.EndNs > PendingGapLimitNs)
        {
            FlushPauseGap(output);
        }
    }

    // A closed pause's gap, written when the first event captured after the pause ends comes (or at the latest after this).
    private (CapturedEvent Gap, long EndNs)? _pendingPauseGap;
    private static readonly long PendingGapLimitNs = (long)TimeSpan.FromSeconds(2).TotalNanoseconds;

    private void FlushPauseGap(List<CapturedEvent> output)
    {
        if (_pendingPauseGap is { } pending)
        {
            var gap = (GapPayload)pending.Gap.Payload;
            output.Add(pending.Gap with { Payload = gap with { Dropped = _pauseDropped } });
            _pendingPauseGap = null;
        }
    }

    public void Process(in CapturedEvent captured, List<CapturedEvent> output)
    {
        if (_pendingPauseGap is { } pending && captured.MonoNs >= pending.EndNs && !InPastPause(captured.MonoNs))
        {
            FlushPauseGap(output);
        }
        if (((_pauseStartNs != long.MinValue && captured.MonoNs >= _pauseStartNs) || InPastPause(captured.MonoNs)) && !IsRelease(captured.Payload))
        {
            // Paused: nothing at all is kept, not even which window is in front; focus still
            // updates the scope so that recording resumes with the right state.
            if (captured.Payload is FocusPayload pausedFocus)
            {
                _inScope = scope.Allows(pausedFocus);
            }
            else if (captured.Payload is not (GapPayload or MarkerPayload))
            {
                _pauseDropped++;
                DroppedTotal++;
                return;
            }
            else
            {
                output.Add(captured);
                return;
            }
            _lastFocusWhilePaused = captured;
            return;
        }
        if (_lastFocusWhilePaused is { } resumedFocus)
        {
            // The window in front when the pause ended is recorded as if it had just been focused.
            _lastFocusWhilePaused = null;
            if (captured.Payload is not FocusPayload)
            {
                OnFocus(new CapturedEvent(captured.MonoNs, captured.Wall, resumedFocus.Payload), (FocusPayload)resumedFocus.Payload, output);
            }
        }
        switch (captured.Payload)
        {
            case FocusPayload focus:
                OnFocus(captured, focus, output);
                return;
            case GapPayload or MarkerPayload:
                output.Add(captured);
                return;
            case KeyPayload { IsDown: false } key when _pressedKeys.Remove(key.KeyCode):
                output.Add(captured);
                return;
            case ButtonPayload { IsDown: false } button when _pressedButtons.Remove(button.Button):
                output.Add(captured);
                return;
        }

        if (!_inScope)
        {
            Drop(captured.MonoNs);
            return;
        }

        switch (captured.Payload)
        {
            case KeyPayload { IsDown: true } key:
                _pressedKeys.Add(key.KeyCode);
                break;
            case ButtonPayload { IsDown: true } button:
                _pressedButtons.Add(button.Button);
                break;
        }
        output.Add(captured);
    }

    private CapturedEvent? _lastFocusWhilePaused;

    private bool InPastPause(long monoNs)
    {
        // Every event goes through here: nearly all come after the last pause ended.
        if (monoNs >= _pastPausesEndNs)
        {
            return false;
        }
        foreach (var (from, to) in _pastPauses)
        {
            if (monoNs >= from && monoNs < to)
            {
                return true;
            }
        }
        return false;
    }

    private bool IsRelease(EventPayload payload) => payload switch
    {
        KeyPayload { IsDown: false } key => _pressedKeys.Contains(key.KeyCode),
        ButtonPayload { IsDown: false } button => _pressedButtons.Contains(button.Button),
        _ => false,
    };

    /// <summary>Closes a gap still open at the end of the session.</summary>
    public void Finish(long endMonoNs, DateTimeOffset endWall, List<CapturedEvent> output)
    {
        FlushPauseGap(output);
        if (_pauseStartNs != long.MinValue)
        {
            output.Add(new CapturedEvent(endMonoNs, endWall, new GapPayload(GapReasons.Paused, Math.Max(0, endMonoNs - _pauseStartNs), _pauseDropped)));
            _pauseStartNs = long.MinValue;
        }
        if (_gapOpen && _gapStartNs != long.MinValue)
        {
            output.Add(CloseGap(endMonoNs, endWall));
        }
    }

    private void OnFocus(in CapturedEvent captured, FocusPayload focus, List<CapturedEvent> output)
    {
        if (scope.Allows(focus))
        {
            if (_gapOpen && _gapStartNs != long.MinValue)
            {
                output.Add(CloseGap(captured.MonoNs, captured.Wall));
            }
            _gapOpen = false;
            _inScope = true;
            output.Add(captured);
            return;
        }

        _inScope = false;
        if (!_gapOpen)
        {
            _gapOpen = true;
            _gapStartNs = captured.MonoNs;
            _gapDropped = 0;
        }
        else if (_gapStartNs == long.MinValue)
        {
            _gapStartNs = captured.MonoNs;
        }
    }

    private void Drop(long monoNs)
    {
        if (_gapStartNs == long.MinValue)
        {
            _gapStartNs = monoNs;
        }
        _gapDropped++;
        DroppedTotal++;
    }

    private CapturedEvent CloseGap(long endMonoNs, DateTimeOffset endWall)
    {
        var gap = new GapPayload(GapReasons.OutOfScope, Math.Max(0, endMonoNs - _gapStartNs), _gapDropped);
        _gapOpen = false;
        _gapStartNs = long.MinValue;
        _gapDropped = 0;
        return new CapturedEvent(endMonoNs, endWall, gap);
    }
}
