using Understudy.Collector.Metadata;

namespace Understudy.Collector;

public enum CallerKind
{
    Account,
    Device,

    /// <summary>Whoever runs the admin commands on the collector's data directory (or a job of the collector itself); never an HTTP caller.</summary>
    Operator,
}

/// <summary>Who is asking: a person's account (with its role) or an enrolled device (with the donor it records for).</summary>
public sealed record Caller(CallerKind Kind, string Id, Role? Role, string? DonorId)
{
    /// <summary>How the caller is named in the audit log: the account or device id, never a name.</summary>
    public string AuditName => Kind switch
    {
        CallerKind.Device => "device:" + Id,
        CallerKind.Operator => "operator:" + Id,
        _ => $"{Metadata.Roles.Name(Role!.Value)}:{Id}",
    };

    public static Caller Operator(string who) => new(CallerKind.Operator, who, null, null);
}
