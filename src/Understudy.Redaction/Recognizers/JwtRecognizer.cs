using System.Buffers.Text;
using System.Text.Json;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// JSON web tokens: three base64url parts joined by dots, the first starting "eyJ" and decoding to
/// a JSON object with an "alg" member; the payload at least 2 characters, the signature may be
/// empty (alg none).
/// </summary>
internal sealed class JwtRecognizer : Recognizer
{
    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Jwt];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var start = text.IndexOf("eyJ", StringComparison.Ordinal);
        while (start >= 0)
        {
            context.CheckDeadline();
            var next = start + 3;
            if (start == 0 || !TextChars.IsBase64Url(text[start - 1]))
            {
                var headerEnd = Skip(text, start);
                // The shortest header with "alg", {"alg":""}, is 14 characters of base64url.
                if (TextChars.At(text, headerEnd) == '.' && headerEnd - start is >= 14 and <= 2048)
                {
                    var payloadEnd = Skip(text, headerEnd + 1);
                    if (TextChars.At(text, payloadEnd) == '.' && payloadEnd - headerEnd > 2)
                    {
                        var end = Skip(text, payloadEnd + 1);
                        if (HeaderHasAlg(text.AsSpan(start, headerEnd - start)))
                        {
                            context.Add(start, end, EntityTypes.Jwt, Tiers.KnownSecret);
                            next = end;
                        }
                    }
                }
            }
            start = next < text.Length ? text.IndexOf("eyJ", next, StringComparison.Ordinal) : -1;
        }
    }

    private static int Skip(string text, int i)
    {
        while (i < text.Length && TextChars.IsBase64Url(text[i]))
        {
            i++;
        }
        return i;
    }

    internal static bool HeaderHasAlg(ReadOnlySpan<char> header)
    {
        Span<byte> utf8 = stackalloc byte[Math.Min(header.Length, 2048)];
        var length = 0;
        foreach (var c in header[..utf8.Length])
        {
            utf8[length++] = (byte)c;
        }
        if (length % 4 == 1)
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[Base64Url.GetMaxDecodedLength(length)];
        try
        {
            if (!Base64Url.TryDecodeFromUtf8(utf8[..length], decoded, out var written))
            {
                return false;
            }
            var reader = new Utf8JsonReader(decoded[..written]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("alg"u8))
                {
                    return true;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
            return false;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return false;
        }
    }
}
