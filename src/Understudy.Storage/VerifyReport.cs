namespace Understudy.Storage;

/// <summary>
/// The result of checking a session's log end to end: every frame's position, sequence and
/// (when this device holds the session's key) authentication tag and decoding, and every blob
/// that a frame event references.
/// </summary>
/// <param name="Ok">No damage and no error.</param>
/// <param name="Frames">Good frames before any damage.</param>
/// <param name="Events">Events in those frames; seqs 0 … Events − 1 are present without gaps.</param>
/// <param name="Bytes">Size of events.log.</param>
/// <param name="ValidBytes">End of the last good frame: the bytes that can be trusted.</param>
/// <param name="LastSeq">Seq of the last good event, null if there is none.</param>
/// <param name="Damage">Where the log stops being good, if it does.</param>
/// <param name="Error">A problem outside the log, e.g. "session … was recorded with device key X, this device has key Y" or a damaged manifest.</param>
/// <param name="Authenticated">False when the key was unavailable and frames were only checked for structure.</param>
public sealed record VerifyReport(
    string SessionId,
    bool Ok,
    int Frames,
    long Events,
    long Bytes,
    long ValidBytes,
    long? LastSeq,
    SessionDamage? Damage,
    string? Error,
    bool Authenticated)
{
    /// <summary>Distinct blobs referenced by frame events (as image or as base) that were checked.</summary>
    public int BlobsChecked { get; init; }

    /// <summary>Referenced blobs that are not in the session's blobs directory.</summary>
    public IReadOnlyList<string> MissingBlobs { get; init; } = [];

    /// <summary>Referenced blobs that are there but do not authenticate (damaged, or moved from another id or session).</summary>
    public IReadOnlyList<string> DamagedBlobs { get; init; } = [];
}
