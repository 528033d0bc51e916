using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Which applications may be recorded. This is the first, simple form of scope
/// (<c>--allow-app CLASS</c>): a window is in scope when its WM_CLASS class or instance
/// equals an allowed name, ignoring case. The full policy replaces it later.
/// </summary>
public sealed class AppScope : IScopeRules
{
    private readonly HashSet<string> _allowed;

    private AppScope(IEnumerable<string> allowed, bool allowAll)
    {
        _allowed = new HashSet<string>(allowed, StringComparer.OrdinalIgnoreCase);
        AllowsAll = allowAll;
    }

    public static AppScope AllowAll { get; } = new([], allowAll: true);

    public bool AllowsAll { get; }

    public IReadOnlyCollection<string> AllowedApps => _allowed;

    public static AppScope FromAllowList(IEnumerable<string> apps)
    {
        var names = apps.Select(a => a.Trim()).ToList();
        foreach (var name in names)
        {
            if (name.Length == 0 || name.Length > 256 || name.Any(char.IsControl))
            {
                throw new ArgumentException($"invalid application class '{name}': expected a WM_CLASS name such as 'Yad' or 'firefox'");
            }
        }
        return names.Count == 0 ? AllowAll : new AppScope(names, allowAll: false);
    }

    public bool Allows(FocusPayload focus) => AllowsWindow(focus.App, focus.Instance, focus.Title, focus.Pid);

    public bool AllowsWindow(string? wmClass, string? wmInstance, string? title, int? pid) =>
        AllowsAll || (wmClass is not null && _allowed.Contains(wmClass)) || (wmInstance is not null && _allowed.Contains(wmInstance));
}
