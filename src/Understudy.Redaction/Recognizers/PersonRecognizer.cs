using System.Buffers;
using System.Collections.Frozen;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Person names from a gazetteer (<see cref="Gazetteer"/>), capitalisation and context. A run of
/// up to four capitalised words (middle initials allowed) is a name when:
/// after a title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Herr, Frau, Mme, Mlle) — whatever the words;
/// after "Dear", "Hi", "Hello", "Hey", "name is", "name:", "I am", "signed", "regards", "sincerely",
/// "thanks", "cheers" — when its first word is a known first or last name;
/// without context — from a known first name followed by a known last name or another capitalised
/// word that is not a common word, unless both are common words ("Will Power", "May Day").
/// A lone first name without context is not a name.
/// </summary>
internal sealed class PersonRecognizer : Recognizer
{
    private const int MaxWords = 4;

    private static readonly SearchValues<char> AsciiUppercase = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly SearchValues<char> Uppercase = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĆČĐŁŃŒŘŚŠŸŹŻŽ");

    private static readonly string[] Titles = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme", "mlle", "madame", "monsieur", "señor", "señora", "sr", "sra"];

    private static readonly FrozenSet<string> ContextWords = new[] { "dear", "hi", "hello", "hey", "signed", "regards", "sincerely", "thanks", "cheers", "best", "i'm" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> ColonContextWords = new[] { "name", "signed", "from", "to", "cc", "attn", "contact", "dear", "hi" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ContextLookup = ContextWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ColonContextLookup = ColonContextWords.GetAlternateLookup<ReadOnlySpan<char>>();


    public override IReadOnlyList<string> Types { get; } = [EntityTypes.Person];

    private readonly record struct Word(int Start, int End, bool Initial);

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var gazetteer = Gazetteer.Shared;
        Span<Word> words = stackalloc Word[MaxWords];
        // ASCII-only text (most of it) takes the vectorised A–Z search.
        var uppercase = text.AsSpan().ContainsAnyExceptInRange('\0', '\u007f') ? Uppercase : AsciiUppercase;
        var position = 0;
        while (position < text.Length)
        {
            context.CheckDeadline();
            var found = text.AsSpan(position).IndexOfAny(uppercase);
            if (found < 0)
            {
                return;
            }
            var start = position + found;
            if (start > 0 && (char.IsLetterOrDigit(text[start - 1]) || text[start - 1] is '_' or '@' or '.' && start > 1 && char.IsLetter(text[start - 2])))
            {
                position = SkipWord(text, start);
                continue;
            }
            // Collect a run of capitalised words separated by single spaces.
            var count = 0;
            var cursor = start;
            while (count < MaxWords && ReadWord(text, cursor, count > 0, out var word))
            {
                words[count++] = word;
                cursor = word.End;
                if (TextChars.At(text, cursor) == ' ' && cursor + 1 < text.Length && char.IsUpper(text[cursor + 1]))
                {
                    cursor++;
                    continue;
                }
                break;
            }
            if (count == 0)
            {
                position = SkipWord(text, start);
                continue;
            }
            while (count > 0 && words[count - 1].Initial)
            {
                count--;
            }
            position = count > 0 ? words[count - 1].End : SkipWord(text, start);
            if (count == 0)
            {
                continue;
            }
            Decide(context, text, gazetteer, words[..count]);
        }
    }

    private static void Decide(ScanContext context, string text, Gazetteer gazetteer, ReadOnlySpan<Word> words)
    {
        // A context word may itself be capitalised and open the run ("Hi Anna", "Dear Mr"): try each start.
        for (var k = 0; k < words.Length; k++)
        {
            if (!words[k].Initial && WithContext(context, text, gazetteer, words[k..]))
            {
                return;
            }
        }
        // No context: a first name and a following surname.
        for (var i = 0; i + 1 < words.Length; i++)
        {
            var first = Slice(text, words[i]);
            if (words[i].Initial || !gazetteer.IsFirst(first))
            {
                continue;
            }
            var j = i + 1;
            while (j < words.Length - 1 && (words[j].Initial || gazetteer.IsFirst(Slice(text, words[j]))) && !gazetteer.IsCommon(Slice(text, words[j + 1])))
            {
                j++;
            }
            var last = Slice(text, words[j]);
            if (words[j].Initial)
            {
                continue;
            }
            var lastKnown = gazetteer.IsLast(last) || gazetteer.IsFirst(last);
            var firstCommon = gazetteer.IsCommon(first);
            var lastCommon = gazetteer.IsCommon(last);
            if ((lastKnown && !(firstCommon && lastCommon)) || (!lastCommon && !firstCommon && last.Length >= 2))
            {
                context.Add(words[i].Start, words[j].End, EntityTypes.Person, Tiers.Generic);
                return;
            }
        }
    }

    private static bool WithContext(ScanContext context, string text, Gazetteer gazetteer, ReadOnlySpan<Word> words)
    {
        var firstWord = Slice(text, words[0]);
        var title = AfterTitle(text, words[0].Start);
        if (title && !gazetteer.IsCommon(firstWord))
        {
            context.Add(words[0].Start, words[^1].End, EntityTypes.Person, Tiers.Generic);
            return true;
        }
        if ((title || AfterContext(text, words[0].Start)) && gazetteer.IsName(firstWord))
        {
            var end = 1;
            while (end < words.Length && (words[end].Initial || gazetteer.IsName(Slice(text, words[end])) || !gazetteer.IsCommon(Slice(text, words[end]))))
            {
                end++;
            }
            while (end > 1 && words[end - 1].Initial)
            {
                end--;
            }
            context.Add(words[0].Start, words[end - 1].End, EntityTypes.Person, Tiers.Generic);
            return true;
        }
        return false;
    }

    private static ReadOnlySpan<char> Slice(string text, Word word) => text.AsSpan(word.Start, word.End - word.Start);

    /// <summary>A capitalised word (Upper then letters, with inner ' or - joining letters) or, after the first word, an initial "J.".</summary>
    private static bool ReadWord(string text, int start, bool allowInitial, out Word word)
    {
        word = default;
        if (start >= text.Length || !char.IsUpper(text[start]))
        {
            return false;
        }
        var end = start + 1;
        var lower = false;
        while (end < text.Length)
        {
            var c = text[end];
            if (char.IsLetter(c))
            {
                lower |= char.IsLower(c);
                end++;
            }
            else if ((c is '\'' or '’' or '-') && end + 1 < text.Length && char.IsLetter(text[end + 1]))
            {
                end++;
            }
            else
            {
                break;
            }
        }
        if (end == start + 1 && allowInitial && TextChars.At(text, end) == '.')
        {
            word = new Word(start, end + 1, true);
            return true;
        }
        if (!lower || end - start < 2 || char.IsDigit(TextChars.At(text, end)) || TextChars.At(text, end) is '_' or '@')
        {
            return false;
        }
        word = new Word(start, end, false);
        return true;
    }

    private static int SkipWord(string text, int i)
    {
        i++;
        while (i < text.Length && char.IsLetterOrDigit(text[i]))
        {
            i++;
        }
        return i;
    }

    private static bool AfterTitle(string text, int start)
    {
        var i = start - 1;
        if (i < 0 || text[i] != ' ')
        {
            return false;
        }
        i--;
        if (i >= 0 && text[i] == '.')
        {
            i--;
        }
        var end = i + 1;
        while (i >= 0 && char.IsLetter(text[i]))
        {
            i--;
        }
        var word = text.AsSpan(i + 1, end - i - 1);
        if (word.IsEmpty || (i >= 0 && char.IsLetterOrDigit(text[i])))
        {
            return false;
        }
        foreach (var title in Titles)
        {
            if (word.Equals(title, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool AfterContext(string text, int start)
    {
        // Skip the separators between the context word and the name: spaces, a comma, a newline.
        var i = start;
        var separators = 0;
        while (i > 0 && text[i - 1] is ' ' or '\n' or '\r' or '\t' or ',' && separators < 4)
        {
            i--;
            separators++;
        }
        if (separators == 0)
        {
            return false;
        }
        var colon = i > 0 && text[i - 1] == ':';
        var word = PreviousWord(text, colon ? i - 1 : i, out var wordStart);
        if (word.IsEmpty)
        {
            return false;
        }
        if ((colon ? ColonContextLookup : ContextLookup).Contains(word))
        {
            return true;
        }
        // Two-word phrases: "name is", "I am", "signed by".
        var second = PreviousWord(text, wordStart > 0 && text[wordStart - 1] == ' ' ? wordStart - 1 : -1, out _);
        return (word.Equals("is", StringComparison.OrdinalIgnoreCase) && second.Equals("name", StringComparison.OrdinalIgnoreCase))
            || (word.Equals("am", StringComparison.OrdinalIgnoreCase) && second.Equals("i", StringComparison.OrdinalIgnoreCase))
            || (word.Equals("by", StringComparison.OrdinalIgnoreCase) && second.Equals("signed", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The letters (and apostrophes) that end at <paramref name="end"/>; empty when none or when <paramref name="end"/> is negative.</summary>
    private static ReadOnlySpan<char> PreviousWord(string text, int end, out int start)
    {
        start = end;
        if (end <= 0)
        {
            return [];
        }
        while (start > 0 && end - start < 12 && (char.IsLetter(text[start - 1]) || text[start - 1] == '\''))
        {
            start--;
        }
        return start > 0 && char.IsLetterOrDigit(text[start - 1]) ? [] : text.AsSpan(start, end - start);
    }
}
