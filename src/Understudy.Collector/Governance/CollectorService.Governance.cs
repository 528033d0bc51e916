using System.Text.Json;
using Understudy.Collector.Blobs;
using Understudy.Collector.Metadata;
using Understudy.Collector.Security;
using Understudy.Core.Model;
using Understudy.Upload;

namespace Understudy.Collector;

/// <summary>What an erasure did: the sessions crypto-shredded and the datasets that must be rebuilt without them.</summary>
public sealed record ErasureReport(string DonorId, string Reason, DateTimeOffset At, IReadOnlyList<string> SessionsErased, IReadOnlyList<DatasetRecord> DatasetsMarkedForRebuild);

public sealed record RetentionReport(DateTimeOffset At, int RetentionDays, IReadOnlyList<string> SessionsDeleted, IReadOnlyList<string> AbandonedUploadsDeleted, IReadOnlyList<DatasetRecord> DatasetsMarkedForRebuild);

public sealed partial class CollectorService
{
    // ---- datasets (builders) -------------------------------------------------------------

    /// <summary>
    /// Records a dataset build for a declared purpose: its lineage is the complete sessions whose
    /// donors' consent is current. The donors see that their sessions went into it, and for what.
    /// </summary>
    public async Task<DatasetRecord> BuildDatasetAsync(Caller builder, string purpose, CancellationToken cancellation)
    {
        Validate.Purpose(purpose);
        var sessions = new List<UploadRecord>();
        foreach (var upload in await Metadata.ListUploadsAsync(null, UploadStates.Complete, cancellation).ConfigureAwait(false))
        {
            if (await ConsentIsCurrentAsync(upload.DonorId, cancellation).ConfigureAwait(false))
            {
                sessions.Add(upload);
            }
        }
        var dataset = new DatasetRecord(Secrets.NewId("ds_"), builder.Id, purpose, DatasetStates.Built, Now, null, [.. sessions.Select(s => s.Id)]);
        await Metadata.CreateDatasetAsync(dataset, cancellation).ConfigureAwait(false);
        foreach (var session in sessions)
        {
            await AuditAsync(builder, AuditActions.DatasetBuilt, session.DonorId, session.Id, $"session included in dataset {dataset.Id} for purpose: {purpose}", cancellation).ConfigureAwait(false);
        }
        return dataset;
    }

    /// <summary>
    /// The redacted events of one session of a dataset, for that dataset's purpose: the only way
    /// a builder reads content. Audited before anything is read. Refused when the dataset needs a
    /// rebuild, the session was erased, or its donor's consent is no longer current.
    /// </summary>
    public async Task ReadDatasetSessionAsync(Caller builder, string datasetId, string uploadId, Utf8JsonWriter output, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(output);
        Validate.Id(datasetId, "ds_", "dataset_id");
        Validate.Id(uploadId, "up_", "upload_id");
        var dataset = await Metadata.GetDatasetAsync(datasetId, cancellation).ConfigureAwait(false);
        if (dataset is null || !dataset.UploadIds.Contains(uploadId, StringComparer.Ordinal))
        {
            throw CollectorError.NotFound($"dataset {datasetId} has no session {uploadId}");
        }
        if (dataset.State != DatasetStates.Built)
        {
            throw CollectorError.Conflict("dataset_needs_rebuild", $"dataset {datasetId} must be rebuilt ({dataset.RebuildReason}); its sessions are not served");
        }
        var upload = await Metadata.GetUploadAsync(uploadId, cancellation).ConfigureAwait(false);
        if (upload is not { State: UploadStates.Complete })
        {
            throw CollectorError.Conflict("upload_erased", $"session {uploadId} is no longer held");
        }
        if (!await ConsentIsCurrentAsync(upload.DonorId, cancellation).ConfigureAwait(false))
        {
            throw CollectorError.Forbidden("consent_not_current", $"the donor of session {uploadId} withdrew consent");
        }
        await AuditAsync(builder, AuditActions.ContentRead, upload.DonorId, upload.Id, $"read through dataset {datasetId} for purpose: {dataset.Purpose}", cancellation).ConfigureAwait(false);
        var events = await ReadSessionEventsAsync(upload, cancellation).ConfigureAwait(false);
        output.WriteStartObject();
        output.WriteString("dataset_id", datasetId);
        output.WriteString("upload_id", upload.Id);
        output.WriteString("purpose", dataset.Purpose);
        output.WritePropertyName("events");
        WriteEventsJson(output, events);
        output.WriteEndObject();
    }

    // ---- erasure and retention -----------------------------------------------------------

    /// <summary>
    /// Erases every session of a person: the sealed key first (crypto-shredding: the bundle is
    /// noise from that commit on, wherever copies of it are), then the bytes; every dataset built
    /// from one of them is marked for rebuild. Their consent is recorded as withdrawn so nothing
    /// new arrives. The report lists all of it.
    /// </summary>
    public async Task<ErasureReport> ErasePersonAsync(Caller actor, string accountName, CancellationToken cancellation)
    {
        Validate.AccountName(accountName);
        var donorId = Keys.Pseudonym(accountName);
        var account = await Metadata.FindAccountByPseudonymAsync(donorId, cancellation).ConfigureAwait(false);
        if (account is not { Role: Role.Donor })
        {
            throw CollectorError.NotFound($"there is no donor account named '{accountName}'");
        }
        const string reason = "erasure request";
        var sessions = (await Metadata.ListUploadsAsync(donorId, null, cancellation).ConfigureAwait(false)).Where(u => u.State != UploadStates.Erased).ToList();
        var (erased, datasets) = await EraseUploadsAsync(actor, sessions, reason, cancellation).ConfigureAwait(false);
        await Metadata.SetConsentAsync(new ConsentRecord(donorId, false, 0, Now), cancellation).ConfigureAwait(false);
        await AuditAsync(actor, AuditActions.Deletion, donorId, null, $"{reason}: {erased.Count} session(s) erased, {datasets.Count} dataset(s) marked for rebuild, consent withdrawn", cancellation).ConfigureAwait(false);
        return new ErasureReport(donorId, reason, Now, erased, datasets);
    }

    /// <summary>Erases one session at its donor's request.</summary>
    public async Task<ErasureReport> EraseOwnSessionAsync(Caller donor, string uploadId, CancellationToken cancellation)
    {
        Validate.Id(uploadId, "up_", "upload_id");
        var upload = await Metadata.GetUploadAsync(uploadId, cancellation).ConfigureAwait(false);
        if (upload is null || upload.DonorId != donor.DonorId || upload.State == UploadStates.Erased)
        {
            throw CollectorError.NotFound($"you have no session {uploadId}");
        }
        var (erased, datasets) = await EraseUploadsAsync(donor, [upload], "deleted by its donor", cancellation).ConfigureAwait(false);
        return new ErasureReport(donor.DonorId!, "deleted by its donor", Now, erased, datasets);
    }

    public async Task<RetentionReport> RunRetentionAsync(Caller actor, CancellationToken cancellation)
    {
        var policy = await Metadata.GetPolicyAsync(cancellation).ConfigureAwait(false);
        var all = await Metadata.ListUploadsAsync(null, null, cancellation).ConfigureAwait(false);
        var now = Now;
        var expired = policy is null ? [] : all.Where(u => u.State == UploadStates.Complete && u.EndedAt < now - TimeSpan.FromDays(policy.RetentionDays)).ToList();
        var abandoned = all.Where(u => u.State == UploadStates.Uploading && u.CreatedAt < now - Options.AbandonedUploadAge).ToList();
        var (deleted, datasets) = await EraseUploadsAsync(actor, expired, $"retention ({policy?.RetentionDays} days)", cancellation).ConfigureAwait(false);
        var (abandonedDeleted, _) = await EraseUploadsAsync(actor, abandoned, "abandoned incomplete upload", cancellation).ConfigureAwait(false);
        return new RetentionReport(now, policy?.RetentionDays ?? 0, deleted, abandonedDeleted, datasets);
    }

    private async Task<(List<string> Erased, List<DatasetRecord> Datasets)> EraseUploadsAsync(Caller actor, IReadOnlyList<UploadRecord> uploads, string reason, CancellationToken cancellation)
    {
        var erased = new List<string>();
        var marked = new Dictionary<string, DatasetRecord>(StringComparer.Ordinal);
        foreach (var upload in uploads)
        {
            // Key first: once this commits the bundle cannot be opened, even if deleting its bytes fails now.
            if (await Metadata.EraseUploadAsync(upload.Id, Now, cancellation).ConfigureAwait(false))
            {
                await AuditAsync(actor, AuditActions.Deletion, upload.DonorId, upload.Id, $"session erased ({reason}): key destroyed", cancellation).ConfigureAwait(false);
            }
            await Blobs.DeletePrefixAsync(BlobKeys.SessionFolder(upload.Id), cancellation).ConfigureAwait(false);
            await Blobs.DeletePrefixAsync(BlobKeys.ChunkFolder(upload.Id), cancellation).ConfigureAwait(false);
            erased.Add(upload.Id);
            foreach (var dataset in await Metadata.ListDatasetsAsync(upload.Id, cancellation).ConfigureAwait(false))
            {
                var why = $"session {upload.Id} was erased ({reason})";
                if (dataset.State == DatasetStates.Built || !marked.ContainsKey(dataset.Id))
                {
                    await Metadata.MarkDatasetForRebuildAsync(dataset.Id, why, cancellation).ConfigureAwait(false);
                    await AuditAsync(actor, AuditActions.DatasetMarkedForRebuild, upload.DonorId, upload.Id, $"dataset {dataset.Id} must be rebuilt: {why}", cancellation).ConfigureAwait(false);
                }
                marked[dataset.Id] = dataset with { State = DatasetStates.NeedsRebuild, RebuildReason = why };
            }
        }
        return (erased, [.. marked.Values]);
    }

    // ---- subject access ------------------------------------------------------------------

    /// <summary>
    /// Everything held about one person as one JSON document: account, consent, devices,
    /// sessions with their events, datasets that used them, and the audit entries about them.
    /// The export itself is audited first.
    /// </summary>
    public async Task ExportPersonAsync(Caller actor, string accountName, Utf8JsonWriter output, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(output);
        Validate.AccountName(accountName);
        var donorId = Keys.Pseudonym(accountName);
        var account = await Metadata.FindAccountByPseudonymAsync(donorId, cancellation).ConfigureAwait(false)
            ?? throw CollectorError.NotFound($"there is no account named '{accountName}'");
        await AuditAsync(actor, AuditActions.Export, donorId, null, "subject access export", cancellation).ConfigureAwait(false);
        var consent = await Metadata.GetConsentAsync(donorId, cancellation).ConfigureAwait(false);
        var devices = (await Metadata.ListDevicesAsync(cancellation).ConfigureAwait(false)).Where(d => d.DonorId == donorId).ToList();
        var uploads = await Metadata.ListUploadsAsync(donorId, null, cancellation).ConfigureAwait(false);

        output.WriteStartObject();
        output.WriteString("format", "understudy-subject-access-v1");
        output.WriteString("generated_at", Now);
        output.WriteString("donor_id", donorId);
        output.WriteStartObject("account");
        output.WriteString("id", account.Id);
        output.WriteString("role", Roles.Name(account.Role));
        output.WriteString("created_at", account.CreatedAt);
        output.WriteEndObject();
        if (consent is null)
        {
            output.WriteNull("consent");
        }
        else
        {
            output.WriteStartObject("consent");
            output.WriteBoolean("granted", consent.Granted);
            output.WriteNumber("notice_version", consent.NoticeVersion);
            output.WriteString("updated_at", consent.UpdatedAt);
            output.WriteEndObject();
        }
        output.WriteStartArray("devices");
        foreach (var device in devices)
        {
            output.WriteStartObject();
            output.WriteString("id", device.Id);
            output.WriteString("enrolled_at", device.EnrolledAt);
            output.WriteStringOrNull("revoked_at", device.RevokedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            output.WriteEndObject();
        }
        output.WriteEndArray();
        output.WriteStartArray("sessions");
        foreach (var upload in uploads)
        {
            output.WriteStartObject();
            output.WriteString("upload_id", upload.Id);
            output.WriteString("session_id", upload.SessionId);
            output.WriteString("device_id", upload.DeviceId);
            output.WriteString("state", upload.State);
            output.WriteString("recorded_at", upload.RecordedAt);
            output.WriteString("ended_at", upload.EndedAt);
            output.WriteNumber("event_count", upload.EventCount);
            output.WriteNumber("bytes", upload.TotalBytes);
            output.WritePropertyName("events");
            if (upload.State == UploadStates.Complete)
            {
                await AuditAsync(actor, AuditActions.ContentRead, donorId, upload.Id, "read for subject access export", cancellation).ConfigureAwait(false);
                WriteEventsJson(output, await ReadSessionEventsAsync(upload, cancellation).ConfigureAwait(false));
            }
            else
            {
                output.WriteNullValue();
            }
            output.WriteEndObject();
        }
        output.WriteEndArray();
        output.WriteStartArray("datasets");
        foreach (var dataset in (await Metadata.ListDatasetsAsync(null, cancellation).ConfigureAwait(false)).Where(d => d.UploadIds.Any(id => uploads.Any(u => u.Id == id))))
        {
            output.WriteStartObject();
            output.WriteString("id", dataset.Id);
            output.WriteString("purpose", dataset.Purpose);
            output.WriteString("state", dataset.State);
            output.WriteString("created_at", dataset.CreatedAt);
            output.WriteStartArray("sessions");
            foreach (var id in dataset.UploadIds.Where(id => uploads.Any(u => u.Id == id)))
            {
                output.WriteStringValue(id);
            }
            output.WriteEndArray();
            output.WriteEndObject();
        }
        output.WriteEndArray();
        output.WriteStartArray("audit");
        foreach (var entry in await ReadAllAuditAsync(donorId, cancellation).ConfigureAwait(false))
        {
            WriteAuditEntry(output, entry);
        }
        output.WriteEndArray();
        output.WriteEndObject();
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAllAuditAsync(string? donorId, CancellationToken cancellation)
    {
        var all = new List<AuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await Metadata.ReadAuditAsync(donorId, after, 1000, cancellation).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < 1000)
            {
                return all;
            }
            after = page[^1].Seq;
        }
    }

    public static void WriteAuditEntry(Utf8JsonWriter output, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entry);
        output.WriteStartObject();
        output.WriteNumber("seq", entry.Seq);
        output.WriteString("at", entry.At);
        output.WriteString("actor", entry.Actor);
        output.WriteString("action", entry.Action);
        output.WriteStringOrNull("donor_id", entry.DonorId);
        output.WriteStringOrNull("session_id", entry.SessionId);
        output.WriteString("detail", entry.Detail);
        output.WriteString("prev_hash", entry.PrevHash);
        output.WriteString("hash", entry.Hash);
        output.WriteEndObject();
    }
}
