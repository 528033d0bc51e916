using Understudy.Cli.Infrastructure;
using Understudy.Core.Guards;
using Understudy.Core.Pipeline;
using Understudy.Platform.X11.Indicator;
using Understudy.Policy;
using Understudy.Frames.Redaction;
using Understudy.Redaction;

namespace Understudy.Cli.Recording;

/// <summary>Turns <c>--policy</c> / <c>--allow-app</c> into the safeguards of one recording, refusing what would record nothing or too much.</summary>
internal static class RecordingPolicySetup
{
    /// <summary>The explicit way to record every application, for testing capture itself: <c>--allow-app '*'</c>.</summary>
    public const string EveryApp = "*";

    /// <summary>The text redaction engine the policy's recognizer settings describe (a fresh one: surrogates are consistent within it only).</summary>
    public static TextRedactionEngine RedactorFor(RecordingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var settings = policy.RecognizerSettings().ToDictionary(
            pair => pair.Key,
            pair => (pair.Value.Enabled, pair.Value.Action == "surrogate" ? RedactionAction.Surrogate : RedactionAction.Placeholder));
        return new TextRedactionEngine(RedactionOptions.FromSettings(settings, new RedactionOptions { DefaultRegion = policy.PhoneRegion }));
    }

    /// <summary>Loads a policy file, turning its one-line error into a usage error.</summary>
    public static RecordingPolicy Load(string path)
    {
        try
        {
            return PolicyLoader.Load(path);
        }
        catch (PolicyException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    public static (Safeguards Safeguards, RecordingPolicy Policy) Build(string? policyPath, IReadOnlyList<string> allowApps)
    {
        if (policyPath is not null && allowApps.Count > 0)
        {
            throw new UsageException("--policy and --allow-app: give one or the other (put the applications in the policy's apps.allow)");
        }
        RecordingPolicy policy;
        IScopeRules scope;
        if (policyPath is not null)
        {
            policy = Load(policyPath);
            if (policy.Apps.Allow.IsEmpty)
            {
                throw new UsageException($"{policyPath}: apps.allow is empty: the policy allows no application, so nothing would be recorded");
            }
            scope = PolicyScope.Compile(policy);
        }
        else if (allowApps.Count == 1 && allowApps[0] == EveryApp)
        {
            policy = RecordingPolicy.Default;
            scope = AppScope.AllowAll;
            ErrorReporter.Warn("--allow-app '*': every application in front will be recorded, password managers included (for testing capture only)");
        }
        else if (allowApps.Count > 0)
        {
            if (allowApps.Contains(EveryApp))
            {
                throw new UsageException("--allow-app: '*' (every application) cannot be combined with application names");
            }
            policy = RecordingPolicy.Default;
            try
            {
                scope = PolicyScope.FromAllowApps(allowApps);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--allow-app: {ex.Message}");
            }
        }
        else
        {
            throw new UsageException("nothing is allowed: recording is deny-by-default; give --policy FILE or --allow-app CLASS");
        }

        var redactor = RedactorFor(policy);
        // Load the name lists and phone metadata now rather than at the first typed word, then give
        // back what loading them took (Bogus parses whole locales to get at the names).
        TextRedactionEngine.Preload();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        PauseHotkey hotkey;
        PauseHotkey taskHotkey;
        try
        {
            hotkey = PauseHotkey.Parse(policy.PauseHotkey);
            taskHotkey = PauseHotkey.Parse(policy.TaskHotkey);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        var safeguards = new Safeguards(scope, redactor, new SensitiveFieldRules(policy.SensitiveLabels))
        {
            PauseHotkey = hotkey,
            TaskHotkey = taskHotkey,
            PolicyName = policy.Name,
            PolicyHash = policy.Hash,
            FrameFill = 0xFF000000 | policy.Frames.FillRgb,
            FrameOcr = policy.Frames.Ocr,
            FrameRedactionTimeout = TimeSpan.FromMilliseconds(policy.Frames.RedactionTimeoutMs),
        };
        if (safeguards.FrameOcr)
        {
            try
            {
                OcrFrameScrubber.EnsureAvailable();
            }
            catch (Ocr.OcrUnavailableException ex)
            {
                throw new UsageException($"{policyPath}: frames.ocr is on but {ex.Message}");
            }
        }
        return (safeguards, policy);
    }
}
