using System.CommandLine;
using System.Text.Json;
using Understudy.Cli.Infrastructure;
using Understudy.Collector;
using Understudy.Collector.Metadata;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy admin …</c>: what the operator of a collector does with its data directory
/// directly: create the first steward (and any account), issue enrolment tokens, answer
/// subject-access and erasure requests, run retention. Each action is in the audit log under
/// the operator's OS account.
/// </summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var command = new Command("admin", "Collector administration on its data directory: accounts, requests, retention");
        command.Add(CreateAccount());
        command.Add(EnrolmentToken());
        command.Add(ExportPerson());
        command.Add(ErasePerson());
        command.Add(Retention());
        command.Add(IngestBenchmark.Create());
        return command;
    }

    private static Option<string> Account() => new("--account") { Description = "The person's account name", Required = true, HelpName = "NAME" };

    private static Command CreateAccount()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var role = new Option<string>("--role") { Description = "donor, steward, builder or auditor", Required = true, HelpName = "ROLE" };
        role.AcceptOnlyFromAmong("donor", "steward", "builder", "auditor");
        var name = Account();
        var json = CommonOptions.Json();
        var command = new Command("create-account", "Create an individual account and print its token once (the first steward is made this way)") { config, data, role, name, json };
        command.SetAction(parse => Run(parse, config, data, async service =>
        {
            _ = Roles.TryParse(parse.GetValue(role), out var parsedRole);
            var (account, token) = await service.CreateAccountAsync(CollectorAccess.Operator, parsedRole, parse.GetValue(name)!, CancellationToken.None);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("account_id", account.Id);
                    writer.WriteString("role", Roles.Name(account.Role));
                    writer.WriteString("token", token);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine($"{Roles.Name(account.Role)} account {account.Id} created; its token (shown only now, give it to that person alone):");
                Console.Out.WriteLine(token);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command EnrolmentToken()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var name = Account();
        var command = new Command("enrolment-token", "Issue a one-time enrolment token for a donor's device") { config, data, name };
        command.SetAction(parse => Run(parse, config, data, async service =>
        {
            Console.Out.WriteLine(await service.CreateEnrolmentTokenAsync(CollectorAccess.Operator, parse.GetValue(name)!, CancellationToken.None));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ExportPerson()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var name = Account();
        var output = new Option<string>("--out") { Description = "Archive to write (JSON; created 0600, never overwritten)", Required = true, HelpName = "FILE" };
        var command = new Command("export-person", "Subject access: everything held about a person, as one machine-readable archive") { config, data, name, output };
        command.SetAction(parse => Run(parse, config, data, async service =>
        {
            var path = Path.GetFullPath(parse.GetValue(output)!);
            FileStream file;
            try
            {
                file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            }
            catch (IOException ex)
            {
                throw new UsageException($"--out {path}: {ex.Message}");
            }
            try
            {
                await using (file)
                await using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
                {
                    await service.ExportPersonAsync(CollectorAccess.Operator, parse.GetValue(name)!, writer, CancellationToken.None);
                }
            }
            catch
            {
                File.Delete(path);
                throw;
            }
            Console.Out.WriteLine($"subject access archive written to {path}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ErasePerson()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var name = Account();
        var json = CommonOptions.Json();
        var command = new Command("erase-person", "Erasure: crypto-shred every session of a person and mark datasets built from them for rebuild") { config, data, name, json };
        command.SetAction(parse => Run(parse, config, data, async service =>
        {
            var report = await service.ErasePersonAsync(CollectorAccess.Operator, parse.GetValue(name)!, CancellationToken.None);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => JsonSerializer.Serialize(writer, report, Understudy.Upload.ProtocolJson.Options));
            }
            else
            {
                Console.Out.WriteLine($"erased {report.SessionsErased.Count} session(s); {report.DatasetsMarkedForRebuild.Count} dataset(s) marked for rebuild");
                foreach (var dataset in report.DatasetsMarkedForRebuild)
                {
                    Console.Out.WriteLine($"  rebuild {dataset.Id} (purpose: {dataset.Purpose})");
                }
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Retention()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var json = CommonOptions.Json();
        var command = new Command("retention", "Delete sessions past the policy's retention and abandoned uploads, now") { config, data, json };
        command.SetAction(parse => Run(parse, config, data, async service =>
        {
            var report = await service.RunRetentionAsync(CollectorAccess.Operator, CancellationToken.None);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => JsonSerializer.Serialize(writer, report, Understudy.Upload.ProtocolJson.Options));
            }
            else
            {
                Console.Out.WriteLine($"retention ({report.RetentionDays} days): deleted {report.SessionsDeleted.Count} session(s), {report.AbandonedUploadsDeleted.Count} abandoned upload(s); {report.DatasetsMarkedForRebuild.Count} dataset(s) marked for rebuild");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int Run(ParseResult parse, Option<string?> config, Option<string?> data, Func<CollectorService, Task<int>> action)
    {
        var service = CollectorAccess.Open(CollectorAccess.Options(parse.GetValue(config), parse.GetValue(data)));
        try
        {
            return action(service).GetAwaiter().GetResult();
        }
        catch (CollectorError ex)
        {
            return CollectorAccess.Fail(ex);
        }
        finally
        {
            service.Metadata.DisposeAsync().AsTask().GetAwaiter().GetResult();
            (service.Blobs as IDisposable)?.Dispose();
            service.Keys.Dispose();
        }
    }
}
