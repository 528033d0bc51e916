using System.Globalization;
using System.Text;
using Bogus;

namespace Understudy.Redaction.Evaluation;

/// <summary>
/// Random but valid values of each entity type, for the labelled corpus, the property tests and
/// the benchmark. All draws come from the given <see cref="Randomizer"/>, so a seed reproduces them.
/// </summary>
internal static class CorpusValues
{
    /// <summary>Issuer prefixes (IIN ranges as single prefixes) and the card length used for each.</summary>
    internal static readonly (string Issuer, string[] Prefixes, int Length)[] CardIssuers =
    [
        ("visa", ["4"], 16),
        ("visa-19", ["4"], 19),
        ("visa-13", ["4"], 13),
        ("mastercard", ["51", "52", "53", "54", "55"], 16),
        ("mastercard-2", ["2221", "2300", "2500", "2699", "2720"], 16),
        ("amex", ["34", "37"], 15),
        ("discover", ["6011", "65", "644", "645", "646", "647", "648", "649"], 16),
        ("jcb", ["3528", "3550", "3589"], 16),
        ("diners", ["300", "301", "302", "303", "304", "305", "36", "38"], 14),
        ("unionpay", ["62"], 16),
    ];

    private static readonly string[] UsAreaCodes = ["201", "202", "206", "212", "213", "303", "305", "312", "404", "415", "503", "512", "602", "615", "617", "646", "702", "704", "713", "718"];

    public static string CardDigits(Randomizer random, int issuerIndex)
    {
        var (_, prefixes, length) = CardIssuers[issuerIndex];
        var prefix = prefixes[random.Number(0, prefixes.Length - 1)];
        var digits = new StringBuilder(prefix);
        while (digits.Length < length - 1)
        {
            digits.Append((char)('0' + random.Number(0, 9)));
        }
        digits.Append(Checksums.LuhnCheckDigit(digits.ToString()));
        return digits.ToString();
    }

    public static string Card(Randomizer random, int issuerIndex)
    {
        var digits = CardDigits(random, issuerIndex);
        return random.Number(0, 2) switch
        {
            0 => digits,
            1 => Group(digits, digits.Length == 15 ? [4, 6, 5] : digits.Length == 14 ? [4, 6, 4] : [4, 4, 4, 4, 4], ' '),
            _ => Group(digits, digits.Length == 15 ? [4, 6, 5] : digits.Length == 14 ? [4, 6, 4] : [4, 4, 4, 4, 4], '-'),
        };
    }

    public static string Card(Randomizer random) => Card(random, random.Number(0, CardIssuers.Length - 1));

    /// <summary>A number that looks like a card but fails Luhn.</summary>
    public static string LuhnInvalidCard(Randomizer random)
    {
        var digits = CardDigits(random, 0).ToCharArray();
        digits[^1] = (char)('0' + (((digits[^1] - '0') + random.Number(1, 9)) % 10));
        return new string(digits);
    }

    private static string Group(string digits, int[] sizes, char separator)
    {
        var builder = new StringBuilder();
        var position = 0;
        foreach (var size in sizes)
        {
            if (position >= digits.Length)
            {
                break;
            }
            if (position > 0)
            {
                builder.Append(separator);
            }
            var take = Math.Min(size, digits.Length - position);
            builder.Append(digits, position, take);
            position += take;
        }
        return builder.ToString();
    }

    private static readonly (string Country, string Layout)[] IbanLayouts =
    [
        ("DE", "nnnnnnnnnnnnnnnnnn"),
        ("GB", "aaaannnnnnnnnnnnnn"),
        ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
        ("NL", "aaaannnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"),
        ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
        ("CH", "nnnnnnnnnnnnnnnnn"),
        ("BE", "nnnnnnnnnnnn"),
    ];

    public static string Iban(Randomizer random)
    {
        var (country, layout) = IbanLayouts[random.Number(0, IbanLayouts.Length - 1)];
        var compact = new StringBuilder(country).Append("00");
        foreach (var c in layout)
        {
            compact.Append(c == 'n' ? (char)('0' + random.Number(0, 9)) : (char)('A' + random.Number(0, 25)));
        }
        var chars = compact.ToString().ToCharArray();
        var check = 98 - Checksums.IbanRemainder(chars);
        chars[2] = (char)('0' + (check / 10));
        chars[3] = (char)('0' + (check % 10));
        var iban = new string(chars);
        if (random.Bool())
        {
            return iban;
        }
        var grouped = new StringBuilder();
        for (var i = 0; i < iban.Length; i += 4)
        {
            if (i > 0)
            {
                grouped.Append(' ');
            }
            grouped.Append(iban, i, Math.Min(4, iban.Length - i));
        }
        return grouped.ToString();
    }

    public static string Ssn(Randomizer random)
    {
        int area, group, serial;
        do
        {
            area = random.Number(1, 899);
            group = random.Number(1, 99);
            serial = random.Number(1, 9999);
        }
        while (!Checksums.SsnValid(area, group, serial));
        var separator = random.Number(0, 3) == 0 ? ' ' : '-';
        return string.Create(CultureInfo.InvariantCulture, $"{area:000}{separator}{group:00}{separator}{serial:0000}");
    }

    public static string Phone(Randomizer random)
    {
        var area = UsAreaCodes[random.Number(0, UsAreaCodes.Length - 1)];
        int exchange;
        do
        {
            exchange = random.Number(200, 999);
        }
        while (exchange % 100 == 11 || exchange == 555);
        var line = random.Number(0, 9999).ToString("0000", CultureInfo.InvariantCulture);
        var ex = exchange.ToString(CultureInfo.InvariantCulture);
        return random.Number(0, 8) switch
        {
            0 => $"({area}) {ex}-{line}",
            1 => $"{area}-{ex}-{line}",
            2 => $"{area}.{ex}.{line}",
            3 => $"+1 {area} {ex} {line}",
            4 => $"+1-{area}-{ex}-{line}",
            5 => $"+44 20 7946 0{random.Number(0, 999):000}",
            6 => $"+49 30 {random.Number(2000000, 9999999)}{random.Number(0, 9)}",
            7 => $"+33 1 {random.Number(10, 99)} {random.Number(10, 99)} {random.Number(10, 99)} {random.Number(10, 99)}",
            _ => $"{area} {ex} {line}",
        };
    }

    public static string IPv4(Randomizer random) => string.Create(CultureInfo.InvariantCulture, $"{random.Number(1, 223)}.{random.Number(0, 255)}.{random.Number(0, 255)}.{random.Number(1, 254)}");

    public static string IPv6(Randomizer random)
    {
        var bytes = random.Bytes(16);
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        if (random.Bool())
        {
            bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0;
        }
        return new System.Net.IPAddress(bytes).ToString();
    }

    public static string DateOfBirth(Randomizer random)
    {
        var date = new DateTime(1940, 1, 1).AddDays(random.Number(0, 65 * 365));
        string[] formats = ["yyyy-MM-dd", "MM/dd/yyyy", "dd.MM.yyyy", "d MMMM yyyy", "MMMM d, yyyy", "dd/MM/yyyy", "MMM d, yyyy", "d MMM yyyy"];
        return date.ToString(formats[random.Number(0, formats.Length - 1)], CultureInfo.InvariantCulture);
    }

    public static string Password(Randomizer random)
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz";
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string digits = "23456789";
        const string symbols = "!#$%&*+-=?^_~";
        var length = random.Number(8, 16);
        var builder = new StringBuilder();
        builder.Append(upper[random.Number(0, upper.Length - 1)]);
        builder.Append(lower[random.Number(0, lower.Length - 1)]);
        builder.Append(digits[random.Number(0, digits.Length - 1)]);
        builder.Append(symbols[random.Number(0, symbols.Length - 1)]);
        var all = lower + upper + digits + symbols;
        while (builder.Length < length)
        {
            builder.Append(all[random.Number(0, all.Length - 1)]);
        }
        return new string([.. random.Shuffle(builder.ToString())]);
    }

    public static string Chars(Randomizer random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Number(0, alphabet.Length - 1)];
        }
        return new string(chars);
    }

    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Base64UrlChars = Alnum + "-_";
    private const string LowerHex = "0123456789abcdef";

    /// <summary>Known-prefix tokens: (kind, value).</summary>
    public static (string Kind, string Value) KnownToken(Randomizer random) => random.Number(0, 11) switch
    {
        0 => ("aws", "AKIA" + Chars(random, UpperAlnum, 16)),
        1 => ("aws-session", "ASIA" + Chars(random, UpperAlnum, 16)),
        2 => ("github", random.ArrayElement(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + Chars(random, Alnum, 36)),
        3 => ("github-fine", "github_pat_" + Chars(random, Alnum, 22) + "_" + Chars(random, Alnum, 59)),
        4 => ("slack", "xox" + random.ArrayElement(["b", "p", "a"]) + "-" + Chars(random, "0123456789", 12) + "-" + Chars(random, "0123456789", 12) + "-" + Chars(random, Alnum, 24)),
        5 => ("stripe", random.ArrayElement(["sk_live_", "rk_live_", "sk_test_"]) + Chars(random, Alnum, 24)),
        6 => ("google", "AIza" + Chars(random, Base64UrlChars, 35)),
        7 => ("openai", "sk-proj-" + Chars(random, Alnum, 40)),
        8 => ("gitlab", "glpat-" + Chars(random, Alnum, 20)),
        9 => ("npm", "npm_" + Chars(random, Alnum, 36)),
        10 => ("sendgrid", "SG." + Chars(random, Alnum, 22) + "." + Chars(random, Alnum, 43)),
        _ => ("twilio", "SK" + Chars(random, LowerHex, 32)),
    };

    public static string Jwt(Randomizer random)
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(random.Bool() ? "{\"alg\":\"HS256\",\"typ\":\"JWT\"}" : "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"" + Chars(random, LowerHex, 8) + "\"}");
        var payload = B64("{\"sub\":\"" + random.Number(1000, 999999).ToString(CultureInfo.InvariantCulture) + "\",\"iat\":" + random.Number(1600000000, 1800000000).ToString(CultureInfo.InvariantCulture) + "}");
        return $"{header}.{payload}.{Chars(random, Base64UrlChars, 43)}";
    }

    public static string PrivateKey(Randomizer random, bool truncated)
    {
        var label = random.ArrayElement(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]);
        var builder = new StringBuilder().Append("-----BEGIN ").Append(label).Append("-----\n");
        var lines = truncated ? 2 : random.Number(3, 6);
        for (var i = 0; i < lines; i++)
        {
            builder.Append(Chars(random, Alnum + "+/", 64)).Append('\n');
        }
        if (!truncated)
        {
            builder.Append("-----END ").Append(label).Append("-----");
        }
        return builder.ToString();
    }

    public static string HexSecret(Randomizer random, int length) => Chars(random, LowerHex, length);

    public static string Base64Secret(Randomizer random, int length) => Chars(random, Alnum + "+/", length);

    public static string Uuid(Randomizer random) => new Guid(random.Bytes(16)).ToString();
}
