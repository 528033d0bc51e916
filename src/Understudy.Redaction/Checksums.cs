using System.Collections.Frozen;

namespace Understudy.Redaction;

/// <summary>The checksums and number tables the recognizers validate with (and the surrogates satisfy).</summary>
internal static class Checksums
{
    /// <summary>Luhn (mod 10) over ASCII digits.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>The check digit that makes <paramref name="payload"/> + digit Luhn-valid.</summary>
    public static char LuhnCheckDigit(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        var doubleIt = true;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            var d = payload[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>The card issuer whose IIN range and length the digits fit, or null; and how many leading digits make the issuer prefix.</summary>
    public static (string Issuer, int PrefixLength)? CardIssuer(ReadOnlySpan<char> digits)
    {
        var length = digits.Length;
        if (length < 13 || length > 19)
        {
            return null;
        }
        var d1 = digits[0] - '0';
        var p2 = (d1 * 10) + (digits[1] - '0');
        var p3 = (p2 * 10) + (digits[2] - '0');
        var p4 = (p3 * 10) + (digits[3] - '0');
        if (d1 == 4 && length is 13 or 16 or 19)
        {
            return ("visa", 1);
        }
        if (p2 is >= 51 and <= 55 && length == 16)
        {
            return ("mastercard", 2);
        }
        if (p4 is >= 2221 and <= 2720 && length == 16)
        {
            return ("mastercard", 4);
        }
        if (p2 is 34 or 37 && length == 15)
        {
            return ("amex", 2);
        }
        if (p4 == 6011 && length >= 16)
        {
            return ("discover", 4);
        }
        if (p3 is >= 644 and <= 649 && length >= 16)
        {
            return ("discover", 3);
        }
        if (p2 == 65 && length >= 16)
        {
            return ("discover", 2);
        }
        if (p4 is >= 3528 and <= 3589 && length >= 16)
        {
            return ("jcb", 4);
        }
        if (p3 is >= 300 and <= 305 && length >= 14)
        {
            return ("diners", 3);
        }
        if (p2 is 36 or 38 && length >= 14)
        {
            return ("diners", 2);
        }
        if (p2 == 62 && length >= 16)
        {
            return ("unionpay", 2);
        }
        return null;
    }

    /// <summary>IBAN length by country (ISO 13616 registry).</summary>
    public static readonly FrozenDictionary<string, int> IbanLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24,
        ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18,
        ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27,
        ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20,
        ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20,
        ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25,
        ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
        ["YE"] = 30,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>ISO 7064 mod 97-10 over an IBAN's compact upper-case form: valid when the remainder is 1.</summary>
    public static int IbanRemainder(ReadOnlySpan<char> compact)
    {
        var remainder = 0;
        for (var i = 0; i < compact.Length; i++)
        {
            var c = compact[(i + 4) % compact.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return -1;
            }
        }
        return remainder;
    }

    public static bool IbanValid(ReadOnlySpan<char> compact) => compact.Length >= 15 && IbanRemainder(compact) == 1;

    /// <summary>US SSN rules: area not 000, 666 or 900–999; group not 00; serial not 0000; not a known advertised fake.</summary>
    public static bool SsnValid(int area, int group, int serial)
    {
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
        {
            return false;
        }
        return !((area == 78 && group == 5 && serial == 1120)
            || (area == 219 && group == 9 && serial == 9999)
            || (area == 123 && group == 45 && serial == 6789));
    }
}
