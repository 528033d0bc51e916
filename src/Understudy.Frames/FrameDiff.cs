using System.Runtime.InteropServices;
using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>Where two screens of the same size differ.</summary>
internal static class FrameDiff
{
    // Pixels compared at once when looking for the right edge of a change from the end of a row.
    private const int ChunkPixels = 32;

    /// <summary>The smallest rectangle holding every pixel that differs, or null when the screens are equal.</summary>
    public static Rect? ChangedBounds(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> current, ScreenSize size)
    {
        var width = size.Width;
        var stride = width * 4;
        var top = -1;
        for (var y = 0; y < size.Height; y++)
        {
            if (!previous.Slice(y * stride, stride).SequenceEqual(current.Slice(y * stride, stride)))
            {
                top = y;
                break;
            }
        }
        if (top < 0)
        {
            return null;
        }
        var bottom = top;
        for (var y = size.Height - 1; y > top; y--)
        {
            if (!previous.Slice(y * stride, stride).SequenceEqual(current.Slice(y * stride, stride)))
            {
                bottom = y;
                break;
            }
        }
        var left = width;
        var right = -1;
        for (var y = top; y <= bottom; y++)
        {
            var before = MemoryMarshal.Cast<byte, uint>(previous.Slice(y * stride, stride));
            var after = MemoryMarshal.Cast<byte, uint>(current.Slice(y * stride, stride));
            var first = before.CommonPrefixLength(after);
            if (first == width)
            {
                continue;
            }
            left = Math.Min(left, first);
            right = Math.Max(right, LastDifference(before, after, Math.Max(first, right + 1)));
        }
        return new Rect(left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>The last index ≥ <paramref name="floor"/> where the rows differ, or floor − 1 if none does.</summary>
    private static int LastDifference(ReadOnlySpan<uint> before, ReadOnlySpan<uint> after, int floor)
    {
        var end = before.Length;
        while (end > floor)
        {
            var start = Math.Max(floor, end - ChunkPixels);
            if (!before[start..end].SequenceEqual(after[start..end]))
            {
                for (var x = end - 1; x >= start; x--)
                {
                    if (before[x] != after[x])
                    {
                        return x;
                    }
                }
            }
            end = start;
        }
        return floor - 1;
    }
}
