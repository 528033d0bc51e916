using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Understudy.Core.Model;
using Understudy.Core.Pipeline;

namespace Understudy.Policy;

/// <summary>Why a window is or is not recorded.</summary>
public enum ScopeVerdict
{
    /// <summary>An allow entry matches and nothing denies it.</summary>
    Allowed,

    /// <summary>No allow entry matches (default deny).</summary>
    NotAllowed,

    /// <summary>A deny entry matches.</summary>
    Denied,

    /// <summary>The application is a known password manager.</summary>
    PasswordManager,

    /// <summary>The title says it is a private/incognito browser window.</summary>
    PrivateWindow,
}

/// <summary>
/// A policy's <c>apps</c> section compiled for the scope gate and the frame masker. Default deny:
/// a window is recorded only when an allow entry matches it and no deny entry, password-manager
/// or private-window rule does. Thread-safe; the only mutable state is the process-name cache and
/// the URLs registered with <see cref="RegisterUrl"/>.
/// </summary>
public sealed class PolicyScope : IScopeRules
{
    /// <summary>Linux truncates /proc/&lt;pid&gt;/comm to 15 characters.</summary>
    private const int CommLength = 15;

    private static readonly Regex PrivateTitle = new(
        @"\b(incognito|private browsing|inprivate|private window)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private readonly ImmutableArray<CompiledRule> _allow;
    private readonly ImmutableArray<CompiledRule> _deny;
    private readonly Func<int, string?> _processName;
    private readonly ConcurrentDictionary<int, (string? Name, long At)> _processCache = new();
    private readonly ConcurrentDictionary<long, UrlParts> _urls = new();

    private PolicyScope(RecordingPolicy policy, Func<int, string?>? processName)
    {
        Policy = policy;
        _processName = processName ?? ReadProcessName;
        _allow = [.. policy.Apps.Allow.Select(r => new CompiledRule(r, deny: false))];
        _deny = [.. policy.Apps.Deny.Select(r => new CompiledRule(r, deny: true))];
        AllowedApps = [.. policy.Apps.Allow.Select(r => r.Class is not null && r.Process is null && r.Title is null && r.Urls.IsDefaultOrEmpty ? r.Class : r.Describe())];
    }

    /// <summary>The policy this scope was compiled from (for its name and hash in the manifest).</summary>
    public RecordingPolicy Policy { get; }

    /// <summary>Always false: a policy is default deny.</summary>
    public bool AllowsAll => false;

    /// <summary>The allow entries, a class-only entry by its class name, others described (e.g. <c>title=/^Expenses/</c>).</summary>
    public IReadOnlyCollection<string> AllowedApps { get; }

    /// <summary>Compiles <paramref name="policy"/>; <paramref name="processName"/> maps a pid to its process name (default: /proc/&lt;pid&gt;/comm).</summary>
    public static PolicyScope Compile(RecordingPolicy policy, Func<int, string?>? processName = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new PolicyScope(policy, processName);
    }

    /// <summary>
    /// The old <c>--allow-app CLASS</c> flags as a policy: <see cref="RecordingPolicy.Default"/>
    /// with one allow entry per class, so password managers and private windows stay denied.
    /// No names at all means nothing is allowed (default deny), unlike <see cref="AppScope.AllowAll"/>.
    /// </summary>
    public static PolicyScope FromAllowApps(IEnumerable<string> apps, Func<int, string?>? processName = null)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var rules = ImmutableArray.CreateBuilder<AppRule>();
        foreach (var raw in apps)
        {
            var name = raw.Trim();
            if (name.Length == 0 || name.Length > 256 || name.Any(char.IsControl))
            {
                throw new ArgumentException($"invalid application class '{name}': expected a WM_CLASS name such as 'Yad' or 'firefox'");
            }
            rules.Add(new AppRule(name, null, null, []));
        }
        return new PolicyScope(RecordingPolicy.Default.WithAllow(rules.ToImmutable()), processName);
    }

    public bool Allows(FocusPayload focus)
    {
        ArgumentNullException.ThrowIfNull(focus);
        return Decide(focus.App, focus.Instance, focus.Title, focus.Pid, focus.WindowId) == ScopeVerdict.Allowed;
    }

    public bool AllowsWindow(string? wmClass, string? wmInstance, string? title, int? pid) =>
        Decide(wmClass, wmInstance, title, pid, null) == ScopeVerdict.Allowed;

    /// <summary>Like <see cref="AllowsWindow(string?, string?, string?, int?)"/>, also using a URL registered for <paramref name="windowId"/>.</summary>
    public bool AllowsWindow(string? wmClass, string? wmInstance, string? title, int? pid, long? windowId) =>
        Decide(wmClass, wmInstance, title, pid, windowId) == ScopeVerdict.Allowed;

    /// <summary>The decision and its reason. Deny rules are checked first and always win.</summary>
    public ScopeVerdict Decide(string? wmClass, string? wmInstance, string? title, int? pid, long? windowId)
    {
        var window = new Window(this, wmClass, wmInstance, title, pid, windowId);
        if (Policy.Apps.DenyPasswordManagers &&
            (PasswordManagers.IsPasswordManager(wmClass) || PasswordManagers.IsPasswordManager(wmInstance) || PasswordManagers.IsPasswordManager(window.ProcessName)))
        {
            return ScopeVerdict.PasswordManager;
        }
        if (Policy.Apps.DenyPrivateWindows && title is not null && PrivateTitle.IsMatch(title))
        {
            return ScopeVerdict.PrivateWindow;
        }
        foreach (var rule in _deny)
        {
            if (rule.Matches(ref window))
            {
                return ScopeVerdict.Denied;
            }
        }
        foreach (var rule in _allow)
        {
            if (rule.Matches(ref window))
            {
                return ScopeVerdict.Allowed;
            }
        }
        return ScopeVerdict.NotAllowed;
    }

    /// <summary>
    /// Tells the scope the URL a browser window shows (from accessibility, e.g. the address bar),
    /// for <c>urls</c> rules; without it they see only URLs and domains written in the title.
    /// Null forgets the window's URL.
    /// </summary>
    public void RegisterUrl(long windowId, string? url)
    {
        if (url is not null && UrlParts.Parse(url) is { } parts)
        {
            _urls[windowId] = parts;
        }
        else
        {
            _urls.TryRemove(windowId, out _);
        }
    }

    /// <summary>Reads /proc/&lt;pid&gt;/comm; when it is cut at 15 characters, the full name from the first word of /proc/&lt;pid&gt;/cmdline if that starts the same.</summary>
    public static string? ReadProcessName(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }
        try
        {
            var comm = File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
            if (comm.Length == CommLength)
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                var argv0 = Path.GetFileName(cmdline.Split('\0', 2)[0]);
                if (argv0.Length > CommLength && argv0.StartsWith(comm, StringComparison.Ordinal))
                {
                    return argv0;
                }
            }
            return comm.Length == 0 ? null : comm;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string? LookUpProcess(int pid)
    {
        var now = Environment.TickCount64;
        if (_processCache.TryGetValue(pid, out var cached) && now - cached.At < 1000)
        {
            return cached.Name;
        }
        var name = _processName(pid);
        if (_processCache.Count > 4096)
        {
            _processCache.Clear();
        }
        _processCache[pid] = (name, now);
        return name;
    }

    private static bool ProcessMatches(string wanted, string? actual)
    {
        if (actual is null)
        {
            return false;
        }
        if (string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // A lookup that only had the truncated comm: compare the first 15 characters.
        return actual.Length == CommLength && wanted.Length > CommLength && wanted.StartsWith(actual, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What is known about one window, with the process name and URLs looked up at most once.</summary>
    private struct Window(PolicyScope scope, string? wmClass, string? wmInstance, string? title, int? pid, long? windowId)
    {
        private bool _processLooked;
        private string? _process;
        private List<UrlParts>? _urls;

        public readonly string? Class => wmClass;

        public readonly string? Instance => wmInstance;

        public readonly string? Title => title;

        public string? ProcessName
        {
            get
            {
                if (!_processLooked)
                {
                    _processLooked = true;
                    _process = pid is { } p ? scope.LookUpProcess(p) : null;
                }
                return _process;
            }
        }

        public List<UrlParts> Urls
        {
            get
            {
                if (_urls is null)
                {
                    _urls = [.. UrlParts.FindIn(title)];
                    if (windowId is { } id && scope._urls.TryGetValue(id, out var registered))
                    {
                        _urls.Insert(0, registered);
                    }
                }
                return _urls;
            }
        }
    }

    private sealed class CompiledRule(AppRule rule, bool deny)
    {
        private readonly Regex? _title = rule.Title is null ? null : PolicyLoader.CompileTitlePattern(rule.Title);
        private readonly ImmutableArray<UrlGlob> _urls = rule.Urls.IsDefaultOrEmpty ? [] : [.. rule.Urls.Select(u => new UrlGlob(u))];

        public bool Matches(ref Window window)
        {
            if (rule.Class is { } wanted &&
                !string.Equals(wanted, window.Class, StringComparison.OrdinalIgnoreCase) &&
                !string.Equals(wanted, window.Instance, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            if (rule.Process is { } process && !ProcessMatches(process, window.ProcessName))
            {
                return false;
            }
            if (_title is not null && !TitleMatches(window.Title))
            {
                return false;
            }
            if (!_urls.IsEmpty)
            {
                var found = false;
                foreach (var url in window.Urls)
                {
                    if (_urls.Any(glob => glob.Matches(url)))
                    {
                        found = true;
                        break;
                    }
                }
                if (!found)
                {
                    return false;
                }
            }
            return true;
        }

        private bool TitleMatches(string? title)
        {
            if (title is null)
            {
                return false;
            }
            try
            {
                return _title!.IsMatch(title);
            }
            catch (RegexMatchTimeoutException)
            {
                // Fail closed: an allow entry that cannot decide does not allow; a deny entry that cannot decide denies.
                return deny;
            }
        }
    }
}
