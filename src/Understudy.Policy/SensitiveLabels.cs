using System.Collections.Immutable;
using System.Text;

namespace Understudy.Policy;

/// <summary>
/// Says whether a UI element's accessible name or label marks it as sensitive (password, PIN,
/// CVV, …). Labels match as whole words, ignoring case: "PIN" and "Enter your PIN:" match
/// <c>pin</c>, "Spinner" does not. Multi-word labels match as a phrase or run together
/// ("API key", "api_key", "apiKey", "apikey"); a trailing plural 's' is allowed ("Passwords").
/// Linear in the input, no regular expressions.
/// </summary>
public sealed class SensitiveLabels
{
    private readonly ImmutableArray<string[]> _phrases;
    private readonly HashSet<string> _joined;

    public SensitiveLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var phrases = ImmutableArray.CreateBuilder<string[]>();
        _joined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var words = Words(label);
            if (words.Count == 0)
            {
                continue;
            }
            phrases.Add([.. words]);
            _joined.Add(string.Concat(words));
        }
        _phrases = phrases.ToImmutable();
    }

    public static SensitiveLabels For(RecordingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new SensitiveLabels(policy.SensitiveLabels);
    }

    /// <summary>True when the element's name or its label contains a sensitive label word or phrase.</summary>
    public bool IsSensitive(string? name, string? label) => Matches(name) || Matches(label);

    /// <summary>True when <paramref name="text"/> contains a sensitive label word or phrase.</summary>
    public bool Matches(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var words = Words(text.Length > 4096 ? text[..4096] : text);
        for (var i = 0; i < words.Count; i++)
        {
            if (_joined.Contains(words[i]) || (words[i].Length > 1 && words[i][^1] == 's' && _joined.Contains(words[i][..^1])))
            {
                return true;
            }
            foreach (var phrase in _phrases)
            {
                if (PhraseAt(words, i, phrase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool PhraseAt(List<string> words, int start, string[] phrase)
    {
        if (start + phrase.Length > words.Count)
        {
            return false;
        }
        for (var j = 0; j < phrase.Length; j++)
        {
            var word = words[start + j];
            var last = j == phrase.Length - 1;
            if (word != phrase[j] && !(last && word.Length == phrase[j].Length + 1 && word[^1] == 's' && word.StartsWith(phrase[j], StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Lower-case words: split at anything not a letter or digit, and where lower case turns to upper ("apiKey").</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var previous = '\0';
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
            }
            else
            {
                if (char.IsUpper(c) && char.IsLower(previous))
                {
                    Flush();
                }
                current.Append(char.ToLowerInvariant(c));
            }
            previous = c;
        }
        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
