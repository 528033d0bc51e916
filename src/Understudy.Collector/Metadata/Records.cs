namespace Understudy.Collector.Metadata;

/// <summary>The four kinds of person account. Devices are not accounts: they hold a device credential.</summary>
public enum Role
{
    Donor,
    Steward,
    Builder,
    Auditor,
}

public static class Roles
{
    public static string Name(Role role) => role switch
    {
        Role.Donor => "donor",
        Role.Steward => "steward",
        Role.Builder => "builder",
        Role.Auditor => "auditor",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? text, out Role role)
    {
        foreach (var candidate in Enum.GetValues<Role>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }
        role = default;
        return false;
    }
}

/// <summary>An individual account. <see cref="Pseudonym"/> is the keyed hash of the account name; the name itself is never stored.</summary>
public sealed record AccountRecord(string Id, Role Role, string Pseudonym, string TokenHash, DateTimeOffset CreatedAt);

public sealed record DeviceRecord(string Id, string DonorId, DateTimeOffset EnrolledAt, DateTimeOffset? RevokedAt);

public sealed record ConsentRecord(string DonorId, bool Granted, int NoticeVersion, DateTimeOffset UpdatedAt);

public sealed record PolicyRecord(int Version, string PolicyYaml, int RetentionDays, DateTimeOffset PublishedAt, string PublishedBy);

/// <summary>One session as the collector holds it. <see cref="SealedKey"/> is null once the session is erased (crypto-shredded).</summary>
public sealed record UploadRecord(
    string Id,
    string DeviceId,
    string DonorId,
    string SessionId,
    string State,
    long TotalBytes,
    int ChunkSize,
    int ChunkCount,
    string Sha256,
    byte[]? SealedKey,
    long EventCount,
    DateTimeOffset RecordedAt,
    DateTimeOffset EndedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

public enum ChunkWrite
{
    Stored,
    AlreadyStored,
    Conflict,
}

/// <summary>An audit entry as stored: the chain links <see cref="PrevHash"/> to the previous entry's <see cref="Hash"/>.</summary>
public sealed record AuditEntry(long Seq, DateTimeOffset At, string Actor, string Action, string? DonorId, string? SessionId, string Detail, string PrevHash, string Hash);

/// <summary>What an audit entry says before it is chained.</summary>
public sealed record AuditDraft(string Actor, string Action, string? DonorId, string? SessionId, string Detail);

public static class AuditActions
{
    public const string ContentRead = "content_read";
    public const string Export = "export";
    public const string Deletion = "deletion";
    public const string PolicyChange = "policy_change";
    public const string DeviceEnrolled = "device_enrolled";
    public const string DeviceRevoked = "device_revoked";
    public const string AccountCreated = "account_created";
    public const string ConsentChange = "consent_change";
    public const string DatasetBuilt = "dataset_built";
    public const string DatasetMarkedForRebuild = "dataset_marked_for_rebuild";
}

public sealed record DatasetRecord(string Id, string BuilderId, string Purpose, string State, DateTimeOffset CreatedAt, string? RebuildReason, IReadOnlyList<string> UploadIds);

public static class DatasetStates
{
    public const string Built = "built";
    public const string NeedsRebuild = "needs_rebuild";
}
