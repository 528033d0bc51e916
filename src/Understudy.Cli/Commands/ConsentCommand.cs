using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Understudy.Cli.Infrastructure;
using Understudy.Policy.Consent;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy consent show|accept|status|withdraw</c>: the donor's notice and their say over it.</summary>
internal static class ConsentCommand
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var command = new Command("consent", "Read the recording notice, accept it, see your consent, or withdraw it (which deletes your sessions)");
        command.Add(Show());
        command.Add(Accept());
        command.Add(Status());
        command.Add(Withdraw());
        return command;
    }

    private static Command Show()
    {
        var json = CommonOptions.Json();
        var command = new Command("show", "Print the recording notice and its version") { json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("notice_version", ConsentNotice.Version);
                    writer.WriteString("notice_sha256", ConsentNotice.Sha256);
                    writer.WriteString("text", ConsentNotice.Text);
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }
            Console.Out.Write(ConsentNotice.Text);
            Console.Out.WriteLine();
            Console.Out.WriteLine($"notice version {ConsentNotice.Version} (sha256 {ConsentNotice.Sha256[..16]})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Accept()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command("accept", "Print the notice and record that you accept it (recording needs this)") { data, json };
        command.SetAction(parse =>
        {
            var store = new ConsentStore(CreateDataDirectory(parse.GetValue(data)));
            var record = store.Accept();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => WriteConsent(writer, store));
                return ExitCodes.Ok;
            }
            Console.Out.Write(ConsentNotice.Text);
            Console.Out.WriteLine();
            Console.Out.WriteLine($"consent recorded: notice version {record.NoticeVersion}, accepted at {FormatTime(record.AcceptedAt)}");
            Console.Out.WriteLine("withdraw at any time with 'understudy consent withdraw' (this deletes every local session)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Status()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command("status", "Whether you accepted the notice, when, and whether a newer notice needs your acceptance") { data, json };
        command.SetAction(parse =>
        {
            var store = new ConsentStore(ResolveDataDirectory(parse.GetValue(data)));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => WriteConsent(writer, store));
                return ExitCodes.Ok;
            }
            foreach (var line in DescribeConsent(store))
            {
                Console.Out.WriteLine(line);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Withdraw()
    {
        var data = CommonOptions.Data();
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("withdraw", "Withdraw consent: stops a running recorder and deletes every local session") { data, yes };
        command.SetAction(parse =>
        {
            var directory = CreateDataDirectory(parse.GetValue(data));
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new UsageException("withdrawing deletes every local session: confirm with --yes when not running interactively");
                }
                Console.Out.Write("Withdraw consent, stop recording and delete every local session? Type 'yes' to confirm: ");
                if (!string.Equals(Console.In.ReadLine()?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
                {
                    Console.Out.WriteLine("nothing changed");
                    return ExitCodes.Ok;
                }
            }
            // Withdrawal is recorded first: from this instant no recorder may start.
            var consent = new ConsentStore(directory).Withdraw();
            Console.Out.WriteLine($"consent withdrawn at {FormatTime(consent.WithdrawnAt)}");
            var failures = new List<string>();
            try
            {
                if (new RecorderStatusFile(directory).StopRecorder(StopTimeout) is { } pid)
                {
                    Console.Out.WriteLine($"stopped the recorder (pid {pid})");
                }
            }
            catch (StorageException ex)
            {
                failures.Add(ex.Message);
            }
            var store = StoreAccess.Open(directory, create: false);
            var deleted = 0;
            foreach (var session in store.List())
            {
                try
                {
                    // Withdrawal erases everything on this machine, whichever device key sealed it.
                    store.Delete(session.Id, evenIfOtherDeviceKey: true);
                    deleted++;
                }
                catch (StorageException ex)
                {
                    failures.Add(ex.Message);
                }
            }
            Console.Out.WriteLine($"deleted {deleted} session{(deleted == 1 ? "" : "s")}");
            if (failures.Count > 0)
            {
                throw new CommandFailedException($"withdrawal recorded, but {failures.Count} thing(s) failed: {string.Join("; ", failures)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string ResolveDataDirectory(string? dataOption)
    {
        try
        {
            return DataDirectory.Resolve(dataOption);
        }
        catch (StorageException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static string CreateDataDirectory(string? dataOption)
    {
        try
        {
            return DataDirectory.EnsureExists(DataDirectory.Resolve(dataOption));
        }
        catch (StorageException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>The consent part of <c>consent status --json</c> and <c>status --json</c>.</summary>
    internal static void WriteConsent(Utf8JsonWriter writer, ConsentStore store)
    {
        var record = store.Read();
        writer.WriteStartObject();
        writer.WriteString("state", StateName(store.State));
        writer.WriteBoolean("current", record?.IsCurrent ?? false);
        writer.WriteBoolean("needs_acceptance", !(record?.IsCurrent ?? false));
        if (record is { NoticeVersion: > 0 })
        {
            writer.WriteNumber("notice_version", record.NoticeVersion);
        }
        else
        {
            writer.WriteNull("notice_version");
        }
        writer.WriteNumber("current_notice_version", ConsentNotice.Version);
        WriteTime(writer, "accepted_at", record?.AcceptedAt);
        WriteTime(writer, "withdrawn_at", record?.WithdrawnAt);
        writer.WriteEndObject();
    }

    /// <summary>The consent part of <c>consent status</c> and <c>status</c>, as lines.</summary>
    internal static IEnumerable<string> DescribeConsent(ConsentStore store)
    {
        var record = store.Read();
        switch (store.State)
        {
            case ConsentState.Never:
                yield return $"consent: never given (notice version {ConsentNotice.Version}); nothing is recorded until 'understudy consent accept'";
                break;
            case ConsentState.Withdrawn:
                yield return $"consent: withdrawn at {FormatTime(record!.WithdrawnAt)}; nothing is recorded until 'understudy consent accept'";
                break;
            default:
                yield return $"consent: accepted notice version {record!.NoticeVersion} at {FormatTime(record.AcceptedAt)}";
                if (!record.IsCurrent)
                {
                    yield return $"the notice has changed (now version {ConsentNotice.Version}): read it with 'understudy consent show' and accept it again before recording";
                }
                break;
        }
    }

    internal static string StateName(ConsentState state) => state switch
    {
        ConsentState.Accepted => "accepted",
        ConsentState.Withdrawn => "withdrawn",
        _ => "never",
    };

    internal static string FormatTime(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    internal static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
