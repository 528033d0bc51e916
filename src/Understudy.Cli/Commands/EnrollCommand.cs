using System.CommandLine;
using Understudy.Cli.Infrastructure;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy enroll --server URL --token T</c>: exchanges a one-time token for this device's credential, stored beside the device key.</summary>
internal static class EnrollCommand
{
    public static Option<string?> CredentialFile() => new("--credential")
    {
        Description = "Device credential file (default: $UNDERSTUDY_DEVICE_CREDENTIAL_FILE, else beside the device key)",
        HelpName = "FILE",
    };

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Collector URL, e.g. https://collector.example:8470/", Required = true, HelpName = "URL" };
        var token = new Option<string>("--token") { Description = "One-time enrolment token from the data steward", Required = true, HelpName = "TOKEN" };
        var pin = new Option<string?>("--tls-pin") { Description = "The collector's public-key pin (sha256/…), for a collector with a self-signed certificate", HelpName = "PIN" };
        var credential = CredentialFile();
        var json = CommonOptions.Json();
        var command = new Command("enroll", "Enrol this device with a collector using a one-time token") { server, token, pin, credential, json };
        command.SetAction(parse =>
        {
            var url = parse.GetValue(server)!;
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--server '{url}': expected an http:// or https:// URL");
            }
            if (uri.Scheme == "http" && !uri.IsLoopback)
            {
                throw new UsageException($"--server '{url}': plain http is only for a collector on this machine; use https");
            }
            var tlsPin = parse.GetValue(pin);
            if (tlsPin is not null && (!TlsPin.IsValid(tlsPin) || uri.Scheme != "https"))
            {
                throw new UsageException($"--tls-pin '{tlsPin}': expected sha256/ and the base64 of 32 bytes, with an https:// server");
            }
            var path = DeviceCredentialStore.ResolvePath(parse.GetValue(credential));
            using var client = new CollectorClient(uri, null, tlsPin: tlsPin);
            EnrollResponse enrolled;
            try
            {
                enrolled = client.EnrollAsync(parse.GetValue(token)!, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (CollectorException ex)
            {
                return ErrorReporter.Report($"enrolment failed: {ex.Message}", ex.Transient ? ExitCodes.Failure : ExitCodes.BadInput);
            }
            try
            {
                DeviceCredentialStore.Save(path, new DeviceCredential(uri.ToString(), enrolled.DeviceId, enrolled.Credential, enrolled.CollectorPublicKey, enrolled.CollectorKeyId, tlsPin));
            }
            catch (StorageException ex)
            {
                throw new CommandFailedException(ex.Message);
            }
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("device_id", enrolled.DeviceId);
                    writer.WriteString("collector_key_id", enrolled.CollectorKeyId);
                    writer.WriteString("credential_file", path);
                    writer.WriteNumber("policy_version", enrolled.PolicyVersion);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine($"enrolled as device {enrolled.DeviceId}; collector key {enrolled.CollectorKeyId}; credential saved to {path}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
