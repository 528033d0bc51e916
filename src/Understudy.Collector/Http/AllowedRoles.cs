using Understudy.Collector.Metadata;

namespace Understudy.Collector.Http;

/// <summary>
/// Endpoint metadata naming who may call it. An endpoint without it is refused to everyone
/// (fail closed), so a new endpoint cannot be reachable by accident.
/// </summary>
public sealed class AllowedRoles(bool anonymous, bool device, params Role[] roles)
{
    public bool Anonymous { get; } = anonymous;

    public bool Device { get; } = device;

    public IReadOnlyList<Role> Roles { get; } = roles;

    public static AllowedRoles Anyone { get; } = new(anonymous: true, device: false);

    public static AllowedRoles Devices { get; } = new(anonymous: false, device: true);

    public static AllowedRoles Accounts(params Role[] roles) => new(anonymous: false, device: false, roles);

    public bool Permits(Caller? caller) => caller is null
        ? Anonymous
        : Anonymous || caller.Kind switch
        {
            CallerKind.Device => Device,
            CallerKind.Account => Roles.Contains(caller.Role!.Value),
            _ => false,
        };
}
