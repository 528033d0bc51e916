using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// A session as listed: manifest metadata plus derived status and log size. Nothing here is
/// recorded content. For a <see cref="SessionStatus.Damaged"/> session only <see cref="Id"/>,
/// <see cref="CreatedAt"/> (from the id), <see cref="LogBytes"/> and <see cref="Error"/> are known.
/// <see cref="EventCount"/>, <see cref="CountsByKind"/>, <see cref="DroppedInput"/> and
/// <see cref="EndReason"/> are set once the session is complete.
/// </summary>
public sealed record SessionInfo(
    string Id,
    SessionStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    string? Backend,
    ScreenSize? Screen,
    IReadOnlyList<string> AllowApps,
    long? EventCount,
    IReadOnlyDictionary<string, long>? CountsByKind,
    long? DroppedInput,
    string? EndReason,
    long LogBytes,
    string? Error)
{
    /// <summary>Key id of the device key the session was recorded under.</summary>
    public string? DeviceKeyId { get; init; }

    /// <summary>What the recorder could observe; null for sessions recorded before capabilities were stored.</summary>
    public SessionCapabilities? Capabilities { get; init; }
}
