using System.Globalization;
using System.Text.Json;

namespace Understudy.Policy.Consent;

/// <summary>What <c>consent.json</c> says: which notice was accepted when, and whether it was withdrawn since.</summary>
public sealed record ConsentRecord(int NoticeVersion, string NoticeSha256, DateTimeOffset? AcceptedAt, DateTimeOffset? WithdrawnAt)
{
    /// <summary>Accepted, not withdrawn, and for exactly the notice this build shows.</summary>
    public bool IsCurrent => WithdrawnAt is null && AcceptedAt is not null && NoticeVersion == ConsentNotice.Version &&
        string.Equals(NoticeSha256, ConsentNotice.Sha256, StringComparison.Ordinal);
}

/// <summary>The state of consent, for <c>consent status</c> and <c>status</c>.</summary>
public enum ConsentState
{
    /// <summary>No consent was ever recorded in this data directory.</summary>
    Never,

    /// <summary>Accepted and not withdrawn (it may be for an older notice: see <see cref="ConsentStore.IsCurrent"/>).</summary>
    Accepted,

    /// <summary>Withdrawn.</summary>
    Withdrawn,
}

/// <summary>
/// The donor's consent in the data directory: <c>consent.json</c>, written atomically (temporary
/// file, fsync, rename) with mode 0600. Nothing may be recorded unless <see cref="IsCurrent"/>.
/// </summary>
public sealed class ConsentStore
{
    public const string FileName = "consent.json";

    private readonly TimeProvider _time;

    public ConsentStore(string dataDirectory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        DataDirectory = dataDirectory;
        FilePath = Path.Combine(dataDirectory, FileName);
        _time = time ?? TimeProvider.System;
    }

    public string DataDirectory { get; }

    public string FilePath { get; }

    /// <summary>True only when the current notice version was accepted and not withdrawn.</summary>
    public bool IsCurrent => Read()?.IsCurrent ?? false;

    public ConsentState State => Read() switch
    {
        null => ConsentState.Never,
        { WithdrawnAt: not null } => ConsentState.Withdrawn,
        _ => ConsentState.Accepted,
    };

    /// <summary>The stored record, or null when there is none. A damaged file is an <see cref="IOException"/>.</summary>
    public ConsentRecord? Read()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(FilePath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return new ConsentRecord(
                root.GetProperty("notice_version").GetInt32(),
                root.GetProperty("notice_sha256").GetString() ?? "",
                OptionalTime(root, "accepted_at"),
                OptionalTime(root, "withdrawn_at"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new IOException($"{FilePath} is damaged ({ex.Message}); withdraw or accept again to replace it", ex);
        }
    }

    /// <summary>Records acceptance of the current notice, now; replaces any earlier record (including a withdrawal).</summary>
    public ConsentRecord Accept()
    {
        var record = new ConsentRecord(ConsentNotice.Version, ConsentNotice.Sha256, Now(), null);
        Write(record);
        return record;
    }

    /// <summary>Records withdrawal, now. Keeps what had been accepted, for the donor's own record; with no record at all writes a withdrawal without acceptance.</summary>
    public ConsentRecord Withdraw()
    {
        var now = Now();
        ConsentRecord? existing;
        try
        {
            existing = Read();
        }
        catch (IOException)
        {
            existing = null;
        }
        var record = existing is null
            ? new ConsentRecord(0, "", null, now)
            : existing with { WithdrawnAt = existing.WithdrawnAt ?? now };
        Write(record);
        return record;
    }

    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private void Write(ConsentRecord record)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("notice_version", record.NoticeVersion);
            writer.WriteString("notice_sha256", record.NoticeSha256);
            if (record.AcceptedAt is { } accepted)
            {
                writer.WriteString("accepted_at", FormatTime(accepted));
            }
            else
            {
                writer.WriteNull("accepted_at");
            }
            if (record.WithdrawnAt is { } withdrawn)
            {
                writer.WriteString("withdrawn_at", FormatTime(withdrawn));
            }
            else
            {
                writer.WriteNull("withdrawn_at");
            }
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        PrivateFile.WriteAtomically(FilePath, buffer.ToArray());
    }

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? OptionalTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? ParseTime(value.GetString()!) : null;

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
