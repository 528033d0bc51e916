using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Policy;
using Understudy.Policy.Consent;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy upload</c>: one pass of the upload queue. It fetches the collector's policy (and
/// keeps it as &lt;data&gt;/collector-policy.yaml), seals complete sessions past the policy's review
/// hold while the outbox has room, and uploads them. Only with current consent on this machine.
/// </summary>
internal static class UploadCommand
{
    public const string PolicyFileName = "collector-policy.yaml";

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var credential = EnrollCommand.CredentialFile();
        var maxQueued = new Option<int>("--max-queued") { Description = "Sessions the outbox may hold at once (default 16)", DefaultValueFactory = _ => 16, HelpName = "N" };
        var json = CommonOptions.Json();
        var command = new Command("upload", "Upload complete sessions past their review hold to the collector (resumable, idempotent)") { data, credential, maxQueued, json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(maxQueued) is < 1 or > 10_000)
            {
                throw new UsageException("--max-queued: must be 1..10000");
            }
            var credentialPath = DeviceCredentialStore.ResolvePath(parse.GetValue(credential));
            DeviceCredential device;
            try
            {
                device = DeviceCredentialStore.Load(credentialPath) ?? throw new UsageException($"this device is not enrolled ({credentialPath} does not exist); run 'understudy enroll --server URL --token T'");
            }
            catch (StorageException ex)
            {
                throw new UsageException(ex.Message);
            }
            var store = StoreAccess.Open(parse.GetValue(data), create: true);
            using var client = new CollectorClient(new Uri(device.Server), device.Credential, tlsPin: device.TlsPin);
            var hold = TimeSpan.FromHours(RecordingPolicy.Default.Retention.ReviewHoldHours);
            var policyNote = "collector unreachable; using the default review hold";
            try
            {
                var policy = client.GetPolicyAsync(CancellationToken.None).GetAwaiter().GetResult();
                hold = TimeSpan.FromHours(PolicyLoader.Parse(policy.PolicyYaml, "collector policy").Retention.ReviewHoldHours);
                SavePolicy(store.DataDirectoryPath, policy.PolicyYaml);
                policyNote = $"policy version {policy.Version}";
            }
            catch (CollectorException ex) when (ex.Transient || ex.Status == System.Net.HttpStatusCode.NotFound)
            {
                policyNote = ex.Transient ? policyNote : "no policy published; using the default review hold";
            }
            catch (CollectorException ex)
            {
                return ErrorReporter.Report($"collector refused this device: {ex.Message}", ExitCodes.Failure);
            }
            catch (PolicyException ex)
            {
                return ErrorReporter.Report($"the collector's policy does not load here: {ex.Message}", ExitCodes.Failure);
            }
            var consent = new ConsentStore(store.DataDirectoryPath);
            var queue = new UploadQueue(store, DeviceKeyStore.LoadOrCreate(null), device, client,
                new UploadQueueOptions { ReviewHold = hold, MaxQueuedSessions = parse.GetValue(maxQueued) });
            var report = queue.RunAsync(() => consent.IsCurrent, CancellationToken.None).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("policy", policyNote);
                    Strings(writer, "uploaded", report.Uploaded);
                    Strings(writer, "queued", report.Queued);
                    Strings(writer, "held", report.Held);
                    Strings(writer, "problems", report.Problems);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine($"{policyNote}; uploaded {report.Uploaded.Count}, still queued {report.Queued.Count}, held back {report.Held.Count} (review hold {hold.TotalHours:0} h or outbox full)");
            }
            foreach (var problem in report.Problems)
            {
                ErrorReporter.Warn(problem);
            }
            return report.Problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static void Strings(System.Text.Json.Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static void SavePolicy(string dataDirectory, string yaml)
    {
        var path = Path.Combine(dataDirectory, PolicyFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, yaml);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
