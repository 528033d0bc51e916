using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Understudy.Collector.Metadata;

namespace Understudy.Collector.Audit;

/// <summary>
/// The audit log is a chain: every entry's hash is HMAC-SHA256, under a key kept in the
/// collector's key directory (not in the database), over the previous entry's hash and all of
/// the entry's fields, length-prefixed so that no two different entries encode alike. Changing,
/// deleting, inserting or reordering an entry breaks the chain at that entry; recomputing the
/// chain needs the key, which someone with only database access does not have.
/// </summary>
public sealed class AuditChain(byte[] key)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly byte[] _key = key ?? throw new ArgumentNullException(nameof(key));

    public string Hash(string prevHash, long seq, DateTimeOffset at, AuditDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        using var buffer = new MemoryStream();
        Field(buffer, prevHash);
        Field(buffer, seq.ToString(CultureInfo.InvariantCulture));
        Field(buffer, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Field(buffer, draft.Actor);
        Field(buffer, draft.Action);
        Field(buffer, draft.DonorId);
        Field(buffer, draft.SessionId);
        Field(buffer, draft.Detail);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, buffer.ToArray()));
    }

    /// <summary>Checks the whole chain in order; the first broken entry and why, or null when intact.</summary>
    public AuditVerification Verify(IEnumerable<AuditEntry> entriesInOrder)
    {
        ArgumentNullException.ThrowIfNull(entriesInOrder);
        var expectedPrev = GenesisHash;
        long expectedSeq = 1;
        long count = 0;
        foreach (var entry in entriesInOrder)
        {
            if (entry.Seq != expectedSeq)
            {
                return new AuditVerification(false, count, entry.Seq, $"entry {entry.Seq} follows entry {expectedSeq - 1}: entries are missing or out of order");
            }
            if (!string.Equals(entry.PrevHash, expectedPrev, StringComparison.Ordinal))
            {
                return new AuditVerification(false, count, entry.Seq, $"entry {entry.Seq} does not link to the entry before it (deleted, inserted or reordered)");
            }
            var recomputed = Hash(entry.PrevHash, entry.Seq, entry.At, new AuditDraft(entry.Actor, entry.Action, entry.DonorId, entry.SessionId, entry.Detail));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(recomputed), Encoding.ASCII.GetBytes(entry.Hash)))
            {
                return new AuditVerification(false, count, entry.Seq, $"entry {entry.Seq} was modified (its hash does not match its contents)");
            }
            expectedPrev = entry.Hash;
            expectedSeq++;
            count++;
        }
        return new AuditVerification(true, count, null, null);
    }

    private static void Field(MemoryStream buffer, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, -1);
            buffer.Write(length);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}

public sealed record AuditVerification(bool Intact, long EntriesChecked, long? BrokenAtSeq, string? Problem);
