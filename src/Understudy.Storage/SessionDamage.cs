namespace Understudy.Storage;

/// <summary>
/// Where a session's log stops being trustworthy: <see cref="Offset"/> is the byte offset in
/// events.log of the first frame that could not be used (everything before it is intact),
/// <see cref="FrameIndex"/> the index that frame should have had.
/// </summary>
public sealed record SessionDamage(long Offset, string Reason, int FrameIndex);
