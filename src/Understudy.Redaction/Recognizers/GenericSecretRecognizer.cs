using System.Buffers;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Generic secrets (gitleaks' generic-api-key, detect-secrets' limits): a value after a key word
/// (key, secret, token, password, passwd, pwd, api_key, auth, credential…) that is a whole
/// identifier segment (not "keyboard", "monkey", "tokenizer", "author"), then optional quotes,
/// an optional <c>:</c>, <c>=</c>, <c>:=</c>, <c>=&gt;</c> or " is ", and the value: at least 12
/// characters with Shannon entropy ≥ 3.0 bits if hexadecimal or ≥ 3.5 otherwise; after a password
/// word with an assignment, at least 6 characters of at least two character classes (three
/// without an assignment, at least 8 characters). "Bearer"/"Basic" before the value are skipped.
/// </summary>
internal sealed class GenericSecretRecognizer : Recognizer
{
    private static readonly string[] PasswordWords = ["password", "passwort", "passwd", "passphrase", "pwd", "pass", "pw", "pin", "mot de passe", "contraseña", "kennwort"];

    private static readonly string[] OtherWords = ["secret", "token", "apikey", "api_key", "api-key", "key", "auth", "authorization", "credential", "credentials", "bearer"];

    private static readonly string[] AllWords = [.. PasswordWords, .. OtherWords];

    private static readonly SearchValues<string> Keywords = SearchValues.Create(AllWords, StringComparison.OrdinalIgnoreCase);

    private static readonly string[] WordsLongestFirst = [.. AllWords.OrderByDescending(word => word.Length)];

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Secret];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var position = 0;
        while (position < text.Length)
        {
            context.CheckDeadline();
            var found = text.AsSpan(position).IndexOfAny(Keywords);
            if (found < 0)
            {
                return;
            }
            var start = position + found;
            position = start + 1;
            foreach (var word in WordsLongestFirst)
            {
                if (text.AsSpan(start).StartsWith(word, StringComparison.OrdinalIgnoreCase))
                {
                    if (IsSegment(text, start, word.Length))
                    {
                        var end = TryValue(context, text, start + word.Length, Array.IndexOf(PasswordWords, word) >= 0);
                        if (end > position)
                        {
                            position = end;
                        }
                    }
                    break;
                }
            }
        }
    }

    /// <summary>The key word is a whole part of an identifier: snake/kebab/dot/camel boundaries or a plural s.</summary>
    private static bool IsSegment(string text, int start, int length)
    {
        var before = TextChars.At(text, start - 1);
        var first = text[start];
        var leftOk = !char.IsLetter(before) || (char.IsLower(before) && char.IsUpper(first));
        if (!leftOk)
        {
            return false;
        }
        var afterIndex = start + length;
        var after = TextChars.At(text, afterIndex);
        if (after is 's' or 'S' && !char.IsLetter(TextChars.At(text, afterIndex + 1)))
        {
            return true;
        }
        return !char.IsLetter(after) || (char.IsUpper(after) && char.IsLower(text[afterIndex - 1]));
    }

    private static int TryValue(ScanContext context, string text, int i, bool password)
    {
        // The rest of the identifier (DB_PASSWORD_FILE, apiKeyProd), then quotes and an assignment.
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.') && !(text[i] == '.' && !char.IsLetterOrDigit(TextChars.At(text, i + 1))))
        {
            i++;
        }
        i = SkipQuote(text, i);
        i = SkipBlanks(text, i);
        var assigned = false;
        if (TextChars.At(text, i) is ':' or '=')
        {
            assigned = true;
            i++;
            if (TextChars.At(text, i) is '=' or '>')
            {
                i++;
            }
        }
        else if (text.AsSpan(i).StartsWith("is ", StringComparison.OrdinalIgnoreCase))
        {
            assigned = true;
            i += 3;
        }
        i = SkipBlanks(text, i);
        var valueStart = SkipQuote(text, i);
        var quoted = valueStart > i;
        var (start, end) = ReadValue(text, valueStart, quoted ? text[i] : '\0');
        var value = text.AsSpan(start, end - start);
        if (value.Equals("bearer", StringComparison.OrdinalIgnoreCase) || value.Equals("basic", StringComparison.OrdinalIgnoreCase) || value.Equals("token", StringComparison.OrdinalIgnoreCase))
        {
            var next = SkipBlanks(text, end);
            (start, end) = ReadValue(text, next, '\0');
            value = text.AsSpan(start, end - start);
            assigned = true;
        }
        if (Accept(value, password, assigned))
        {
            context.Add(start, end, EntityTypes.Secret, Tiers.Generic);
            return end;
        }
        return i;
    }

    internal static bool Accept(ReadOnlySpan<char> value, bool password, bool assigned)
    {
        if (value.Length < 6)
        {
            return false;
        }
        if (password)
        {
            var classes = TextChars.CharClasses(value);
            if (assigned ? classes >= 2 : (classes >= 3 && value.Length >= 8))
            {
                return true;
            }
        }
        if (value.Length < 12)
        {
            return false;
        }
        var hex = true;
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c) && c != '-')
            {
                hex = false;
                break;
            }
        }
        return TextChars.Entropy(value) >= (hex ? 3.0 : 3.5);
    }

    private static int SkipBlanks(string text, int i)
    {
        var limit = i + 3;
        while (i < text.Length && i < limit && text[i] is ' ' or '\t')
        {
            i++;
        }
        return i;
    }

    private static int SkipQuote(string text, int i) => TextChars.At(text, i) is '"' or '\'' or '`' ? i + 1 : i;

    private static (int Start, int End) ReadValue(string text, int start, char quote)
    {
        var end = start;
        while (end < text.Length && end - start < 512)
        {
            var c = text[end];
            if (quote != '\0' ? c == quote || c is '\n' or '\r' : char.IsWhiteSpace(c) || c is '"' or '\'' or '`' or '<' or '>')
            {
                break;
            }
            end++;
        }
        if (quote == '\0')
        {
            // Sentence punctuation after the value: a closing bracket, comma, semicolon or full stop.
            while (end > start && text[end - 1] is ',' or ';' or '.' or ')' or ']' or '}')
            {
                end--;
            }
        }
        return (start, end);
    }
}
