using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Understudy.Core.Redaction;
using Understudy.Redaction.Recognizers;

namespace Understudy.Redaction;

/// <summary>
/// Consistent, format-preserving fakes. Each fake is drawn from a stream seeded with
/// HMAC-SHA256(key, type ∥ 0 ∥ original), where the 32-byte key is random per instance and kept
/// only in memory: the same original gives the same fake within one engine, and nothing links the
/// fakes of two engines or lets anyone recompute them without the key.
/// </summary>
internal sealed class SurrogateGenerator
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Create(string type, string original) => type switch
    {
        EntityTypes.Email => Email(Stream(type, original)),
        EntityTypes.Phone => Phone(Stream(type, original), original),
        EntityTypes.CreditCard => Card(Stream(type, original), original),
        EntityTypes.Iban => Iban(Stream(type, original), original),
        EntityTypes.UsSsn => Ssn(Stream(type, original), original),
        EntityTypes.IpAddress => Ip(Stream(type, original), original),
        EntityTypes.DateOfBirth => Date(Stream(type, original), original),
        EntityTypes.Person => Person(original),
        EntityTypes.PrivateKey => PrivateKey(Stream(type, original), original),
        EntityTypes.ApiKey => ApiKey(Stream(type, original), original),
        EntityTypes.UrlCredentials or EntityTypes.Jwt or EntityTypes.Secret => SameClasses(Stream(type, original), original, 0),
        _ => EntityTypes.Placeholder(type),
    };

    /// <summary>A small deterministic generator (SplitMix64) seeded from the keyed HMAC.</summary>
    internal struct Prng(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Below(int bound) => (int)(Next() % (ulong)bound);

        public int Between(int min, int max) => min + Below(max - min + 1);

        public char Digit() => (char)('0' + Below(10));
    }

    private Prng Stream(string type, string original)
    {
        var input = Encoding.UTF8.GetBytes(type + "\0" + original);
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, input, hash);
        return new Prng(BitConverter.ToUInt64(hash) ^ BitConverter.ToUInt64(hash[8..]));
    }

    private static readonly string[] EmailDomains = ["example.com", "example.org", "example.net", "mail.example", "corp.example"];

    private static string Email(Prng random)
    {
        var names = Gazetteer.Shared;
        var first = AsciiName(ref random, names.FirstNameList);
        var last = AsciiName(ref random, names.LastNameList);
        return $"{first}.{last}{random.Between(1, 99).ToString(CultureInfo.InvariantCulture)}@{EmailDomains[random.Below(EmailDomains.Length)]}";
    }

    private static string AsciiName(ref Prng random, string[] names)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var name = names[random.Below(names.Length)];
            if (name.All(char.IsAsciiLetter))
            {
                return name.ToLowerInvariant();
            }
        }
        return "alex";
    }

    private static string Phone(Prng random, string original)
    {
        var keep = 0;
        if (original.StartsWith('+'))
        {
            // Keep the country calling code (1–3 digits; libphonenumber knows which).
            keep = CountryCodeDigits(original);
        }
        var builder = new StringBuilder(original.Length);
        var digitIndex = 0;
        foreach (var c in original)
        {
            if (!char.IsAsciiDigit(c))
            {
                builder.Append(c);
                continue;
            }
            if (digitIndex < keep)
            {
                builder.Append(c);
            }
            else if (digitIndex == keep && c is >= '2' and <= '9')
            {
                builder.Append((char)('2' + random.Below(8)));
            }
            else
            {
                builder.Append(random.Digit());
            }
            digitIndex++;
        }
        return builder.ToString();
    }

    private static int CountryCodeDigits(string original)
    {
        try
        {
            var number = PhoneNumbers.PhoneNumberUtil.GetInstance().Parse(original, "ZZ");
            return number.CountryCode.ToString(CultureInfo.InvariantCulture).Length;
        }
        catch (PhoneNumbers.NumberParseException)
        {
            return 1;
        }
    }

    private static string Card(Prng random, string original)
    {
        var digits = new string([.. original.Where(char.IsAsciiDigit)]);
        var prefixLength = Checksums.CardIssuer(digits)?.PrefixLength ?? 1;
        var fake = new char[digits.Length];
        digits.AsSpan(0, prefixLength).CopyTo(fake);
        for (var i = prefixLength; i < fake.Length - 1; i++)
        {
            fake[i] = random.Digit();
        }
        fake[^1] = Checksums.LuhnCheckDigit(fake.AsSpan(0, fake.Length - 1));
        return Reformat(original, fake);
    }

    private static string Iban(Prng random, string original)
    {
        var compact = new string([.. original.Where(char.IsAsciiLetterOrDigit)]).ToUpperInvariant().ToCharArray();
        compact[2] = '0';
        compact[3] = '0';
        for (var i = 4; i < compact.Length; i++)
        {
            compact[i] = char.IsAsciiDigit(compact[i]) ? random.Digit() : (char)('A' + random.Below(26));
        }
        var check = 98 - Checksums.IbanRemainder(compact);
        compact[2] = (char)('0' + (check / 10));
        compact[3] = (char)('0' + (check % 10));
        return Reformat(original, compact);
    }

    private static string Ssn(Prng random, string original)
    {
        int area;
        do
        {
            area = random.Between(1, 899);
        }
        while (area == 666);
        var digits = string.Create(CultureInfo.InvariantCulture, $"{area:000}{random.Between(1, 99):00}{random.Between(1, 9999):0000}");
        return Reformat(original, digits.ToCharArray());
    }

    private static string Ip(Prng random, string original)
    {
        if (original.Contains(':', StringComparison.Ordinal))
        {
            var bytes = new byte[16];
            bytes[0] = 0xfd;
            for (var i = 1; i < 16; i++)
            {
                bytes[i] = (byte)random.Below(256);
            }
            return new IPAddress(bytes).ToString();
        }
        return string.Create(CultureInfo.InvariantCulture, $"10.{random.Below(256)}.{random.Below(256)}.{random.Between(1, 254)}");
    }

    private static string Date(Prng random, string original)
    {
        // Digit groups: four digits are a year, a final two-digit group after a separator a short
        // year, the others day or month — drawn from 1–12 so that either reading stays a real date.
        var builder = new StringBuilder(original.Length);
        var i = 0;
        var groupIndex = 0;
        var hasLongYear = System.Text.RegularExpressions.Regex.IsMatch(original, @"\d{4}", System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        while (i < original.Length)
        {
            if (!char.IsAsciiDigit(original[i]))
            {
                builder.Append(original[i++]);
                continue;
            }
            var end = i;
            while (end < original.Length && char.IsAsciiDigit(original[end]))
            {
                end++;
            }
            var width = end - i;
            var lastGroup = !original.AsSpan(end).ContainsAnyInRange('0', '9');
            string value;
            if (width == 4)
            {
                value = random.Between(1940, 2005).ToString(CultureInfo.InvariantCulture);
            }
            else if (width == 2 && lastGroup && groupIndex == 2 && !hasLongYear)
            {
                value = random.Between(40, 99).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                var number = random.Between(1, 12);
                value = width >= 2 ? number.ToString("00", CultureInfo.InvariantCulture) : Math.Min(number, 9).ToString(CultureInfo.InvariantCulture);
            }
            builder.Append(value);
            groupIndex++;
            i = end;
        }
        return builder.ToString();
    }

    private string Person(string original)
    {
        var names = Gazetteer.Shared;
        var builder = new StringBuilder(original.Length);
        var i = 0;
        while (i < original.Length)
        {
            if (!char.IsLetter(original[i]))
            {
                builder.Append(original[i++]);
                continue;
            }
            var end = i;
            while (end < original.Length && (char.IsLetter(original[end]) || (original[end] is '\'' or '’' or '-' && end + 1 < original.Length && char.IsLetter(original[end + 1]))))
            {
                end++;
            }
            var word = original[i..end];
            if (word.Length == 1)
            {
                builder.Append(word);
            }
            else
            {
                // Per word, so "Smith" has one fake whether it comes with "John" or "Mr.".
                var random = Stream(EntityTypes.Person, word);
                var list = names.IsFirst(word) && !names.IsLast(word) ? names.FirstNameList : names.LastNameList;
                builder.Append(list[random.Below(list.Length)]);
            }
            i = end;
        }
        return builder.ToString();
    }

    private static string PrivateKey(Prng random, string original)
    {
        var builder = new StringBuilder(original.Length);
        foreach (var line in original.Split('\n'))
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }
            builder.Append(line.StartsWith("-----", StringComparison.Ordinal) || line.Contains(':', StringComparison.Ordinal) ? line : SameClasses(random, line, 0));
        }
        return builder.ToString();
    }

    private static string ApiKey(Prng random, string original)
    {
        var keep = 0;
        foreach (var rule in ApiKeyRecognizer.Rules)
        {
            if (original.StartsWith(rule.Prefix, StringComparison.Ordinal) && rule.Prefix.Length > keep)
            {
                keep = rule.Prefix.Length;
            }
        }
        return SameClasses(random, original, keep);
    }

    /// <summary>Every letter and digit after the first <paramref name="keep"/> characters replaced by a random one of its class (hex stays hex).</summary>
    internal static string SameClasses(Prng random, string original, int keep)
    {
        var hex = original.AsSpan(keep).IndexOfAnyExcept("0123456789abcdefABCDEF-") < 0;
        var chars = original.ToCharArray();
        for (var i = keep; i < chars.Length; i++)
        {
            var c = chars[i];
            if (char.IsAsciiDigit(c))
            {
                chars[i] = random.Digit();
            }
            else if (char.IsAsciiLetterLower(c))
            {
                chars[i] = hex ? "abcdef"[random.Below(6)] : (char)('a' + random.Below(26));
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                chars[i] = hex ? "ABCDEF"[random.Below(6)] : (char)('A' + random.Below(26));
            }
            else if (char.IsLetterOrDigit(c))
            {
                chars[i] = (char)('a' + random.Below(26));
            }
        }
        return new string(chars);
    }

    /// <summary>The <paramref name="compact"/> characters put back into the original's layout of separators.</summary>
    private static string Reformat(string original, ReadOnlySpan<char> compact)
    {
        var builder = new StringBuilder(original.Length);
        var next = 0;
        foreach (var c in original)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) && next < compact.Length ? compact[next++] : c);
        }
        return builder.ToString();
    }
}
