using Understudy.Core.Capture;
using Understudy.Core.Guards;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Frames.Masking;

/// <summary>
/// Says, right after each grab, what of the screen must be hidden: read on the grab thread only,
/// the fill itself happens when a screen is copied out for encoding (filling the whole screen
/// outside a window 20 times a second would cost more than the rest of the recorder).
/// </summary>
public interface IFrameMasker : IDisposable
{
    /// <summary>The rectangles to fill for the screen just grabbed; the whole screen when it cannot tell what may be shown.</summary>
    Rect[] Plan(ScreenSize size);
}

/// <summary>
/// Fills every pixel that is not part of an allowed window's own area: other applications, the
/// desktop, window decorations (their titles are not redacted text), and parts of an allowed
/// window that another window covers. Then fills the sensitive fields the guard has seen. When the
/// window layout cannot be read, the whole screen is filled: a frame never shows more than the
/// policy allows.
/// </summary>
public sealed class ScopeFrameMasker(IWindowLayoutProbe probe, IScopeRules scope, SensitiveRegions? sensitive, uint fill = PixelMask.DefaultFill) : IFrameMasker
{
    private readonly List<VisibleWindow> _windows = [];
    private readonly List<Rect> _visible = [];
    private readonly List<Rect> _scratch = [];
    private readonly List<Rect> _hidden = [];
    private readonly HashSet<int> _allowedPids = [];
    private readonly CachedScope _cachedScope = new(scope);

    private volatile Rect[]? _lastVisible;

    public long LayoutFailures { get; private set; }

    /// <summary>The allowed windows' visible areas at the last grab (null: everything is allowed), for OCR on the encoder thread.</summary>
    public IReadOnlyList<Rect>? LastVisibleArea => _lastVisible;

    /// <summary>Plans and fills at once (for tests and one-off frames); returns the number of rectangles filled.</summary>
    public int Apply(Span<byte> pixels, ScreenSize size)
    {
        var plan = Plan(size);
        foreach (var rect in plan)
        {
            PixelMask.Fill(pixels, size, rect, fill);
        }
        return plan.Length;
    }

    public Rect[] Plan(ScreenSize size)
    {
        bool read;
        try
        {
            read = probe.TrySnapshot(_windows);
        }
        catch (CaptureUnavailableException)
        {
            read = false;
        }
        if (!read)
        {
            LayoutFailures++;
            _lastVisible = [];
            return [new Rect(0, 0, size.Width, size.Height)];
        }
        var plan = new List<Rect>();
        if (!scope.AllowsAll)
        {
            VisibleAllowedArea(_windows, _cachedScope, _visible, _scratch, _allowedPids);
            _lastVisible = [.. _visible];
            _hidden.Clear();
            _hidden.Add(new Rect(0, 0, size.Width, size.Height));
            foreach (var shown in _visible)
            {
                SubtractAll(_hidden, shown, _scratch);
            }
            plan.AddRange(_hidden);
        }
        if (sensitive is not null)
        {
            foreach (var region in sensitive.Snapshot())
            {
                if (Place(region, _windows) is { } rect)
                {
                    plan.Add(rect);
                }
            }
        }
        return [.. plan];
    }

    /// <summary>
    /// Walks the windows bottom to top: an allowed window adds its client area, any other window
    /// removes its whole frame from what was visible below it. Popups (menus, combo lists) of an
    /// allowed application count as allowed by their class or their process.
    /// </summary>
    public static void VisibleAllowedArea(IReadOnlyList<VisibleWindow> windows, IScopeRules scope, List<Rect> visible, List<Rect> scratch, HashSet<int> allowedPids)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(visible);
        ArgumentNullException.ThrowIfNull(allowedPids);
        visible.Clear();
        allowedPids.Clear();
        foreach (var window in windows)
        {
            if (window.WmClass is not null && scope.AllowsWindow(window.WmClass, window.WmInstance, window.Title, window.Pid) && window.Pid is { } pid)
            {
                allowedPids.Add(pid);
            }
        }
        foreach (var window in windows)
        {
            var allowed = window.WmClass is not null
                ? scope.AllowsWindow(window.WmClass, window.WmInstance, window.Title, window.Pid)
                : window.Pid is { } pid && allowedPids.Contains(pid);
            if (allowed)
            {
                if (window.Client.Width > 0 && window.Client.Height > 0)
                {
                    visible.Add(window.Client);
                }
            }
            else
            {
                SubtractAll(visible, window.Frame, scratch);
            }
        }
    }

    /// <summary>Replaces every rectangle in <paramref name="rects"/> by its parts outside <paramref name="cut"/>.</summary>
    public static void SubtractAll(List<Rect> rects, Rect cut, List<Rect> scratch)
    {
        ArgumentNullException.ThrowIfNull(rects);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        foreach (var rect in rects)
        {
            Subtract(rect, cut, scratch);
        }
        rects.Clear();
        rects.AddRange(scratch);
    }

    /// <summary>Adds to <paramref name="output"/> up to four rectangles covering <paramref name="a"/> minus <paramref name="b"/>.</summary>
    public static void Subtract(Rect a, Rect b, List<Rect> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        long ax1 = a.X + (long)a.Width, ay1 = a.Y + (long)a.Height, bx1 = b.X + (long)b.Width, by1 = b.Y + (long)b.Height;
        if (b.Width <= 0 || b.Height <= 0 || bx1 <= a.X || by1 <= a.Y || b.X >= ax1 || b.Y >= ay1)
        {
            output.Add(a);
            return;
        }
        var top = Math.Max(a.Y, b.Y);
        var bottom = (int)Math.Min(ay1, by1);
        if (b.Y > a.Y)
        {
            output.Add(new Rect(a.X, a.Y, a.Width, b.Y - a.Y));
        }
        if (by1 < ay1)
        {
            output.Add(new Rect(a.X, (int)by1, a.Width, (int)(ay1 - by1)));
        }
        if (b.X > a.X)
        {
            output.Add(new Rect(a.X, top, b.X - a.X, bottom - top));
        }
        if (bx1 < ax1)
        {
            output.Add(new Rect((int)bx1, top, (int)(ax1 - bx1), bottom - top));
        }
    }

    private static Rect? Place(SensitiveRegion region, List<VisibleWindow> windows)
    {
        if (!region.RelativeToWindow)
        {
            return region.Bounds;
        }
        foreach (var window in windows)
        {
            if (window.ClientId == region.WindowId)
            {
                return new Rect(window.Client.X + region.Bounds.X, window.Client.Y + region.Bounds.Y, region.Bounds.Width, region.Bounds.Height);
            }
        }
        return null;
    }

    public void Dispose() => probe.Dispose();

    /// <summary>
    /// The scope's verdict per window, remembered: the same windows are asked about 20 times a
    /// second, and a policy may read the process name from /proc for each. A window whose class,
    /// title or process changes is asked again.
    /// </summary>
    private sealed class CachedScope(IScopeRules inner) : IScopeRules
    {
        private const int MaxEntries = 512;
        private readonly Dictionary<(string?, string?, string?, int?), bool> _verdicts = [];

        public bool AllowsAll => inner.AllowsAll;

        public IReadOnlyCollection<string> AllowedApps => inner.AllowedApps;

        public bool Allows(FocusPayload focus) => inner.Allows(focus);

        public bool AllowsWindow(string? wmClass, string? wmInstance, string? title, int? pid)
        {
            var key = (wmClass, wmInstance, title, pid);
            if (_verdicts.TryGetValue(key, out var allowed))
            {
                return allowed;
            }
            if (_verdicts.Count >= MaxEntries)
            {
                _verdicts.Clear();
            }
            allowed = inner.AllowsWindow(wmClass, wmInstance, title, pid);
            _verdicts[key] = allowed;
            return allowed;
        }
    }
}
