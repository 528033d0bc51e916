using System.Net;
using System.Net.Sockets;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// IP addresses. IPv4: four dot-separated decimal octets 0–255 without leading zeros, not part of
/// a longer dotted number, and not a version string (right after "v", "version" or "ver").
/// 1.2.3.4 is a valid address and is redacted: an address cannot be told from a four-part version
/// without context. IPv6: a run of hex digits, colons and dots with at least two colons that
/// <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> accepts as IPv6 (so MAC
/// addresses and times such as 10:30:00 are not taken).
/// </summary>
internal sealed class IpAddressRecognizer : Recognizer
{
    private static readonly string[] VersionWords = ["version", "ver.", "ver ", "release", "build", "firmware", "v."];

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.IpAddress];

    public override void Find(ScanContext context)
    {
        FindV4(context);
        if (context.Text.Contains(':', StringComparison.Ordinal))
        {
            FindV6(context);
        }
    }

    private static void FindV4(ScanContext context)
    {
        var text = context.Text;
        var span = text.AsSpan();
        var i = span.IndexOfAny(TextChars.Digits);
        while (i >= 0)
        {
            context.CheckDeadline();
            var end = i;
            var before = TextChars.At(text, i - 1);
            var boundary = !(char.IsLetterOrDigit(before) || before is '_' || (before == '.' && TextChars.IsDigit(TextChars.At(text, i - 2))));
            if (boundary && TryV4(text, i, out end))
            {
                var vBefore = before is 'v' or 'V';
                if (!vBefore && !TextChars.HasContextBefore(text, i, 12, VersionWords))
                {
                    context.Add(i, end, EntityTypes.IpAddress, Tiers.Format);
                }
            }
            else
            {
                end = i;
                while (end < text.Length && (TextChars.IsDigit(text[end]) || (text[end] == '.' && TextChars.IsDigit(TextChars.At(text, end + 1)))))
                {
                    end++;
                }
                end = Math.Max(end, i + 1);
            }
            var next = end < text.Length ? span[end..].IndexOfAny(TextChars.Digits) : -1;
            i = next < 0 ? -1 : end + next;
        }
    }

    private static bool TryV4(string text, int start, out int end)
    {
        var position = start;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (TextChars.At(text, position) != '.')
                {
                    end = position;
                    return false;
                }
                position++;
            }
            var digitsStart = position;
            var value = 0;
            while (position < text.Length && TextChars.IsDigit(text[position]) && position - digitsStart < 4)
            {
                value = (value * 10) + (text[position] - '0');
                position++;
            }
            var length = position - digitsStart;
            if (length is 0 or > 3 || value > 255 || (length > 1 && text[digitsStart] == '0'))
            {
                end = position;
                return false;
            }
        }
        end = position;
        var after = TextChars.At(text, position);
        if (char.IsLetterOrDigit(after) || after is '_' || ((after is '.' or '-') && char.IsLetterOrDigit(TextChars.At(text, position + 1))))
        {
            return false;
        }
        return true;
    }

    private static bool IsV6Char(char c) => char.IsAsciiHexDigit(c) || c is ':' or '.';

    private static void FindV6(ScanContext context)
    {
        var text = context.Text;
        var colon = text.IndexOf(':');
        var scannedTo = 0;
        while (colon >= 0)
        {
            context.CheckDeadline();
            if (colon >= scannedTo)
            {
                var start = colon;
                while (start > 0 && IsV6Char(text[start - 1]) && colon - start < 45)
                {
                    start--;
                }
                var end = colon;
                while (end < text.Length && IsV6Char(text[end]) && end - start < 45)
                {
                    end++;
                }
                scannedTo = end;
                while (end > start && text[end - 1] is '.')
                {
                    end--;
                }
                // A run that ends in a single colon ("::" may end an address, ":" ends a label).
                if (end - start > 1 && text[end - 1] == ':' && text[end - 2] != ':')
                {
                    end--;
                }
                var candidate = text.AsSpan(start, end - start);
                var before = TextChars.At(text, start - 1);
                var after = TextChars.At(text, end);
                if (candidate.Length >= 3 && candidate.Count(':') >= 2 && !(char.IsLetterOrDigit(before) || before == '_') && !(char.IsLetterOrDigit(after) || after == '_')
                    && HasHexDigit(candidate) && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    context.Add(start, end, EntityTypes.IpAddress, Tiers.Format);
                }
            }
            colon = colon + 1 < text.Length ? text.IndexOf(':', Math.Max(colon + 1, scannedTo)) : -1;
        }
    }

    private static bool HasHexDigit(ReadOnlySpan<char> candidate) => candidate.IndexOfAnyExcept(":.") >= 0;
}
