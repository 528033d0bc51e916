using System.Buffers;

namespace Understudy.Redaction.Recognizers;

/// <summary>Character classes and small checks shared by the recognizers.</summary>
internal static class TextChars
{
    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    public static readonly SearchValues<char> AsciiAlphanumeric = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsDigit(char c) => char.IsAsciiDigit(c);

    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    public static bool IsAsciiAlnum(char c) => char.IsAsciiLetterOrDigit(c);

    public static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_';

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static char At(string text, int index) => (uint)index < (uint)text.Length ? text[index] : '\0';

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }
        Span<int> ascii = stackalloc int[128];
        Dictionary<char, int>? other = null;
        foreach (var c in value)
        {
            if (c < 128)
            {
                ascii[c]++;
            }
            else
            {
                other ??= [];
                other[c] = other.GetValueOrDefault(c) + 1;
            }
        }
        double total = value.Length;
        var entropy = 0.0;
        foreach (var count in ascii)
        {
            if (count > 0)
            {
                var p = count / total;
                entropy -= p * Math.Log2(p);
            }
        }
        if (other is not null)
        {
            foreach (var count in other.Values)
            {
                var p = count / total;
                entropy -= p * Math.Log2(p);
            }
        }
        return entropy;
    }

    /// <summary>How many of lower, upper, digit, other (symbol) occur.</summary>
    public static int CharClasses(ReadOnlySpan<char> value)
    {
        bool lower = false, upper = false, digit = false, symbol = false;
        foreach (var c in value)
        {
            if (char.IsLower(c))
            {
                lower = true;
            }
            else if (char.IsUpper(c))
            {
                upper = true;
            }
            else if (char.IsDigit(c))
            {
                digit = true;
            }
            else
            {
                symbol = true;
            }
        }
        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
    }

    /// <summary>Whether a lower-case context word (ASCII, may contain spaces and dots) ends within <paramref name="window"/> characters before <paramref name="position"/>.</summary>
    public static bool HasContextBefore(string text, int position, int window, ReadOnlySpan<string> words)
    {
        var from = Math.Max(0, position - window);
        var before = text.AsSpan(from, position - from);
        foreach (var word in words)
        {
            var index = before.LastIndexOf(word, StringComparison.OrdinalIgnoreCase);
            if (index >= 0 && (from + index == 0 || !char.IsLetter(text[from + index - 1])))
            {
                return true;
            }
        }
        return false;
    }
}
