using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Policy.Consent;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy status</c>: is a recorder running, paused or recording, which session, under which policy, with what consent.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show whether recording is on or paused, which session and policy, and your consent") { data, json };
        command.SetAction(parse =>
        {
            var directory = ConsentCommand.ResolveDataDirectory(parse.GetValue(data));
            var file = new RecorderStatusFile(directory);
            var written = file.TryRead();
            var live = written is not null && RecorderStatusFile.IsUnderstudyProcess(written.Pid) ? written : null;
            var consent = new ConsentStore(directory);
            var state = live is null ? "not_recording" : live.Paused ? "paused" : "recording";
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("state", state);
                    writer.WriteBoolean("running", live is not null);
                    writer.WriteBoolean("stale_status_file", written is not null && live is null);
                    if (live is not null)
                    {
                        writer.WriteNumber("pid", live.Pid);
                        writer.WriteString("session_id", live.SessionId);
                        ConsentCommand.WriteTime(writer, "started_at", live.StartedAt);
                        ConsentCommand.WriteTime(writer, "paused_since", live.PausedSince);
                        writer.WriteStartObject("policy");
                        WriteOptional(writer, "name", live.PolicyName);
                        WriteOptional(writer, "hash", live.PolicyHash);
                        writer.WriteEndObject();
                    }
                    writer.WritePropertyName("consent");
                    ConsentCommand.WriteConsent(writer, consent);
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }
            if (live is null)
            {
                Console.Out.WriteLine(written is null ? "not recording" : $"not recording (stale status file left by pid {written.Pid}, which is no longer running)");
            }
            else
            {
                Console.Out.WriteLine(live.Paused
                    ? $"paused since {ConsentCommand.FormatTime(live.PausedSince)} (recorder pid {live.Pid})"
                    : $"recording (recorder pid {live.Pid})");
                Console.Out.WriteLine($"session: {live.SessionId}, started {ConsentCommand.FormatTime(live.StartedAt)}");
                Console.Out.WriteLine($"policy: {live.PolicyName ?? "(unnamed)"}{(live.PolicyHash is null ? "" : $" [{live.PolicyHash}]")}");
            }
            foreach (var line in ConsentCommand.DescribeConsent(consent))
            {
                Console.Out.WriteLine(line);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteOptional(System.Text.Json.Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
