using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// Every event of the session's valid prefix, in seq order. <see cref="Damage"/> says where and
/// why reading stopped early (null if the whole log was good and matched the manifest).
/// </summary>
public sealed record SessionReadResult(SessionInfo Info, IReadOnlyList<SessionEvent> Events, SessionDamage? Damage, int Frames);
