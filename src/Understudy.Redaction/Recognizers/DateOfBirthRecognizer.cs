using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// Dates of birth: a real calendar date (year 1900–2099 or two digits) in a common format —
/// 1985-03-12, 12/03/1985, 12.03.85, 12 March 1985, March 12th, 1985, 12. März 1985 — within
/// about five words after (64 characters) or before (40 characters) a context word: born, birth,
/// DOB, D.O.B., date of birth, birthday, geb., geboren, née/né. A date without such a word is not one.
/// </summary>
internal sealed partial class DateOfBirthRecognizer : Recognizer
{
    // ASCII words in one vectorised search; "née"/"né" (the only non-ASCII ones) in a second.
    private static readonly string[] ContextWords = ["born", "birth", "dob", "d.o.b", "geb.", "geboren", "naissance", "nacimiento", "fecha de nac"];

    private static readonly SearchValues<string> Context = SearchValues.Create(ContextWords, StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> NonAsciiContext = SearchValues.Create(["née", "né "], StringComparison.OrdinalIgnoreCase);

    private const string Months = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|maerz|mai|juni|juli|oktober|dezember|janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre";

    [GeneratedRegex(
        @"(?<iso>\b(?<y1>(?:19|20)\d\d)[-/.](?<m1>\d{1,2})[-/.](?<d1>\d{1,2})\b)"
        + @"|(?<num>\b(?<a2>\d{1,2})[-/.](?<b2>\d{1,2})[-/.](?<y2>\d{4}|\d{2})\b)"
        + @"|(?<dmy>\b(?<d3>\d{1,2})(?:st|nd|rd|th|\.)?\s(?:of\s)?(?<m3>" + Months + @")\.?,?\s(?<y3>\d{4})\b)"
        + @"|(?<mdy>\b(?<m4>" + Months + @")\.?\s(?<d4>\d{1,2})(?:st|nd|rd|th)?,?\s(?<y4>\d{4})\b)",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex DatePattern();

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.DateOfBirth];

    public override void Find(ScanContext context)
    {
        Find(context, Context);
        if (context.Text.AsSpan().ContainsAnyExceptInRange('\0', '\u007f'))
        {
            Find(context, NonAsciiContext);
        }
    }

    private static void Find(ScanContext context, SearchValues<string> words)
    {
        var text = context.Text;
        var position = 0;
        var scannedTo = 0;
        while (position < text.Length)
        {
            context.CheckDeadline();
            var found = text.AsSpan(position).IndexOfAny(words);
            if (found < 0)
            {
                return;
            }
            var word = position + found;
            position = word + 1;
            if (word > 0 && char.IsLetter(text[word - 1]))
            {
                continue;
            }
            var from = Math.Max(scannedTo, Math.Max(0, word - 40));
            var to = Math.Min(text.Length, word + 64);
            if (to <= from)
            {
                continue;
            }
            // Whole words at the window's edges only.
            while (from > 0 && from < to && char.IsLetterOrDigit(text[from - 1]) && char.IsLetterOrDigit(text[from]))
            {
                from++;
            }
            foreach (var match in DatePattern().EnumerateMatches(text.AsSpan(from, to - from)))
            {
                var start = from + match.Index;
                var end = start + match.Length;
                if (end == to && to < text.Length && char.IsLetterOrDigit(text[to]))
                {
                    continue;
                }
                if (ValidDate(text.AsSpan(start, match.Length)))
                {
                    context.Add(start, end, EntityTypes.DateOfBirth, Tiers.Format);
                }
            }
            scannedTo = Math.Max(scannedTo, to - 24);
        }
    }

    /// <summary>Re-parses a matched date and checks it is a real calendar day (either day/month order for numeric forms).</summary>
    internal static bool ValidDate(ReadOnlySpan<char> value)
    {
        var match = DatePattern().Match(value.ToString());
        if (!match.Success)
        {
            return false;
        }
        if (match.Groups["iso"].Success)
        {
            return Real(Int(match, "y1"), Int(match, "m1"), Int(match, "d1"));
        }
        if (match.Groups["num"].Success)
        {
            var year = Year(Int(match, "y2"), match.Groups["y2"].Length);
            var a = Int(match, "a2");
            var b = Int(match, "b2");
            return year > 0 && (Real(year, b, a) || Real(year, a, b));
        }
        if (match.Groups["dmy"].Success)
        {
            return Real(Int(match, "y3"), 1, Int(match, "d3"));
        }
        return match.Groups["mdy"].Success && Real(Int(match, "y4"), 1, Int(match, "d4"));
    }

    private static int Year(int year, int digits) => digits == 2 ? 1900 + year : year is >= 1900 and <= 2099 ? year : -1;

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    private static bool Real(int year, int month, int day) => year is >= 1900 and <= 2099 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
}
