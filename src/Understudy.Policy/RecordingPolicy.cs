using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Understudy.Policy;

/// <summary>
/// One allow or deny entry. Every matcher that is set must match (they are ANDed); an entry
/// sets at least one. <see cref="Title"/> is a .NET regular expression (compiled non-backtracking);
/// <see cref="Urls"/> are host or URL globs.
/// </summary>
public sealed record AppRule(string? Class, string? Process, string? Title, ImmutableArray<string> Urls)
{
    /// <summary>A short description for manifests and summaries, e.g. <c>class=Yad</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Class is not null)
        {
            parts.Add($"class={Class}");
        }
        if (Process is not null)
        {
            parts.Add($"process={Process}");
        }
        if (Title is not null)
        {
            parts.Add($"title=/{Title}/");
        }
        if (!Urls.IsDefaultOrEmpty)
        {
            parts.Add($"urls=[{string.Join(", ", Urls)}]");
        }
        return string.Join(" ", parts);
    }
}

/// <summary>A recognizer's setting: on or off, and what replaces what it finds.</summary>
public sealed record RecognizerSetting(bool Enabled, string Action);

/// <summary>Which windows are recorded.</summary>
public sealed record AppsPolicy(ImmutableArray<AppRule> Allow, ImmutableArray<AppRule> Deny, bool DenyPasswordManagers, bool DenyPrivateWindows);

/// <summary>Screen frames: solid fill outside allowed windows (always), OCR, and the redaction deadline.</summary>
public sealed record FramesPolicy(bool Enabled, bool MaskOutsideAllowed, string Fill, bool Ocr, int RedactionTimeoutMs)
{
    /// <summary><see cref="Fill"/> as 0xRRGGBB.</summary>
    public uint FillRgb => Convert.ToUInt32(Fill[1..], 16);
}

/// <summary>How long sessions stay on this machine and how long they wait before they may leave it.</summary>
public sealed record RetentionPolicy(int LocalDays, int ReviewHoldHours);

/// <summary>
/// A validated, immutable recording policy. Build one with <see cref="PolicyLoader"/> or take
/// <see cref="Default"/>, which allows no application at all: recording under it keeps nothing
/// but gaps.
/// </summary>
public sealed class RecordingPolicy
{
    public const int CurrentVersion = 1;

    /// <summary>The recognizer names, in their documented order.</summary>
    public static ImmutableArray<string> RecognizerNames { get; } =
    [
        "email", "phone", "credit_card", "iban", "us_ssn", "ip_address", "url_credentials",
        "date_of_birth", "person", "private_key", "jwt", "api_key", "secret",
    ];

    public static ImmutableArray<string> RecognizerActions { get; } = ["placeholder", "surrogate"];

    public static ImmutableArray<string> DefaultSensitiveLabels { get; } =
    [
        "password", "passcode", "pin", "cvv", "cvc", "ssn", "social security", "secret", "token",
        "api key", "otp", "one-time code", "security code", "iban", "card number",
    ];

    public const string DefaultPauseHotkey = "ctrl+alt+shift+p";

    public const string DefaultTaskHotkey = "ctrl+alt+shift+t";

    private readonly FrozenDictionary<string, RecognizerSetting> _recognizers;
    private string? _hash;

    internal RecordingPolicy(
        int version,
        string? name,
        AppsPolicy apps,
        ImmutableArray<string> sensitiveLabels,
        IReadOnlyDictionary<string, RecognizerSetting> recognizers,
        string phoneRegion,
        FramesPolicy frames,
        RetentionPolicy retention,
        string pauseHotkey,
        string taskHotkey)
    {
        Version = version;
        Name = name;
        Apps = apps;
        SensitiveLabels = sensitiveLabels;
        _recognizers = recognizers.ToFrozenDictionary(StringComparer.Ordinal);
        PhoneRegion = phoneRegion;
        Frames = frames;
        Retention = retention;
        PauseHotkey = pauseHotkey;
        TaskHotkey = taskHotkey;
    }

    /// <summary>Deny everything: no allow entries, every default safeguard on.</summary>
    public static RecordingPolicy Default { get; } = new(
        CurrentVersion,
        null,
        new AppsPolicy([], [], DenyPasswordManagers: true, DenyPrivateWindows: true),
        DefaultSensitiveLabels,
        RecognizerNames.ToDictionary(n => n, _ => new RecognizerSetting(true, "placeholder"), StringComparer.Ordinal),
        "US",
        new FramesPolicy(Enabled: true, MaskOutsideAllowed: true, Fill: "#202020", Ocr: false, RedactionTimeoutMs: 500),
        new RetentionPolicy(LocalDays: 30, ReviewHoldHours: 24),
        DefaultPauseHotkey,
        DefaultTaskHotkey);

    public int Version { get; }

    public string? Name { get; }

    public AppsPolicy Apps { get; }

    /// <summary>Lower-case label words or phrases; see <see cref="Policy.SensitiveLabels"/>.</summary>
    public ImmutableArray<string> SensitiveLabels { get; }

    /// <summary>Region for phone numbers without a country code, e.g. <c>US</c>.</summary>
    public string PhoneRegion { get; }

    public FramesPolicy Frames { get; }

    public RetentionPolicy Retention { get; }

    /// <summary>Normalised: lower-case modifiers in the order ctrl, alt, shift, super, then the key's X11 keysym name.</summary>
    public string PauseHotkey { get; }

    /// <summary>Ends the open task, or begins an unnamed one; normalised like <see cref="PauseHotkey"/>.</summary>
    public string TaskHotkey { get; }

    /// <summary>Every recognizer by its lower-case name (all of <see cref="RecognizerNames"/> are present).</summary>
    public IReadOnlyDictionary<string, (bool Enabled, string Action)> RecognizerSettings() =>
        _recognizers.ToDictionary(p => p.Key, p => (p.Value.Enabled, p.Value.Action), StringComparer.Ordinal).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The first 16 hex digits of the SHA-256 of <see cref="NormalizedJson"/>: same policy, same hash, whatever the file's form.</summary>
    public string Hash => _hash ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizedJson())))[..16];

    /// <summary>The effective policy (defaults filled in) as compact JSON with a fixed field order.</summary>
    public string NormalizedJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the effective policy as one JSON object (used by the hash and by <c>policy check --json</c>).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        if (Name is null)
        {
            writer.WriteNull("name");
        }
        else
        {
            writer.WriteString("name", Name);
        }
        writer.WriteStartObject("apps");
        WriteRules(writer, "allow", Apps.Allow);
        WriteRules(writer, "deny", Apps.Deny);
        writer.WriteBoolean("deny_password_managers", Apps.DenyPasswordManagers);
        writer.WriteBoolean("deny_private_windows", Apps.DenyPrivateWindows);
        writer.WriteEndObject();
        writer.WriteStartObject("sensitive");
        writer.WriteStartArray("labels");
        foreach (var label in SensitiveLabels)
        {
            writer.WriteStringValue(label);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject("recognizers");
        foreach (var name in RecognizerNames)
        {
            var setting = _recognizers[name];
            writer.WriteStartObject(name);
            writer.WriteBoolean("enabled", setting.Enabled);
            writer.WriteString("action", setting.Action);
            writer.WriteEndObject();
        }
        writer.WriteString("phone_region", PhoneRegion);
        writer.WriteEndObject();
        writer.WriteStartObject("frames");
        writer.WriteBoolean("enabled", Frames.Enabled);
        writer.WriteBoolean("mask_outside_allowed", Frames.MaskOutsideAllowed);
        writer.WriteString("fill", Frames.Fill);
        writer.WriteBoolean("ocr", Frames.Ocr);
        writer.WriteNumber("redaction_timeout_ms", Frames.RedactionTimeoutMs);
        writer.WriteEndObject();
        writer.WriteStartObject("retention");
        writer.WriteNumber("local_days", Retention.LocalDays);
        writer.WriteNumber("review_hold_hours", Retention.ReviewHoldHours);
        writer.WriteEndObject();
        writer.WriteString("pause_hotkey", PauseHotkey);
        writer.WriteString("task_hotkey", TaskHotkey);
        writer.WriteEndObject();
    }

    private static void WriteRules(Utf8JsonWriter writer, string name, ImmutableArray<AppRule> rules)
    {
        writer.WriteStartArray(name);
        foreach (var rule in rules)
        {
            writer.WriteStartObject();
            if (rule.Class is not null)
            {
                writer.WriteString("class", rule.Class);
            }
            if (rule.Process is not null)
            {
                writer.WriteString("process", rule.Process);
            }
            if (rule.Title is not null)
            {
                writer.WriteString("title", rule.Title);
            }
            if (!rule.Urls.IsDefaultOrEmpty)
            {
                writer.WriteStartArray("urls");
                foreach (var url in rule.Urls)
                {
                    writer.WriteStringValue(url);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>The same policy with other allow entries (for <c>--allow-app</c>).</summary>
    internal RecordingPolicy WithAllow(ImmutableArray<AppRule> allow) =>
        new(Version, Name, Apps with { Allow = allow }, SensitiveLabels, _recognizers, PhoneRegion, Frames, Retention, PauseHotkey, TaskHotkey);
}
