using System.CommandLine;
using System.Runtime.InteropServices;
using Understudy.Cli.Infrastructure;
using Understudy.Collector;
using Understudy.Collector.Http;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy serve</c>: the collector, until SIGTERM or Ctrl-C, then a graceful stop (requests in flight finish).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CollectorAccess.Config();
        var data = CollectorAccess.Data();
        var listen = new Option<string?>("--listen") { Description = "ADDRESS:PORT to listen on (default 127.0.0.1:8470; plain HTTP only on loopback)", HelpName = "ADDR:PORT" };
        var devCert = new Option<bool>("--dev-cert") { Description = "Serve HTTPS with a self-signed certificate made at start (development)" };
        var command = new Command("serve", "Run the collector: enrolment, sealed uploads, policy, consent, audit, retention") { config, data, listen, devCert };
        command.SetAction(parse =>
        {
            var options = CollectorAccess.Options(parse.GetValue(config), parse.GetValue(data));
            if (parse.GetValue(listen) is { } address)
            {
                options = Try(() => CollectorConfigFile.WithListen(options, "--listen", address));
            }
            if (parse.GetValue(devCert))
            {
                options = options with { UseDevelopmentCertificate = true };
            }
            using var stop = new CancellationTokenSource();
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            CollectorHost host;
            try
            {
                host = CollectorHost.StartAsync(options, CancellationToken.None, message => ErrorReporter.Warn(message)).GetAwaiter().GetResult();
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
            catch (IOException ex)
            {
                throw new CommandFailedException($"cannot listen on {options.ListenAddress}:{options.Port}: {ex.Message}");
            }
            Console.Out.WriteLine($"collector listening on {host.Address} (metadata {options.MetadataProvider}, blobs {options.BlobProvider}, data {options.DataDirectory}, key {host.Service.Keys.KeyId})");
            if (host.CertificatePin is { } pin)
            {
                Console.Out.WriteLine($"development certificate: enrol devices with --tls-pin {pin}");
            }
            Console.Out.Flush();
            stop.Token.WaitHandle.WaitOne();
            host.StopAsync().GetAwaiter().GetResult();
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Console.Out.WriteLine("collector stopped");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static CollectorOptions Try(Func<CollectorOptions> apply)
    {
        try
        {
            return apply();
        }
        catch (ConfigException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
