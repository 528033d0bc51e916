using System.Globalization;
using Understudy.Collector.Metadata;
using Understudy.Storage;

namespace Understudy.Collector.Audit;

/// <summary>
/// The last audit entry this collector appended, kept outside the database in
/// &lt;data&gt;/audit.head ("seq hash", 0600, replaced atomically). A chain that was cut short — its
/// last entries deleted, which leaves a shorter chain that still links — no longer holds this
/// entry, and verification says so. With several instances on one database each checks what it
/// wrote itself.
/// </summary>
internal sealed class AuditHead(string dataDirectory)
{
    private readonly string _path = Path.Combine(dataDirectory, "audit.head");
    private readonly Lock _gate = new();

    public void Record(AuditEntry entry)
    {
        lock (_gate)
        {
            (long Seq, string Hash)? current;
            try
            {
                current = Read();
            }
            catch (InvalidDataException)
            {
                current = null; // replaced below; verification reports nothing it cannot read
            }
            if (current is { } known && known.Seq >= entry.Seq)
            {
                return;
            }
            // A unique name: the admin commands may append while the server runs.
            var temporary = $"{_path}.tmp-{Guid.NewGuid():N}";
            using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = FilePermissions.PrivateFile }))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{entry.Seq} {entry.Hash}\n")));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, _path, overwrite: true);
        }
    }

    public (long Seq, string Hash)? Read()
    {
        if (!File.Exists(_path))
        {
            return null;
        }
        var parts = File.ReadAllText(_path).Trim().Split(' ');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? (seq, parts[1])
            : throw new InvalidDataException($"{_path} is damaged");
    }

    /// <summary>The chain's verdict, plus whether it still holds the entry this collector last wrote.</summary>
    public AuditVerification Check(AuditVerification chain, IReadOnlyList<AuditEntry> entries)
    {
        if (!chain.Intact || Read() is not { } head)
        {
            return chain;
        }
        var found = entries.FirstOrDefault(e => e.Seq == head.Seq);
        if (found is null)
        {
            return new AuditVerification(false, chain.EntriesChecked, head.Seq, $"entry {head.Seq}, the last this collector wrote, is missing: entries at the end were removed");
        }
        return found.Hash == head.Hash
            ? chain
            : new AuditVerification(false, chain.EntriesChecked, head.Seq, $"entry {head.Seq} is not the one this collector wrote: the end of the log was replaced");
    }
}
