using System.Text;
using Understudy.Core.Model;
using Understudy.Ocr;

namespace Understudy.Frames.Redaction;

/// <summary>One word of a rebuilt line: chars <see cref="Start"/>..<see cref="End"/> (exclusive) of the line's text, and where it is on the screen.</summary>
internal readonly record struct LineWord(int Start, int End, Rect Box);

/// <summary>A row of text rebuilt from OCR words: their texts joined by single spaces, with each word's place in that string.</summary>
internal sealed record OcrLine(string Text, IReadOnlyList<LineWord> Words)
{
    /// <summary>The boxes of the words that chars <paramref name="start"/>..<paramref name="end"/> touch.</summary>
    public IEnumerable<Rect> BoxesOf(int start, int end) =>
        Words.Where(w => w.Start < end && start < w.End).Select(w => w.Box);
}

/// <summary>
/// Rebuilds lines from OCR words. Tesseract's own lines are merged when they share a row (their
/// vertical extents overlap by half the smaller height): in sparse-text mode a form's label and
/// the value beside it come back as separate lines, and a recognizer needs "Password: hunter2"
/// together to see the value as a secret.
/// </summary>
internal static class OcrLines
{
    public static List<OcrLine> Build(IReadOnlyList<OcrWord> words)
    {
        var groups = new List<(int Top, int Bottom, List<OcrWord> Words)>();
        foreach (var line in words.GroupBy(w => w.Line))
        {
            var list = line.ToList();
            groups.Add((list.Min(w => w.Bounds.Y), list.Max(w => w.Bounds.Y + w.Bounds.Height), list));
        }
        groups.Sort((a, b) => a.Top.CompareTo(b.Top));

        var rows = new List<(int Top, int Bottom, List<OcrWord> Words)>();
        foreach (var group in groups)
        {
            var merged = false;
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var overlap = Math.Min(row.Bottom, group.Bottom) - Math.Max(row.Top, group.Top);
                var smaller = Math.Min(row.Bottom - row.Top, group.Bottom - group.Top);
                if (smaller > 0 && overlap * 2 >= smaller)
                {
                    row.Words.AddRange(group.Words);
                    rows[i] = (Math.Min(row.Top, group.Top), Math.Max(row.Bottom, group.Bottom), row.Words);
                    merged = true;
                    break;
                }
            }
            if (!merged)
            {
                rows.Add((group.Top, group.Bottom, new List<OcrWord>(group.Words)));
            }
        }

        var lines = new List<OcrLine>(rows.Count);
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Clear();
            var placed = new List<LineWord>(row.Words.Count);
            foreach (var word in row.Words.OrderBy(w => w.Bounds.X))
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }
                var start = text.Length;
                text.Append(word.Text);
                placed.Add(new LineWord(start, text.Length, word.Bounds));
            }
            lines.Add(new OcrLine(text.ToString(), placed));
        }
        return lines;
    }
}
