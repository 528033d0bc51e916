using System.IO.Hashing;
using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>
/// The last few distinct screens, newest first, in buffers rented once per screen size. A grab goes
/// into a spare buffer; only when it differs from the newest frame is the spare swapped into the
/// ring (in place of the oldest frame), so an unchanging screen keeps the whole history and a
/// before-frame can be found far back. Used by the grab thread only.
/// </summary>
internal sealed class FrameRing : IDisposable
{
    private readonly RingSlot[] _slots;
    private byte[] _spare = [];
    private int _count;
    private int _newest = -1;

    public FrameRing(int capacity, ScreenSize size)
    {
        _slots = new RingSlot[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _slots[i] = new RingSlot();
        }
        Resize(size);
    }

    public ScreenSize Size { get; private set; }

    public int ByteLength { get; private set; }

    public int Count => _count;

    /// <summary>Where the next grab goes.</summary>
    public Span<byte> Spare => _spare.AsSpan(0, ByteLength);

    public RingSlot? Newest => _count == 0 ? null : _slots[_newest];

    /// <summary>Drops the history and rents buffers for the new size (the old ones go back to the pool).</summary>
    public void Resize(ScreenSize size)
    {
        ReturnBuffers();
        Size = size;
        ByteLength = checked(size.Width * size.Height * 4);
        _spare = GC.AllocateUninitializedArray<byte>(ByteLength);
        foreach (var slot in _slots)
        {
            slot.Pixels = GC.AllocateUninitializedArray<byte>(ByteLength);
        }
        _count = 0;
        _newest = -1;
    }

    /// <summary>
    /// Takes the spare buffer's grab, made at <paramref name="monoNs"/>, into the ring. Returns false
    /// when it shows the same screen as the newest frame: that frame is then only known to be
    /// current for longer.
    /// </summary>
    public bool Commit(long monoNs)
    {
        var hash = XxHash3.HashToUInt64(Spare);
        if (_count > 0 && _slots[_newest].Hash == hash)
        {
            _slots[_newest].LastCurrentMonoNs = monoNs;
            return false;
        }
        _newest = (_newest + 1) % _slots.Length;
        var slot = _slots[_newest];
        (slot.Pixels, _spare) = (_spare, slot.Pixels);
        slot.Hash = hash;
        slot.GrabbedMonoNs = monoNs;
        slot.LastCurrentMonoNs = monoNs;
        _count = Math.Min(_count + 1, _slots.Length);
        return true;
    }

    /// <summary>The newest frame grabbed at or before <paramref name="monoNs"/>, or null if the ring no longer reaches back that far.</summary>
    public RingSlot? NewestAtOrBefore(long monoNs)
    {
        for (var i = 0; i < _count; i++)
        {
            var slot = _slots[(_newest - i + _slots.Length) % _slots.Length];
            if (slot.GrabbedMonoNs <= monoNs)
            {
                return slot;
            }
        }
        return null;
    }

    public void Dispose() => ReturnBuffers();

    private void ReturnBuffers()
    {
        _spare = [];
        foreach (var slot in _slots)
        {
            slot.Pixels = [];
        }
        _count = 0;
        _newest = -1;
    }
}

/// <summary>One distinct screen in the ring: when it first appeared and when it was last seen unchanged.</summary>
internal sealed class RingSlot
{
    public byte[] Pixels { get; set; } = [];

    public ulong Hash { get; set; }

    /// <summary>When the grab that first showed this screen completed (the screen cannot show anything later than this).</summary>
    public long GrabbedMonoNs { get; set; }

    /// <summary>When a grab last confirmed that the screen still looked like this.</summary>
    public long LastCurrentMonoNs { get; set; }
}
