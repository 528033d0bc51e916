using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Collector.Tests.Support;
using Understudy.Upload;

namespace Understudy.Collector.Tests;

/// <summary>Rate limits per device, graceful shutdown without losing acknowledged chunks, TLS with the development certificate.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly TestRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    [Fact]
    public async Task A_device_over_its_rate_limit_gets_429_with_retry_after_while_another_device_is_unaffected()
    {
        await using var collector = await TestCollector.StartAsync(StoreKind.Sqlite, o => o with { DeviceRequestsPerSecond = 5 });
        var steward = await collector.StewardWithPolicyAsync();
        var noisy = await collector.EnrolledDonorAsync("alice", steward);
        var quiet = await collector.EnrolledDonorAsync("bob", steward);
        using var noisyHttp = collector.Client(noisy.Credential.Credential);
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => noisyHttp.GetAsync("v1/policy")));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(responses.Count(r => r.IsSuccessStatusCode) >= 5);
        Assert.Equal("1", limited[0].Headers.RetryAfter?.ToString());
        Assert.Equal("rate_limited", (await limited[0].Content.ReadFromJsonAsync<ErrorResponse>(ProtocolJson.Options))!.Error);
        using var quietHttp = collector.Client(quiet.Credential.Credential);
        Assert.Equal(HttpStatusCode.OK, (await quietHttp.GetAsync("v1/policy")).StatusCode);
    }

    [Fact]
    public async Task A_graceful_stop_during_uploads_keeps_every_acknowledged_chunk()
    {
        await using var collector = await TestCollector.StartAsync(StoreKind.Sqlite);
        var donor = await collector.EnrolledDonorAsync("alice", await collector.StewardWithPolicyAsync());
        var upload = ManualUpload.Seal(_recorder, donor, _recorder.Record(20_000, frames: 2));
        using var device = new CollectorClient(collector.Address, donor.Credential.Credential);
        var uploadId = (await device.CreateUploadAsync(upload.Request, CancellationToken.None)).UploadId;
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
        var sending = Task.WhenAll(Enumerable.Range(0, upload.ChunkCount).Select(async index =>
        {
            try
            {
                await upload.SendAsync(device, uploadId, index);
                acknowledged.Add(index);
            }
            catch (CollectorException)
            {
                // Refused or cut off by the stop: the recorder sends it again later.
            }
        }));
        await Task.Delay(30);
        await collector.RestartAsync();
        await sending;

        var status = await device.GetUploadAsync(uploadId, CancellationToken.None);
        Assert.Superset(acknowledged.ToHashSet(), status.ReceivedChunks.ToHashSet());
        foreach (var missing in Enumerable.Range(0, upload.ChunkCount).Except(status.ReceivedChunks))
        {
            await upload.SendAsync(device, uploadId, missing);
        }
        Assert.Equal(UploadStates.Complete, (await device.CompleteAsync(uploadId, CancellationToken.None)).State);
    }

    [Fact]
    public async Task With_the_development_certificate_a_device_enrols_and_uploads_over_https_by_its_pin()
    {
        await using var collector = await TestCollector.StartAsync(StoreKind.Sqlite, o => o with { UseDevelopmentCertificate = true });
        Assert.Equal("https", collector.Address.Scheme);
        var pin = collector.Host.CertificatePin;
        Assert.True(TlsPin.IsValid(pin));
        await collector.CreateAccountAsync(Metadata.Role.Donor, "alice");
        await collector.Service.SetConsentAsync(new Caller(CallerKind.Account, "acc", Metadata.Role.Donor, collector.Service.Keys.Pseudonym("alice")), true, Understudy.Policy.Consent.ConsentNotice.Version, CancellationToken.None);
        var token = await collector.Service.CreateEnrolmentTokenAsync(Caller.Operator("test"), "alice", CancellationToken.None);

        // Without the pin the self-signed certificate is refused, as any unknown certificate is.
        using (var unpinned = new CollectorClient(collector.Address, null))
        {
            var refused = await Assert.ThrowsAsync<CollectorException>(() => unpinned.EnrollAsync(token, CancellationToken.None));
            Assert.Equal("unreachable", refused.Code);
        }
        using (var wrongPin = new CollectorClient(collector.Address, null, tlsPin: "sha256/" + Convert.ToBase64String(new byte[32])))
        {
            await Assert.ThrowsAsync<CollectorException>(() => wrongPin.EnrollAsync(token, CancellationToken.None));
        }
        using var anonymous = new CollectorClient(collector.Address, null, tlsPin: pin);
        var enrolled = await anonymous.EnrollAsync(token, CancellationToken.None);
        var credential = new DeviceCredential(collector.Address.ToString(), enrolled.DeviceId, enrolled.Credential, enrolled.CollectorPublicKey, enrolled.CollectorKeyId, pin);

        // The certificate, and so the pin, survive a restart.
        await collector.RestartAsync();
        Assert.Equal(pin, collector.Host.CertificatePin);
        _recorder.Record(100);
        using var device = new CollectorClient(collector.Address, credential.Credential, tlsPin: credential.TlsPin);
        var report = await new UploadQueue(_recorder.Store, _recorder.Key, credential, device, new UploadQueueOptions { ReviewHold = TimeSpan.Zero, ChunkSize = 4096 })
            .RunAsync(() => true, CancellationToken.None);
        Assert.Single(report.Uploaded);
    }
}
