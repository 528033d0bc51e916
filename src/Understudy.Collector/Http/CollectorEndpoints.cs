using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Understudy.Collector.Metadata;
using Understudy.Upload;

namespace Understudy.Collector.Http;

/// <summary>
/// The HTTP API (docs/collector.md). Each endpoint names who may call it (<see cref="AllowedRoles"/>);
/// what each role may reach is exactly: donors their own sessions, consent and audit entries;
/// stewards accounts, enrolment, devices, policy, requests and the audit log, never content;
/// builders content only through a dataset built for a declared purpose; auditors the audit log.
/// There is deliberately no endpoint that lists one person's sessions for anyone but that person.
/// </summary>
internal static class CollectorEndpoints
{
    private const string CallerKey = "understudy.caller";

    public static Caller? GetCaller(this HttpContext context) => context.Items.TryGetValue(CallerKey, out var caller) ? caller as Caller : null;

    public static void SetCaller(this HttpContext context, Caller? caller) => context.Items[CallerKey] = caller;

    private static Caller Me(HttpContext context) => context.GetCaller() ?? throw CollectorError.Unauthorized("no credential");

    private static IResult Json<T>(T value, int status = 200) => Results.Json(value, ProtocolJson.Options, statusCode: status);

    public static void Map(WebApplication app, CollectorService service)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n")).WithMetadata(AllowedRoles.Anyone).ExcludeFromDescription();
        app.MapOpenApi().WithMetadata(AllowedRoles.Anyone);

        app.MapGet("/v1/collector-key", () => Json(new CollectorKeyResponse(Convert.ToBase64String(service.Keys.PublicKeyInfo), service.Keys.KeyId)))
            .WithMetadata(AllowedRoles.Anyone).Produces<CollectorKeyResponse>();

        // ---- enrolment and devices -------------------------------------------------------
        app.MapPost("/v1/enroll", async (HttpContext context, CancellationToken cancellation) =>
                Json(await service.EnrollAsync(await HttpBodies.ReadAsync<EnrollRequest>(context), context.RequestAborted), 201))
            .WithMetadata(AllowedRoles.Anyone).Accepts<EnrollRequest>("application/json").Produces<EnrollResponse>(201);

        app.MapPost("/v1/enrolment-tokens", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<EnrolmentTokenRequest>(context);
                var token = await service.CreateEnrolmentTokenAsync(Me(context), request.Account, context.RequestAborted);
                return Json(new EnrolmentTokenResponse(token, service.Time.GetUtcNow() + service.Options.EnrolmentTokenLifetime), 201);
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Accepts<EnrolmentTokenRequest>("application/json").Produces<EnrolmentTokenResponse>(201);

        app.MapGet("/v1/devices", async (HttpContext context, CancellationToken cancellation) =>
                Json((await service.Metadata.ListDevicesAsync(context.RequestAborted)).Select(d => new DeviceView(d.Id, d.EnrolledAt, d.RevokedAt)).ToList()))
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Produces<List<DeviceView>>();

        app.MapPost("/v1/devices/{deviceId}/revoke", async (HttpContext context, string deviceId) =>
            {
                await service.RevokeDeviceAsync(Me(context), deviceId, context.RequestAborted);
                return Results.NoContent();
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward));

        app.MapPost("/v1/accounts", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<CreateAccountRequest>(context);
                if (!Roles.TryParse(request.Role, out var role))
                {
                    throw CollectorError.BadRequest("invalid_field", "role: one of donor, steward, builder, auditor");
                }
                var (account, token) = await service.CreateAccountAsync(Me(context), role, request.Account, context.RequestAborted);
                return Json(new CreateAccountResponse(account.Id, Roles.Name(role), token), 201);
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Accepts<CreateAccountRequest>("application/json").Produces<CreateAccountResponse>(201);

        // ---- policy ----------------------------------------------------------------------
        app.MapGet("/v1/policy", async (HttpContext context) =>
            {
                var policy = await service.Metadata.GetPolicyAsync(context.RequestAborted) ?? throw CollectorError.NotFound("no policy has been published yet");
                return Json(new PolicyResponse(policy.Version, policy.PolicyYaml, policy.RetentionDays, policy.PublishedAt));
            })
            .WithMetadata(new AllowedRoles(anonymous: false, device: true, Role.Steward)).Produces<PolicyResponse>();

        app.MapPut("/v1/policy", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<PublishPolicyRequest>(context);
                var policy = await service.PublishPolicyAsync(Me(context), request.PolicyYaml, request.RetentionDays, context.RequestAborted);
                return Json(new PolicyResponse(policy.Version, policy.PolicyYaml, policy.RetentionDays, policy.PublishedAt));
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Accepts<PublishPolicyRequest>("application/json").Produces<PolicyResponse>();

        // ---- upload (devices) ------------------------------------------------------------
        app.MapPost("/v1/uploads", async (HttpContext context, CancellationToken cancellation) =>
                Json(await service.CreateUploadAsync(Me(context), await HttpBodies.ReadAsync<CreateUploadRequest>(context), context.RequestAborted)))
            .WithMetadata(AllowedRoles.Devices).Accepts<CreateUploadRequest>("application/json").Produces<UploadStatus>();

        app.MapGet("/v1/uploads/{uploadId}", async (HttpContext context, string uploadId) =>
                Json(await service.GetUploadStatusAsync(Me(context), uploadId, context.RequestAborted)))
            .WithMetadata(AllowedRoles.Devices).Produces<UploadStatus>();

        app.MapPut("/v1/uploads/{uploadId}/chunks/{index}", (HttpContext context, string uploadId, string index) => PutChunkAsync(service, context, uploadId, index))
            .WithMetadata(AllowedRoles.Devices).Accepts<byte[]>("application/octet-stream").Produces<ChunkResponse>();

        app.MapPost("/v1/uploads/{uploadId}/complete", async (HttpContext context, string uploadId) =>
                Json(await service.CompleteAsync(Me(context), uploadId, context.RequestAborted)))
            .WithMetadata(AllowedRoles.Devices).Produces<UploadStatus>();

        // ---- donors: their own data only -------------------------------------------------
        app.MapGet("/v1/me/sessions", async (HttpContext context, CancellationToken cancellation) =>
                Json((await service.Metadata.ListUploadsAsync(Me(context).DonorId!, null, context.RequestAborted))
                    .Select(u => new DonorSessionView(u.Id, u.SessionId, u.State, u.RecordedAt, u.EndedAt, u.EventCount, u.TotalBytes)).ToList()))
            .WithMetadata(AllowedRoles.Accounts(Role.Donor)).Produces<List<DonorSessionView>>();

        app.MapDelete("/v1/me/sessions/{uploadId}", async (HttpContext context, string uploadId) =>
                Json(await service.EraseOwnSessionAsync(Me(context), uploadId, context.RequestAborted)))
            .WithMetadata(AllowedRoles.Accounts(Role.Donor)).Produces<ErasureReport>();

        app.MapGet("/v1/me/consent", async (HttpContext context) =>
            {
                var consent = await service.Metadata.GetConsentAsync(Me(context).DonorId!, context.RequestAborted);
                return Json(new ConsentView(consent?.Granted ?? false, consent?.NoticeVersion ?? 0, consent?.UpdatedAt, Understudy.Policy.Consent.ConsentNotice.Version));
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Donor)).Produces<ConsentView>();

        app.MapPut("/v1/me/consent", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<ConsentRequest>(context);
                if (request.Granted && request.NoticeVersion != Understudy.Policy.Consent.ConsentNotice.Version)
                {
                    throw CollectorError.Invalid("notice_version_mismatch", $"notice_version: the current notice is version {Understudy.Policy.Consent.ConsentNotice.Version}");
                }
                var consent = await service.SetConsentAsync(Me(context), request.Granted, request.NoticeVersion, context.RequestAborted);
                return Json(new ConsentView(consent.Granted, consent.NoticeVersion, consent.UpdatedAt, Understudy.Policy.Consent.ConsentNotice.Version));
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Donor)).Accepts<ConsentRequest>("application/json").Produces<ConsentView>();

        app.MapGet("/v1/me/audit", (HttpContext context) => WriteAuditAsync(service, context, Me(context).DonorId))
            .WithMetadata(AllowedRoles.Accounts(Role.Donor));

        // ---- builders: content only through a dataset ------------------------------------
        app.MapPost("/v1/datasets", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<DatasetRequest>(context);
                return Json(View(await service.BuildDatasetAsync(Me(context), request.Purpose, context.RequestAborted)), 201);
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Builder)).Accepts<DatasetRequest>("application/json").Produces<DatasetView>(201);

        app.MapGet("/v1/datasets", async (HttpContext context, CancellationToken cancellation) =>
                Json((await service.Metadata.ListDatasetsAsync(null, context.RequestAborted)).Where(d => d.BuilderId == Me(context).Id).Select(View).ToList()))
            .WithMetadata(AllowedRoles.Accounts(Role.Builder)).Produces<List<DatasetView>>();

        app.MapGet("/v1/datasets/{datasetId}/sessions/{uploadId}", async (HttpContext context, string datasetId, string uploadId) =>
            {
                context.Response.ContentType = "application/json";
                // The body writer, not the stream: Kestrel refuses synchronous writes.
                await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
                {
                    await service.ReadDatasetSessionAsync(Me(context), datasetId, uploadId, writer, context.RequestAborted);
                }
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Builder));

        // ---- stewards: requests; stewards and auditors: the audit log --------------------
        app.MapPost("/v1/requests/erasure", async (HttpContext context) =>
            {
                var request = await HttpBodies.ReadAsync<ErasureRequest>(context);
                return Json(await service.ErasePersonAsync(Me(context), request.Account, context.RequestAborted));
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Accepts<ErasureRequest>("application/json").Produces<ErasureReport>();

        app.MapPost("/v1/retention/run", async (HttpContext context, CancellationToken cancellation) => Json(await service.RunRetentionAsync(Me(context), context.RequestAborted)))
            .WithMetadata(AllowedRoles.Accounts(Role.Steward)).Produces<RetentionReport>();

        app.MapGet("/v1/audit", (HttpContext context) => WriteAuditAsync(service, context, null))
            .WithMetadata(AllowedRoles.Accounts(Role.Steward, Role.Auditor));

        app.MapGet("/v1/audit/verify", async (HttpContext context) =>
            {
                var result = await service.VerifyAuditAsync(context.RequestAborted);
                return Json(new AuditVerifyView(result.Intact, result.EntriesChecked, result.BrokenAtSeq, result.Problem));
            })
            .WithMetadata(AllowedRoles.Accounts(Role.Steward, Role.Auditor)).Produces<AuditVerifyView>();
    }

    private static DatasetView View(DatasetRecord d) => new(d.Id, d.Purpose, d.State, d.CreatedAt, d.RebuildReason, d.UploadIds);

    private static async Task WriteAuditAsync(CollectorService service, HttpContext context, string? donorId)
    {
        var after = 0L;
        if (context.Request.Query.TryGetValue("after", out var afterText) &&
            !long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw CollectorError.BadRequest("invalid_field", "after: expected a non-negative integer");
        }
        var entries = await service.Metadata.ReadAuditAsync(donorId, after, 1000, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartArray();
            foreach (var entry in entries)
            {
                CollectorService.WriteAuditEntry(writer, entry);
            }
            writer.WriteEndArray();
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static async Task<IResult> PutChunkAsync(CollectorService service, HttpContext context, string uploadId, string indexText)
    {
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw CollectorError.BadRequest("invalid_field", "index: expected a non-negative integer");
        }
        var sha256 = context.Request.Headers[ProtocolJson.ChunkHashHeader].ToString();
        var upload = await service.OpenChunkAsync(Me(context), uploadId, index, sha256, context.RequestAborted);
        var expected = CollectorService.ChunkLength(upload, index);
        if (context.Request.ContentLength is { } declared && declared != expected)
        {
            throw declared > expected
                ? CollectorError.TooLarge($"chunk {index} is {declared} bytes; this upload's chunk {index} is {expected} bytes")
                : CollectorError.Invalid("chunk_length", $"chunk {index} is {declared} bytes; this upload's chunk {index} is {expected} bytes");
        }
        // One byte more than expected is read so that an oversized body without Content-Length is
        // caught too. Pooled: under load every request would otherwise allocate a chunk-sized array.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(expected + 1);
        try
        {
            var total = 0;
            int read;
            while (total < expected + 1 && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(total, expected + 1 - total), context.RequestAborted)) > 0)
            {
                total += read;
            }
            if (total > expected)
            {
                throw CollectorError.TooLarge($"chunk {index} is longer than this upload's {expected} bytes");
            }
            if (total < expected)
            {
                throw CollectorError.Invalid("chunk_truncated", $"chunk {index} has {total} bytes, expected {expected}");
            }
            var content = buffer.AsMemory(0, expected);
            var actual = Convert.ToHexStringLower(SHA256.HashData(content.Span));
            if (actual != sha256)
            {
                throw CollectorError.Invalid("chunk_hash_mismatch", $"chunk {index}: its bytes do not match {ProtocolJson.ChunkHashHeader}");
            }
            return Json(await service.StoreChunkAsync(upload, index, sha256, content, context.RequestAborted));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
