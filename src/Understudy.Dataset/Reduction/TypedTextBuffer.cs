using System.Text;
using System.Text.RegularExpressions;

namespace Understudy.Dataset.Reduction;

/// <summary>
/// The text of one type action as it is edited: a cursor, a selection made with shift and the
/// arrow keys, BackSpace and Delete, typing over a selection. Placeholders that stand for redacted
/// text (<c>&lt;EMAIL_ADDRESS&gt;</c>) are atomic: an edit that touches one removes it whole, so a
/// redacted value can never be partly reconstructed.
/// </summary>
internal sealed partial class TypedTextBuffer
{
    private readonly StringBuilder _text = new();
    private readonly List<(int Start, int Length)> _atomic = [];
    private int _cursor;
    private int _anchor = -1;

    public int Length => _text.Length;

    public bool HasSelection => _anchor >= 0 && _anchor != _cursor;

    public bool CanBackSpace => HasSelection || _cursor > 0;

    public bool CanDelete => HasSelection || _cursor < _text.Length;

    public override string ToString() => _text.ToString();

    public void Clear()
    {
        _text.Clear();
        _atomic.Clear();
        _cursor = 0;
        _anchor = -1;
    }

    /// <summary>Typed characters, replacing the selection if there is one.</summary>
    public void Insert(string text)
    {
        DeleteSelection();
        _text.Insert(_cursor, text);
        ShiftAtomic(_cursor, text.Length);
        _cursor += text.Length;
    }

    /// <summary>The redacted text of a rewritten piece: its placeholders become atomic.</summary>
    public void InsertRedacted(string text)
    {
        var at = _cursor;
        Insert(text);
        foreach (Match placeholder in PlaceholderPattern().Matches(text))
        {
            _atomic.Add((at + placeholder.Index, placeholder.Length));
        }
    }

    public void BackSpace()
    {
        if (DeleteSelection() || _cursor == 0)
        {
            return;
        }
        Remove(_cursor - 1, 1);
    }

    public void Delete()
    {
        if (DeleteSelection() || _cursor >= _text.Length)
        {
            return;
        }
        Remove(_cursor, 1);
    }

    /// <summary>Moves the cursor (extending the selection when <paramref name="select"/>); false if it would leave the text.</summary>
    public bool TryMove(int delta, bool select)
    {
        var target = _cursor + delta;
        if (target < 0 || target > _text.Length)
        {
            return false;
        }
        foreach (var (atomStart, atomLength) in _atomic)
        {
            // The cursor never rests inside a placeholder: it steps over it whole.
            if (target > atomStart && target < atomStart + atomLength)
            {
                target = delta < 0 ? atomStart : atomStart + atomLength;
            }
        }
        if (select && _anchor < 0)
        {
            _anchor = _cursor;
        }
        else if (!select)
        {
            _anchor = -1;
        }
        _cursor = target;
        return true;
    }

    public bool TryMoveTo(int target, bool select) => TryMove(target - _cursor, select);

    public int Cursor => _cursor;

    private bool DeleteSelection()
    {
        if (!HasSelection)
        {
            _anchor = -1;
            return false;
        }
        var start = Math.Min(_anchor, _cursor);
        var end = Math.Max(_anchor, _cursor);
        _anchor = -1;
        Remove(start, end - start);
        return true;
    }

    private void Remove(int start, int length)
    {
        // Widen the range to whole placeholders it touches.
        var end = start + length;
        foreach (var (atomStart, atomLength) in _atomic)
        {
            if (atomStart < end && atomStart + atomLength > start)
            {
                start = Math.Min(start, atomStart);
                end = Math.Max(end, atomStart + atomLength);
            }
        }
        length = end - start;
        _text.Remove(start, length);
        _atomic.RemoveAll(a => a.Start >= start && a.Start < end);
        for (var i = 0; i < _atomic.Count; i++)
        {
            if (_atomic[i].Start >= end)
            {
                _atomic[i] = (_atomic[i].Start - length, _atomic[i].Length);
            }
        }
        _cursor = start;
    }

    private void ShiftAtomic(int at, int by)
    {
        for (var i = 0; i < _atomic.Count; i++)
        {
            if (_atomic[i].Start >= at)
            {
                _atomic[i] = (_atomic[i].Start + by, _atomic[i].Length);
            }
        }
    }

    [GeneratedRegex("<[A-Z][A-Z0-9_]*>", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
