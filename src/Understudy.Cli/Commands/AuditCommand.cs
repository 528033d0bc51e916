using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Model;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy audit verify</c>: walks the collector's hash chain and names the first entry that was changed, removed or moved.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "The collector's append-only, hash-chained audit log");
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var json = CommonOptions.Json();
        var verify = new Command("verify", "Check the audit chain; exit 0 when intact, 1 naming the first broken entry") { config, data, json };
        verify.SetAction(parse =>
        {
            var service = CollectorAccess.Open(CollectorAccess.Options(parse.GetValue(config), parse.GetValue(data)));
            var result = service.VerifyAuditAsync(CancellationToken.None).GetAwaiter().GetResult();
            service.Metadata.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("intact", result.Intact);
                    writer.WriteNumber("entries_checked", result.EntriesChecked);
                    writer.WriteNumberOrNull("broken_at_seq", result.BrokenAtSeq);
                    writer.WriteStringOrNull("problem", result.Problem);
                    writer.WriteEndObject();
                });
            }
            else if (result.Intact)
            {
                Console.Out.WriteLine($"audit log intact: {result.EntriesChecked} entries");
            }
            if (!result.Intact)
            {
                return ErrorReporter.Report($"audit log is not intact: {result.Problem} ({result.EntriesChecked} entries verified before it)", ExitCodes.Failure);
            }
            return ExitCodes.Ok;
        });
        command.Add(verify);
        return command;
    }
}
