using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Understudy.Policy;

/// <summary>
/// Loads a recording policy from YAML or JSON and validates it strictly: unknown fields, wrong
/// types, out-of-range values, invalid patterns and a missing or unknown <c>version</c> are all
/// <see cref="PolicyException"/>s naming file, line, column and field.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Policies are small; anything bigger is not one.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly string[] RootFields = ["version", "name", "apps", "sensitive", "recognizers", "frames", "retention", "pause_hotkey", "task_hotkey"];
    private static readonly string[] AppsFields = ["allow", "deny", "deny_password_managers", "deny_private_windows"];
    private static readonly string[] RuleFields = ["class", "process", "title", "urls"];
    private static readonly string[] SensitiveFields = ["labels"];
    private static readonly string[] RecognizerFields = ["enabled", "action"];
    private static readonly string[] FramesFields = ["enabled", "mask_outside_allowed", "fill", "ocr", "redaction_timeout_ms"];
    private static readonly string[] RetentionFields = ["local_days", "review_hold_hours"];

    /// <summary>Reads and validates the policy file at <paramref name="path"/>; errors name the path as given.</summary>
    public static RecordingPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new PolicyException($"{path}: cannot read policy: no such file", new FileNotFoundException(path));
            }
            if (info.Length > MaxBytes)
            {
                throw new PolicyException($"{path}: cannot read policy: larger than {MaxBytes} bytes", new IOException(path));
            }
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"{path}: cannot read policy: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Validates policy text; <paramref name="sourceName"/> starts every error message.</summary>
    public static RecordingPolicy Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (text.Length > MaxBytes)
        {
            throw new PolicyException(sourceName, 1, 1, "", $"policy is larger than {MaxBytes} characters");
        }
        return new Validator(sourceName).Root(PolicyDocumentReader.Read(text, sourceName));
    }

    internal static Regex CompileTitlePattern(string pattern) =>
        new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    private sealed class Validator(string source)
    {
        private PolicyException Error(PolicyNode node, string path, string problem) => new(source, node.Line, node.Column, path, problem);

        public RecordingPolicy Root(PolicyNode? root)
        {
            if (root is null || root is ScalarNode { IsNull: true })
            {
                throw new PolicyException(source, 1, 1, "version", "required field is missing (the policy is empty)");
            }
            var map = Map(root, "");
            CheckFields(map, "", RootFields);
            var versionNode = Find(map, "version") ?? throw Error(map, "version", "required field is missing (write 'version: 1')");
            var version = Int(versionNode, "version", int.MinValue, int.MaxValue);
            if (version != RecordingPolicy.CurrentVersion)
            {
                throw Error(versionNode, "version", $"unsupported version {version} (this recorder knows version {RecordingPolicy.CurrentVersion})");
            }
            var defaults = RecordingPolicy.Default;
            var name = Find(map, "name") is { } nameNode ? Text(nameNode, "name", 200, allowNull: true) : null;
            var apps = Find(map, "apps") is { } appsNode ? Apps(appsNode, "apps") : defaults.Apps;
            var labels = defaults.SensitiveLabels;
            if (Find(map, "sensitive") is { } sensitiveNode)
            {
                var sensitive = Map(sensitiveNode, "sensitive");
                CheckFields(sensitive, "sensitive", SensitiveFields);
                if (Find(sensitive, "labels") is { } labelsNode)
                {
                    labels = Labels(labelsNode, "sensitive.labels");
                }
            }
            var recognizers = new Dictionary<string, RecognizerSetting>(StringComparer.Ordinal);
            foreach (var (recognizer, setting) in defaults.RecognizerSettings())
            {
                recognizers[recognizer] = new RecognizerSetting(setting.Enabled, setting.Action);
            }
            var phoneRegion = defaults.PhoneRegion;
            if (Find(map, "recognizers") is { } recognizersNode)
            {
                phoneRegion = Recognizers(recognizersNode, recognizers) ?? phoneRegion;
            }
            var frames = Find(map, "frames") is { } framesNode ? Frames(framesNode, defaults.Frames) : defaults.Frames;
            var retention = Find(map, "retention") is { } retentionNode ? Retention(retentionNode, defaults.Retention) : defaults.Retention;
            var hotkey = HotkeyField(map, "pause_hotkey", defaults.PauseHotkey);
            var taskHotkey = HotkeyField(map, "task_hotkey", defaults.TaskHotkey);
            if (taskHotkey == hotkey && Find(map, "task_hotkey") is { } taskNode)
            {
                throw Error(taskNode, "task_hotkey", $"'{taskHotkey}' is already the pause hotkey");
            }
            return new RecordingPolicy(version, name, apps, labels, recognizers, phoneRegion, frames, retention, hotkey, taskHotkey);
        }

        private string HotkeyField(MappingNode map, string field, string fallback)
        {
            if (Find(map, field) is not { } node)
            {
                return fallback;
            }
            var value = Text(node, field, 100, allowNull: false)!;
            return Hotkey.Normalize(value, out var problem) ?? throw Error(node, field, problem!);
        }

        private AppsPolicy Apps(PolicyNode node, string path)
        {
            var map = Map(node, path);
            CheckFields(map, path, AppsFields);
            var defaults = RecordingPolicy.Default.Apps;
            return new AppsPolicy(
                Find(map, "allow") is { } allow ? Rules(allow, path + ".allow") : [],
                Find(map, "deny") is { } deny ? Rules(deny, path + ".deny") : [],
                Find(map, "deny_password_managers") is { } managers ? Bool(managers, path + ".deny_password_managers") : defaults.DenyPasswordManagers,
                Find(map, "deny_private_windows") is { } privateWindows ? Bool(privateWindows, path + ".deny_private_windows") : defaults.DenyPrivateWindows);
        }

        private ImmutableArray<AppRule> Rules(PolicyNode node, string path)
        {
            if (node is ScalarNode { IsNull: true })
            {
                return [];
            }
            var list = Sequence(node, path);
            var rules = ImmutableArray.CreateBuilder<AppRule>(list.Items.Count);
            for (var i = 0; i < list.Items.Count; i++)
            {
                rules.Add(Rule(list.Items[i], $"{path}[{i}]"));
            }
            return rules.ToImmutable();
        }

        private AppRule Rule(PolicyNode node, string path)
        {
            var map = Map(node, path);
            CheckFields(map, path, RuleFields);
            var wmClass = Find(map, "class") is { } classNode ? Name(classNode, path + ".class") : null;
            var process = Find(map, "process") is { } processNode ? Name(processNode, path + ".process") : null;
            string? title = null;
            if (Find(map, "title") is { } titleNode)
            {
                title = Text(titleNode, path + ".title", 1000, allowNull: false)!;
                try
                {
                    _ = CompileTitlePattern(title);
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    var hint = ex is NotSupportedException ? " (backreferences, lookarounds and atomic groups are not supported)" : "";
                    throw Error(titleNode, path + ".title", $"invalid regular expression: {ex.Message}{hint}");
                }
            }
            var urls = ImmutableArray<string>.Empty;
            if (Find(map, "urls") is { } urlsNode)
            {
                var list = Sequence(urlsNode, path + ".urls");
                if (list.Items.Count == 0)
                {
                    throw Error(urlsNode, path + ".urls", "must list at least one pattern (or be left out)");
                }
                var builder = ImmutableArray.CreateBuilder<string>(list.Items.Count);
                for (var i = 0; i < list.Items.Count; i++)
                {
                    var itemPath = $"{path}.urls[{i}]";
                    var pattern = Text(list.Items[i], itemPath, 500, allowNull: false)!;
                    builder.Add(UrlGlob.Normalize(pattern, out var problem) ?? throw Error(list.Items[i], itemPath, problem!));
                }
                urls = builder.ToImmutable();
            }
            if (wmClass is null && process is null && title is null && urls.IsEmpty)
            {
                throw Error(map, path, "an entry needs at least one of class, process, title, urls");
            }
            return new AppRule(wmClass, process, title, urls);
        }

        private ImmutableArray<string> Labels(PolicyNode node, string path)
        {
            var list = Sequence(node, path);
            var labels = ImmutableArray.CreateBuilder<string>(list.Items.Count);
            for (var i = 0; i < list.Items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                var label = Text(list.Items[i], itemPath, 100, allowNull: false)!.Trim().ToLowerInvariant();
                if (!label.Any(char.IsLetterOrDigit))
                {
                    throw Error(list.Items[i], itemPath, "a label needs at least one letter or digit");
                }
                labels.Add(label);
            }
            return labels.ToImmutable();
        }

        private string? Recognizers(PolicyNode node, Dictionary<string, RecognizerSetting> settings)
        {
            const string path = "recognizers";
            var map = Map(node, path);
            CheckFields(map, path, [.. RecordingPolicy.RecognizerNames, "phone_region"]);
            string? region = null;
            foreach (var (key, value) in map.Entries)
            {
                var itemPath = $"{path}.{key.Value}";
                if (key.Value == "phone_region")
                {
                    var text = Text(value, itemPath, 2, allowNull: false)!.ToUpperInvariant();
                    if (text.Length != 2 || !text.All(char.IsAsciiLetterUpper))
                    {
                        throw Error(value, itemPath, $"expected a two-letter region code such as US or DE, got '{text}'");
                    }
                    region = text;
                    continue;
                }
                var recognizer = Map(value, itemPath);
                CheckFields(recognizer, itemPath, RecognizerFields);
                var current = settings[key.Value];
                var enabled = Find(recognizer, "enabled") is { } enabledNode ? Bool(enabledNode, itemPath + ".enabled") : current.Enabled;
                var action = current.Action;
                if (Find(recognizer, "action") is { } actionNode)
                {
                    action = Text(actionNode, itemPath + ".action", 50, allowNull: false)!;
                    if (!RecordingPolicy.RecognizerActions.Contains(action))
                    {
                        throw Error(actionNode, itemPath + ".action", $"unknown action '{action}' (expected placeholder or surrogate)");
                    }
                }
                settings[key.Value] = new RecognizerSetting(enabled, action);
            }
            return region;
        }

        private FramesPolicy Frames(PolicyNode node, FramesPolicy defaults)
        {
            const string path = "frames";
            var map = Map(node, path);
            CheckFields(map, path, FramesFields);
            var mask = defaults.MaskOutsideAllowed;
            if (Find(map, "mask_outside_allowed") is { } maskNode && !Bool(maskNode, path + ".mask_outside_allowed"))
            {
                throw Error(maskNode, path + ".mask_outside_allowed",
                    "cannot be false: windows outside the allowed applications are always masked in frames (fail closed); turn frames off with 'enabled: false' instead");
            }
            var fill = defaults.Fill;
            if (Find(map, "fill") is { } fillNode)
            {
                var text = Text(fillNode, path + ".fill", 20, allowNull: false)!;
                if (text.Length != 7 || text[0] != '#' || !text.Skip(1).All(char.IsAsciiHexDigit))
                {
                    throw Error(fillNode, path + ".fill", $"expected a colour as #RRGGBB, got '{text}' (the fill is solid, never a blur)");
                }
                fill = text.ToLowerInvariant();
            }
            return new FramesPolicy(
                Find(map, "enabled") is { } enabled ? Bool(enabled, path + ".enabled") : defaults.Enabled,
                mask,
                fill,
                Find(map, "ocr") is { } ocr ? Bool(ocr, path + ".ocr") : defaults.Ocr,
                Find(map, "redaction_timeout_ms") is { } timeout ? Int(timeout, path + ".redaction_timeout_ms", 1, 10_000) : defaults.RedactionTimeoutMs);
        }

        private RetentionPolicy Retention(PolicyNode node, RetentionPolicy defaults)
        {
            const string path = "retention";
            var map = Map(node, path);
            CheckFields(map, path, RetentionFields);
            return new RetentionPolicy(
                Find(map, "local_days") is { } days ? Int(days, path + ".local_days", 1, 3650) : defaults.LocalDays,
                Find(map, "review_hold_hours") is { } hold ? Int(hold, path + ".review_hold_hours", 0, 720) : defaults.ReviewHoldHours);
        }

        private MappingNode Map(PolicyNode node, string path) =>
            node as MappingNode ?? throw Error(node, path, $"expected a mapping of fields, found {Describe(node)}");

        private SequenceNode Sequence(PolicyNode node, string path) =>
            node as SequenceNode ?? throw Error(node, path, $"expected a list, found {Describe(node)}");

        private void CheckFields(MappingNode map, string path, string[] allowed)
        {
            foreach (var (key, _) in map.Entries)
            {
                if (!allowed.Contains(key.Value, StringComparer.Ordinal))
                {
                    var field = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
                    throw Error(key, field, $"unknown field (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        private static PolicyNode? Find(MappingNode map, string key)
        {
            foreach (var (k, v) in map.Entries)
            {
                if (k.Value == key)
                {
                    return v;
                }
            }
            return null;
        }

        private string? Text(PolicyNode node, string path, int maxLength, bool allowNull)
        {
            if (node is not ScalarNode scalar)
            {
                throw Error(node, path, $"expected a string, found {Describe(node)}");
            }
            if (scalar.IsNull)
            {
                return allowNull ? null : throw Error(node, path, "expected a string, found null");
            }
            if (scalar.Value.Length == 0)
            {
                throw Error(node, path, "must not be empty");
            }
            if (scalar.Value.Length > maxLength)
            {
                throw Error(node, path, $"longer than {maxLength} characters");
            }
            if (scalar.Value.Any(char.IsControl))
            {
                throw Error(node, path, "must not contain control characters");
            }
            return scalar.Value;
        }

        private string Name(PolicyNode node, string path)
        {
            var text = Text(node, path, 256, allowNull: false)!.Trim();
            return text.Length == 0 ? throw Error(node, path, "must not be blank") : text;
        }

        private bool Bool(PolicyNode node, string path)
        {
            if (node is ScalarNode { Quoted: false } scalar)
            {
                switch (scalar.Value)
                {
                    case "true" or "True" or "TRUE":
                        return true;
                    case "false" or "False" or "FALSE":
                        return false;
                }
            }
            throw Error(node, path, $"expected true or false, found {Describe(node)}");
        }

        private int Int(PolicyNode node, string path, int min, int max)
        {
            if (node is not ScalarNode { Quoted: false } scalar || scalar.IsNull
                || !long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw Error(node, path, $"expected an integer, found {Describe(node)}");
            }
            if (value < min || value > max)
            {
                throw Error(node, path, $"must be between {min} and {max}, got {value}");
            }
            return (int)value;
        }

        private static string Describe(PolicyNode node) => node switch
        {
            ScalarNode { IsNull: true } => "null",
            ScalarNode { Quoted: true } s => $"the string '{Shorten(s.Value)}'",
            ScalarNode s => $"'{Shorten(s.Value)}'",
            _ => node.KindName,
        };

        private static string Shorten(string value)
        {
            var oneLine = value.ReplaceLineEndings(" ");
            return oneLine.Length <= 40 ? oneLine : oneLine[..40] + "…";
        }
    }
}
