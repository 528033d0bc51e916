using Understudy.Core.Model;
using Understudy.Policy;

namespace Understudy.Tests.Policy;

public sealed class PolicyScopeTests
{
    private static PolicyScope Scope(string apps, Func<int, string?>? processes = null) =>
        PolicyScope.Compile(PolicyLoader.Parse("version: 1\napps:\n" + apps, "p.yaml"), processes ?? (_ => null));

    private static FocusPayload Focus(string app, string? instance, string? title, int? pid = null, long window = 1) =>
        new(app, instance, title, pid, new Rect(0, 0, 10, 10), window);

    [Fact]
    public void The_default_policy_records_nothing()
    {
        var scope = PolicyScope.Compile(RecordingPolicy.Default, _ => null);
        Assert.False(scope.AllowsAll);
        Assert.Empty(scope.AllowedApps);
        Assert.False(scope.Allows(Focus("Yad", "yad", "Expenses")));
        Assert.Equal(ScopeVerdict.NotAllowed, scope.Decide("firefox", "Navigator", "Home", null, null));
    }

    [Fact]
    public void Class_entries_match_class_or_instance_ignoring_case()
    {
        var scope = Scope("  allow:\n    - class: Yad\n");
        Assert.True(scope.Allows(Focus("Yad", "yad", "Form")));
        Assert.True(scope.Allows(Focus("Other", "YAD", "Form")));
        Assert.False(scope.Allows(Focus("Yadda", "yadda", "Form")));
        Assert.Equal(["Yad"], scope.AllowedApps);
    }

    [Fact]
    public void Deny_beats_allow()
    {
        var scope = Scope("  allow:\n    - class: Yad\n    - title: \"Report\"\n  deny:\n    - title: \"(?i)salary\"\n");
        Assert.True(scope.Allows(Focus("Yad", "yad", "Expenses")));
        Assert.False(scope.Allows(Focus("Yad", "yad", "Salary review")));
        Assert.Equal(ScopeVerdict.Denied, scope.Decide("Yad", "yad", "salary", null, null));
        Assert.False(scope.AllowsWindow("gedit", "gedit", "Report on SALARY", null));
    }

    [Theory]
    [InlineData("KeePassXC", "keepassxc")]
    [InlineData("Bitwarden", "bitwarden")]
    [InlineData("1Password", "1password")]
    [InlineData("Seahorse", "org.gnome.seahorse.Application")]
    [InlineData("Proton Pass", "proton-pass")]
    [InlineData("kwalletmanager5", "kwalletmanager5")]
    public void Password_managers_are_denied_by_default_even_when_allowed(string wmClass, string instance)
    {
        var scope = Scope($"  allow:\n    - class: \"{wmClass}\"\n    - class: \"{instance}\"\n");
        Assert.Equal(ScopeVerdict.PasswordManager, scope.Decide(wmClass, instance, "Vault", null, null));
        var off = Scope($"  allow:\n    - class: \"{wmClass}\"\n  deny_password_managers: false\n");
        Assert.True(off.AllowsWindow(wmClass, instance, "Vault", null));
    }

    [Fact]
    public void A_password_manager_is_recognised_by_its_process_name()
    {
        var scope = Scope("  allow:\n    - class: Wrapper\n", pid => pid == 9 ? "keepassxc" : null);
        Assert.False(scope.AllowsWindow("Wrapper", "wrapper", "x", 9));
        Assert.True(scope.AllowsWindow("Wrapper", "wrapper", "x", 10));
    }

    [Theory]
    [InlineData("New Incognito Tab - Chromium")]
    [InlineData("Mozilla Firefox Private Browsing")]
    [InlineData("Bing - InPrivate - Microsoft Edge")]
    public void Private_browser_windows_are_denied_by_default(string title)
    {
        var scope = Scope("  allow:\n    - class: chromium\n");
        Assert.Equal(ScopeVerdict.PrivateWindow, scope.Decide("chromium", "chromium", title, null, null));
        Assert.True(Scope("  allow:\n    - class: chromium\n  deny_private_windows: false\n").AllowsWindow("chromium", null, title, null));
    }

    [Fact]
    public void Process_rules_use_the_injected_lookup_and_survive_comm_truncation()
    {
        var names = new Dictionary<int, string> { [100] = "gnome-calculator", [101] = "gnome-calculato", [102] = "gnome-terminal-" };
        var scope = Scope("  allow:\n    - process: gnome-calculator\n", pid => names.GetValueOrDefault(pid));
        Assert.True(scope.Allows(Focus("Gnome-calculator", null, "Calculator", 100)));
        Assert.True(scope.Allows(Focus("X", null, "Calculator", 101)));
        Assert.False(scope.Allows(Focus("X", null, "Terminal", 102)));
        Assert.False(scope.Allows(Focus("X", null, "No pid", null)));
    }

    [Fact]
    public void The_default_process_lookup_reads_proc()
    {
        var own = PolicyScope.ReadProcessName(Environment.ProcessId);
        Assert.False(string.IsNullOrEmpty(own));
        Assert.Null(PolicyScope.ReadProcessName(int.MaxValue));
        Assert.Null(PolicyScope.ReadProcessName(0));
    }

    [Fact]
    public void Fields_of_one_entry_must_all_match()
    {
        var scope = Scope("  allow:\n    - class: gedit\n      title: \"^Notes\"\n");
        Assert.True(scope.AllowsWindow("gedit", null, "Notes — today", null));
        Assert.False(scope.AllowsWindow("gedit", null, "Diary", null));
        Assert.False(scope.AllowsWindow("kate", null, "Notes", null));
    }

    [Fact]
    public void Url_rules_match_urls_in_titles_or_registered_for_the_window()
    {
        var scope = Scope("  allow:\n    - class: chromium\n      urls: [\"*.example.com\", \"intranet.corp/expenses/*\"]\n");
        Assert.True(scope.AllowsWindow("chromium", null, "https://app.example.com/form - Chromium", null));
        Assert.True(scope.AllowsWindow("chromium", null, "example.com – Chromium", null));
        Assert.False(scope.AllowsWindow("chromium", null, "evil-example.com - Chromium", null));
        Assert.False(scope.AllowsWindow("chromium", null, "example.com.evil.net - Chromium", null));
        Assert.True(scope.AllowsWindow("chromium", null, "intranet.corp/expenses/new - Chromium", null));
        Assert.False(scope.AllowsWindow("chromium", null, "intranet.corp/hr - Chromium", null));
        // Chromium shows only the page title: no URL known, not allowed (fail closed) until one is registered.
        var focus = Focus("chromium", "chromium", "Expenses - Chromium", null, window: 77);
        Assert.False(scope.Allows(focus));
        scope.RegisterUrl(77, "https://user:pw@www.example.com:8443/x?y=1");
        Assert.True(scope.Allows(focus));
        Assert.False(scope.AllowsWindow("chromium", null, "Expenses - Chromium", null, windowId: 78));
        scope.RegisterUrl(77, null);
        Assert.False(scope.Allows(focus));
    }

    [Fact]
    public void Allow_apps_flags_map_to_class_entries_under_the_default_safeguards()
    {
        var scope = PolicyScope.FromAllowApps(["Yad", " firefox ", "KeePassXC"], _ => null);
        Assert.Equal(["Yad", "firefox", "KeePassXC"], scope.AllowedApps);
        Assert.True(scope.AllowsWindow("Yad", "yad", "Form", null));
        Assert.True(scope.AllowsWindow("Firefox", "Navigator", "Home", null));
        Assert.False(scope.AllowsWindow("KeePassXC", "keepassxc", "db", null));
        Assert.False(scope.AllowsWindow("firefox", "Navigator", "Private Browsing", null));
        Assert.False(PolicyScope.FromAllowApps([], _ => null).AllowsWindow("Yad", "yad", "Form", null));
        Assert.Throws<ArgumentException>(() => PolicyScope.FromAllowApps([" "]));
    }

    [Fact]
    public void Recognizer_settings_are_keyed_by_lower_case_name()
    {
        var policy = PolicyLoader.Parse("version: 1\nrecognizers:\n  jwt: { enabled: false }\n  email: { action: surrogate }\n  phone_region: de\n", "p.yaml");
        var settings = policy.RecognizerSettings();
        Assert.Equal(13, settings.Count);
        Assert.Equal((false, "placeholder"), settings["jwt"]);
        Assert.Equal((true, "surrogate"), settings["email"]);
        Assert.Equal((true, "placeholder"), settings["url_credentials"]);
        Assert.Equal("DE", policy.PhoneRegion);
    }
}

public sealed class PolicyScopeGateTests
{
    private static readonly DateTimeOffset Wall = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static Understudy.Core.Capture.CapturedEvent At(long ms, EventPayload payload) => new(ms * 1_000_000, Wall.AddMilliseconds(ms), payload);

    [Fact]
    public void The_scope_gate_keeps_only_a_gap_for_a_password_manager_allowed_by_mistake()
    {
        var scope = PolicyScope.FromAllowApps(["Yad", "KeePassXC"], _ => null);
        var gate = new Understudy.Core.Pipeline.ScopeGate(scope);
        var output = new List<Understudy.Core.Capture.CapturedEvent>();
        gate.Process(At(0, new FocusPayload("Yad", "yad", "Form", 1, null, 1)), output);
        gate.Process(At(10, new KeyPayload(true, "a", "a", Modifiers.None, 38)), output);
        gate.Process(At(100, new FocusPayload("KeePassXC", "keepassxc", "Passwords.kdbx", 2, null, 2)), output);
        gate.Process(At(110, new KeyPayload(true, "s", "s", Modifiers.None, 39)), output);
        gate.Process(At(200, new FocusPayload("Yad", "yad", "Form", 1, null, 1)), output);
        Assert.Equal([EventKind.Focus, EventKind.KeyDown, EventKind.Gap, EventKind.Focus], output.Select(e => e.Payload.Kind));
        Assert.Equal(GapReasons.OutOfScope, Assert.IsType<GapPayload>(output[2].Payload).Reason);
    }
}
