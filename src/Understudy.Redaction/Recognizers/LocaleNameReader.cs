using System.Buffers.Binary;
using System.Text;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Reads only the name lists out of Bogus's embedded locale data (one BSON document per locale),
/// skipping everything else by its length. Going through Bogus's own <c>Database</c> parses a
/// whole locale into an object tree and keeps it for the life of the process: tens of megabytes
/// for nine locales, where the recorder needs a few hundred kilobytes of names.
/// </summary>
internal static class LocaleNameReader
{
    /// <summary>The string arrays <c>name.&lt;key&gt;</c> of one locale, by key; null when the resource is missing or not as expected.</summary>
    public static Dictionary<string, List<string>>? Read(string locale, IReadOnlyCollection<string> keys)
    {
        var assembly = typeof(Bogus.Database).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Bogus.data.{locale}.locale.bson");
        if (stream is null || stream.Length is < 5 or > 64 * 1024 * 1024)
        {
            return null;
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        try
        {
            return ReadNames(bytes, keys);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static Dictionary<string, List<string>> ReadNames(ReadOnlySpan<byte> document, IReadOnlyCollection<string> keys)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var root = Document(document);
        var at = 0;
        while (NextElement(root, ref at, out var type, out var name, out var value))
        {
            if (type != 0x03 || !name.SequenceEqual("name"u8))
            {
                continue;
            }
            var names = Document(value);
            var inner = 0;
            while (NextElement(names, ref inner, out var listType, out var listName, out var list))
            {
                var key = Encoding.UTF8.GetString(listName);
                if (listType != 0x04 || !keys.Contains(key))
                {
                    continue;
                }
                var items = new List<string>();
                var array = Document(list);
                var index = 0;
                while (NextElement(array, ref index, out var itemType, out _, out var item))
                {
                    if (itemType == 0x02)
                    {
                        items.Add(Encoding.UTF8.GetString(item));
                    }
                }
                result[key] = items;
            }
        }
        return result;
    }

    /// <summary>The elements of a BSON document (its bytes between the length and the trailing zero).</summary>
    private static ReadOnlySpan<byte> Document(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5)
        {
            throw new FormatException("BSON document too short");
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 5 || length > bytes.Length || bytes[length - 1] != 0)
        {
            throw new FormatException("BSON document length");
        }
        return bytes[4..(length - 1)];
    }

    /// <summary>Reads the element at <paramref name="at"/>: its type, name and value bytes (strings without length and terminator).</summary>
    private static bool NextElement(ReadOnlySpan<byte> elements, ref int at, out byte type, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        name = default;
        type = 0;
        if (at >= elements.Length)
        {
            return false;
        }
        type = elements[at++];
        var nameEnd = elements[at..].IndexOf((byte)0);
        if (nameEnd < 0)
        {
            throw new FormatException("BSON element name");
        }
        name = elements.Slice(at, nameEnd);
        at += nameEnd + 1;
        var rest = elements[at..];
        int size = type switch
        {
            0x01 or 0x09 or 0x11 or 0x12 => 8,
            0x02 => 4 + Int32(rest),
            0x03 or 0x04 => Int32(rest),
            0x05 => 5 + Int32(rest),
            0x07 => 12,
            0x08 => 1,
            0x0A => 0,
            0x10 => 4,
            0x13 => 16,
            _ => throw new FormatException($"BSON element type {type}"),
        };
        if (size < 0 || size > rest.Length)
        {
            throw new FormatException("BSON element size");
        }
        value = type == 0x02 ? rest.Slice(4, Math.Max(0, size - 5)) : rest[..size];
        at += size;
        return true;
    }

    private static int Int32(ReadOnlySpan<byte> bytes) =>
        bytes.Length < 4 ? throw new FormatException("BSON truncated") : BinaryPrimitives.ReadInt32LittleEndian(bytes);
}
