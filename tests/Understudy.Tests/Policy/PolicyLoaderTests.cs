using System.Diagnostics;
using Understudy.Policy;

namespace Understudy.Tests.Policy;

public sealed class PolicyLoaderTests
{
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Understudy.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found");
    }

    internal static string ExamplePath => Path.Combine(RepoRoot(), "docs", "policy.example.yaml");

    private static PolicyException Fails(string text, string source = "policy.yaml") =>
        Assert.Throws<PolicyException>(() => PolicyLoader.Parse(text, source));

    private static void AssertError(PolicyException ex, long line, long column, string field, string contains)
    {
        Assert.Equal((line, column, field), (ex.Line, ex.Column, ex.Field));
        Assert.Contains(contains, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"policy.yaml:{line}:{column}: {field}: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void The_shipped_example_parses_with_every_field()
    {
        var policy = PolicyLoader.Load(ExamplePath);
        Assert.Equal("Expense team pilot", policy.Name);
        Assert.Equal(4, policy.Apps.Allow.Length);
        Assert.Equal("Yad", policy.Apps.Allow[0].Class);
        Assert.Equal("gnome-calculator", policy.Apps.Allow[1].Process);
        Assert.Equal("^Expenses — .*$", policy.Apps.Allow[2].Title);
        Assert.Equal(["*.example.com", "intranet.corp/*"], policy.Apps.Allow[3].Urls.ToArray());
        Assert.Equal(2, policy.Apps.Deny.Length);
        Assert.Equal(15, policy.SensitiveLabels.Length);
        Assert.Equal((true, "surrogate"), policy.RecognizerSettings()["person"]);
        Assert.Equal(RecordingPolicy.RecognizerNames.Length, policy.RecognizerSettings().Count);
        Assert.Equal("US", policy.PhoneRegion);
        Assert.Equal(0x202020u, policy.Frames.FillRgb);
        Assert.Equal(500, policy.Frames.RedactionTimeoutMs);
        Assert.Equal((30, 24), (policy.Retention.LocalDays, policy.Retention.ReviewHoldHours));
        Assert.Equal("ctrl+alt+shift+p", policy.PauseHotkey);
        Assert.Matches("^[0-9a-f]{16}$", policy.Hash);
    }

    [Fact]
    public void A_minimal_policy_takes_the_defaults_and_hashes_like_the_default()
    {
        var policy = PolicyLoader.Parse("version: 1\n", "p.yaml");
        Assert.Empty(policy.Apps.Allow);
        Assert.True(policy.Apps.DenyPasswordManagers);
        Assert.True(policy.Apps.DenyPrivateWindows);
        Assert.True(policy.Frames.MaskOutsideAllowed);
        Assert.All(policy.RecognizerSettings().Values, s => Assert.Equal((true, "placeholder"), s));
        Assert.Equal(RecordingPolicy.Default.Hash, policy.Hash);
    }

    [Fact]
    public void Json_and_yaml_forms_of_one_policy_have_the_same_hash()
    {
        const string yaml = """
            version: 1
            name: Pilot
            apps:
              allow:
                - class: Yad
                - class: chromium
                  urls: ["*.example.com"]
              deny:
                - title: "(?i)secret"
            recognizers:
              email: { enabled: false }
            retention:
              local_days: 7
            pause_hotkey: Control+Shift+F9
            """;
        const string json = """
            {
            	"version": 1,
            	"name": "Pilot",
            	"apps": {
            		"allow": [ { "class": "Yad" }, { "class": "chromium", "urls": [ "https://*.example.com" ] } ],
            		"deny": [ { "title": "(?i)secret" } ]
            	},
            	"recognizers": { "email": { "enabled": false, "action": "placeholder" } },
            	"retention": { "local_days": 7, "review_hold_hours": 24 },
            	"pause_hotkey": "ctrl+shift+F9"
            }
            """;
        var fromYaml = PolicyLoader.Parse(yaml, "p.yaml");
        var fromJson = PolicyLoader.Parse(json, "p.json");
        Assert.Equal(fromYaml.NormalizedJson(), fromJson.NormalizedJson());
        Assert.Equal(fromYaml.Hash, fromJson.Hash);
        Assert.NotEqual(RecordingPolicy.Default.Hash, fromYaml.Hash);
        Assert.Equal("ctrl+shift+F9", fromYaml.PauseHotkey);
    }

    [Fact]
    public void An_unknown_field_is_named_with_its_position()
    {
        var ex = Fails("version: 1\napps:\n  allow:\n    - class: Yad\n      colour: red\n");
        AssertError(ex, 5, 7, "apps.allow[0].colour", "unknown field");
        AssertError(Fails("version: 1\nrecord_everything: true\n"), 2, 1, "record_everything", "unknown field");
    }

    [Fact]
    public void A_wrong_type_is_named_with_its_position()
    {
        AssertError(Fails("version: 1\napps:\n  deny_private_windows: \"yes\"\n"), 3, 25, "apps.deny_private_windows", "expected true or false");
        AssertError(Fails("version: 1\napps:\n  allow:\n    class: Yad\n"), 4, 5, "apps.allow", "expected a list");
        AssertError(Fails("version: 1\nretention:\n  local_days: thirty\n"), 3, 15, "retention.local_days", "expected an integer");
        AssertError(Fails("version: 1\napps:\n  allow:\n    - class: [a, b]\n"), 4, 14, "apps.allow[0].class", "expected a string");
    }

    [Fact]
    public void An_invalid_regular_expression_is_named_with_its_position()
    {
        var ex = Fails("version: 1\napps:\n  allow:\n    - class: a\n    - class: b\n    - title: \"([a-z\"\n");
        AssertError(ex, 6, 14, "apps.allow[2].title", "invalid regular expression");
        // Backreferences cannot run in linear time: refused rather than risking a hang.
        AssertError(Fails("version: 1\napps:\n  deny:\n    - title: '(a)\\1'\n"), 4, 14, "apps.deny[0].title", "not supported");
    }

    [Fact]
    public void A_missing_or_unknown_version_is_refused()
    {
        AssertError(Fails("name: x\n"), 1, 1, "version", "required field is missing");
        AssertError(Fails("version: 2\n"), 1, 10, "version", "unsupported version 2");
        AssertError(Fails("version: \"1\"\n"), 1, 10, "version", "expected an integer");
        AssertError(Fails(""), 1, 1, "version", "required field is missing");
    }

    [Fact]
    public void Mask_outside_allowed_false_is_refused_fail_closed()
    {
        AssertError(Fails("version: 1\nframes:\n  mask_outside_allowed: false\n"), 3, 25, "frames.mask_outside_allowed", "cannot be false");
    }

    [Theory]
    [InlineData("p", "expected modifiers and a key")]
    [InlineData("ctrl+hyper+p", "unknown modifier 'hyper'")]
    [InlineData("ctrl+ctrl+p", "appears twice")]
    [InlineData("ctrl+alt+NoSuchKey", "unknown key 'NoSuchKey'")]
    [InlineData("ctrl++", "expected modifiers and a key")]
    [InlineData("shift+p", "needs ctrl, alt or super")]
    public void A_bad_hotkey_is_refused(string hotkey, string problem)
    {
        AssertError(Fails($"version: 1\npause_hotkey: \"{hotkey}\"\n"), 2, 15, "pause_hotkey", problem);
    }

    [Fact]
    public void The_task_hotkey_has_a_default_is_normalised_and_must_differ_from_the_pause_hotkey()
    {
        Assert.Equal("ctrl+alt+shift+t", PolicyLoader.Parse("version: 1\n", "policy.yaml").TaskHotkey);
        Assert.Equal("ctrl+shift+F8", PolicyLoader.Parse("version: 1\ntask_hotkey: Control+Shift+F8\n", "policy.yaml").TaskHotkey);
        AssertError(Fails("version: 1\ntask_hotkey: \"ctrl+alt+shift+p\"\n"), 2, 14, "task_hotkey", "already the pause hotkey");
        AssertError(Fails("version: 1\ntask_hotkey: \"shift+t\"\n"), 2, 14, "task_hotkey", "needs ctrl, alt or super");
    }

    [Theory]
    [InlineData("\"#12345\"")]
    [InlineData("\"red\"")]
    [InlineData("\"#GGGGGG\"")]
    [InlineData("\"blur\"")]
    public void A_bad_colour_is_refused(string fill)
    {
        AssertError(Fails($"version: 1\nframes:\n  fill: {fill}\n"), 3, 9, "frames.fill", "expected a colour as #RRGGBB");
    }

    [Fact]
    public void Negative_or_out_of_range_numbers_are_refused()
    {
        AssertError(Fails("version: 1\nretention:\n  local_days: -3\n"), 3, 15, "retention.local_days", "must be between 1 and 3650, got -3");
        AssertError(Fails("version: 1\nretention:\n  review_hold_hours: -1\n"), 3, 22, "retention.review_hold_hours", "must be between 0 and 720");
        AssertError(Fails("version: 1\nframes:\n  redaction_timeout_ms: 0\n"), 3, 25, "frames.redaction_timeout_ms", "must be between 1 and 10000");
    }

    [Fact]
    public void Other_mistakes_are_named_too()
    {
        AssertError(Fails("version: 1\nrecognizers:\n  email: { action: blur }\n"), 3, 20, "recognizers.email.action", "unknown action 'blur'");
        AssertError(Fails("version: 1\nrecognizers:\n  passport: { enabled: true }\n"), 3, 3, "recognizers.passport", "unknown field");
        AssertError(Fails("version: 1\nrecognizers:\n  phone_region: USA\n"), 3, 17, "recognizers.phone_region", "longer than 2");
        AssertError(Fails("version: 1\napps:\n  allow:\n    - {}\n"), 4, 7, "apps.allow[0]", "needs at least one of");
        AssertError(Fails("version: 1\napps:\n  allow:\n    - urls: [\"exa mple.com\"]\n"), 4, 14, "apps.allow[0].urls[0]", "expected a domain or URL pattern");
    }

    [Fact]
    public void Syntax_errors_duplicates_and_aliases_name_the_position()
    {
        var syntax = Fails("version: 1\napps: [\n");
        Assert.StartsWith("policy.yaml:", syntax.Message, StringComparison.Ordinal);
        Assert.Contains("syntax error", syntax.Message, StringComparison.Ordinal);
        Assert.True(syntax.Line >= 2);
        var duplicate = Fails("version: 1\nname: a\nname: b\n");
        Assert.Equal((3L, 1L), (duplicate.Line, duplicate.Column));
        Assert.Contains("duplicate key 'name'", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("anchors (&name)", Fails("version: 1\nname: &n x\nsensitive:\n  labels: [*n]\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_errors_name_line_and_column_too()
    {
        var ex = Assert.Throws<PolicyException>(() => PolicyLoader.Parse("{\n  \"version\": 1,\n  \"frames\": { \"fill\": 7 }\n}\n", "p.json"));
        Assert.Equal("p.json:3:23: frames.fill: expected a colour as #RRGGBB, got '7' (the fill is solid, never a blur)", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_one_line_naming_it()
    {
        var ex = Assert.Throws<PolicyException>(() => PolicyLoader.Load("/nonexistent/policy.yaml"));
        Assert.Equal("/nonexistent/policy.yaml: cannot read policy: no such file", ex.Message);
    }

    [Fact]
    public void Pathological_patterns_do_not_hang()
    {
        var policy = PolicyLoader.Parse("version: 1\napps:\n  allow:\n    - title: \"^(a+)+$\"\n    - title: \"(x+x+)+y\"\n", "p.yaml");
        var scope = PolicyScope.Compile(policy, _ => null);
        var evil = new string('a', 50_000) + "!";
        var watch = Stopwatch.StartNew();
        Assert.False(scope.AllowsWindow("app", "app", evil, null));
        Assert.False(scope.AllowsWindow("app", "app", new string('x', 50_000), null));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
