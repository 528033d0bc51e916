using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Policy;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy policy check FILE</c>: validates a recording policy and summarises what it allows.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Work with recording policies (see docs/policy.md)");
        command.Add(Check());
        return command;
    }

    private static Command Check()
    {
        var file = new Argument<string>("file") { Description = "Policy file, YAML or JSON" };
        var json = CommonOptions.Json();
        var command = new Command("check", "Validate a policy file and summarise it; exit 2 with file:line:column on the first error") { file, json };
        command.SetAction(parse =>
        {
            RecordingPolicy policy;
            try
            {
                policy = PolicyLoader.Load(parse.GetValue(file)!);
            }
            catch (PolicyException ex)
            {
                throw new UsageException(ex.Message);
            }
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("valid", true);
                    writer.WriteString("hash", policy.Hash);
                    writer.WritePropertyName("policy");
                    policy.WriteJson(writer);
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }
            foreach (var line in Summary(policy))
            {
                Console.Out.WriteLine(line);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static IEnumerable<string> Summary(RecordingPolicy policy)
    {
        yield return $"policy ok: {policy.Name ?? "(unnamed)"} — version {policy.Version}, hash {policy.Hash}";
        if (policy.Apps.Allow.IsEmpty)
        {
            yield return "allowed: nothing (default deny: recording under this policy keeps only gaps)";
        }
        else
        {
            yield return $"allowed ({policy.Apps.Allow.Length}):";
            foreach (var rule in policy.Apps.Allow)
            {
                yield return "  " + rule.Describe();
            }
        }
        yield return $"denied ({policy.Apps.Deny.Length}, always wins):";
        foreach (var rule in policy.Apps.Deny)
        {
            yield return "  " + rule.Describe();
        }
        yield return $"  password managers: {(policy.Apps.DenyPasswordManagers ? "denied" : "NOT denied")}";
        yield return $"  private browser windows: {(policy.Apps.DenyPrivateWindows ? "denied" : "NOT denied")}";
        yield return $"sensitive labels: {string.Join(", ", policy.SensitiveLabels)}";
        var recognizers = policy.RecognizerSettings();
        var on = RecordingPolicy.RecognizerNames.Where(n => recognizers[n].Enabled).Select(n => $"{n} ({recognizers[n].Action})");
        var off = RecordingPolicy.RecognizerNames.Where(n => !recognizers[n].Enabled).ToList();
        yield return $"recognizers on: {string.Join(", ", on)}; phone region {policy.PhoneRegion}";
        yield return $"recognizers off: {(off.Count == 0 ? "none" : string.Join(", ", off))}";
        yield return policy.Frames.Enabled
            ? $"frames: on, outside allowed windows filled with {policy.Frames.Fill}, OCR {(policy.Frames.Ocr ? "on" : "off")}, dropped when redaction takes over {policy.Frames.RedactionTimeoutMs} ms"
            : "frames: off";
        yield return $"retention: local sessions deleted after {policy.Retention.LocalDays} days; review hold {policy.Retention.ReviewHoldHours} h before upload";
        yield return $"pause hotkey: {policy.PauseHotkey}";
    }
}
