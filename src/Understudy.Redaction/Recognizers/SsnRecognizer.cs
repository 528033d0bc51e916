using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// US social security numbers: AAA-GG-SSSS (dashes or spaces, the same throughout), or nine plain
/// digits when "ssn", "social security" or "ss#" stands within the 40 characters before. Rejected:
/// area 000, 666 and 900–999, group 00, serial 0000, and the advertised fakes 078-05-1120,
/// 219-09-9999 and 123-45-6789.
/// </summary>
internal sealed class SsnRecognizer : Recognizer
{
    private static readonly string[] ContextWords = ["ssn", "social security", "ss#", "ss #", "ss no", "social sec", "sozialversicherung", "tax id", "taxpayer"];

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.UsSsn];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var span = text.AsSpan();
        var i = span.IndexOfAny(TextChars.Digits);
        while (i >= 0)
        {
            context.CheckDeadline();
            var end = TryAt(context, text, i);
            var next = end < text.Length ? span[end..].IndexOfAny(TextChars.Digits) : -1;
            i = next < 0 ? -1 : end + next;
        }
    }

    /// <summary>Tries an SSN starting at <paramref name="i"/>; returns where the digit run ends.</summary>
    private static int TryAt(ScanContext context, string text, int i)
    {
        var runEnd = i;
        while (runEnd < text.Length && TextChars.IsDigit(text[runEnd]))
        {
            runEnd++;
        }
        var before = TextChars.At(text, i - 1);
        if (char.IsLetterOrDigit(before) || before is '-' or '.' or '/' or '+' or '_' || (before == ' ' && TextChars.IsDigit(TextChars.At(text, i - 2))))
        {
            return runEnd;
        }
        var length = runEnd - i;
        int area, group, serial, end;
        if (length == 3)
        {
            var separator = TextChars.At(text, runEnd);
            if (separator is not ('-' or ' ') || !Digits(text, runEnd + 1, 2) || TextChars.At(text, runEnd + 3) != separator || !Digits(text, runEnd + 4, 4))
            {
                return runEnd;
            }
            end = runEnd + 8;
            area = Number(text, i, 3);
            group = Number(text, runEnd + 1, 2);
            serial = Number(text, runEnd + 4, 4);
        }
        else if (length == 9)
        {
            if (!TextChars.HasContextBefore(text, i, 40, ContextWords))
            {
                return runEnd;
            }
            end = runEnd;
            area = Number(text, i, 3);
            group = Number(text, i + 3, 2);
            serial = Number(text, i + 5, 4);
        }
        else
        {
            return runEnd;
        }
        var after = TextChars.At(text, end);
        if (char.IsLetterOrDigit(after) || after is '_' || ((after is '-' or '.' or '/') && TextChars.IsDigit(TextChars.At(text, end + 1))) || (after == ' ' && TextChars.IsDigit(TextChars.At(text, end + 1))))
        {
            return end;
        }
        if (Checksums.SsnValid(area, group, serial))
        {
            context.Add(i, end, EntityTypes.UsSsn, Tiers.Checksum);
        }
        return end;
    }

    private static bool Digits(string text, int start, int count)
    {
        if (start + count > text.Length)
        {
            return false;
        }
        for (var k = start; k < start + count; k++)
        {
            if (!TextChars.IsDigit(text[k]))
            {
                return false;
            }
        }
        return true;
    }

    private static int Number(string text, int start, int count)
    {
        var value = 0;
        for (var k = start; k < start + count; k++)
        {
            value = (value * 10) + (text[k] - '0');
        }
        return value;
    }
}
