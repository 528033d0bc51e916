using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Understudy.Core.Capture;

/// <summary>
/// Bounded single-producer single-consumer ring of unmanaged records. The producer is an
/// OS input callback, so <see cref="TryWrite"/> never allocates, never blocks and never
/// waits for the consumer: when the ring is full the record is dropped and counted.
/// </summary>
public sealed class SpscRing<T>
    where T : unmanaged
{
    private readonly T[] _slots;
    private readonly int _mask;

    // Written only by the producer, read by the consumer.
    private PaddedLong _head;

    // Written only by the consumer, read by the producer.
    private PaddedLong _tail;

    // Written only by the producer.
    private long _dropped;

    public SpscRing(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be a power of two ≥ 2");
        }
        _slots = GC.AllocateArray<T>(capacity, pinned: true);
        _mask = capacity - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Records lost because the ring was full, since creation.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public int Count => (int)(Volatile.Read(ref _head.Value) - Volatile.Read(ref _tail.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite(in T item)
    {
        var head = _head.Value;
        if (head - Volatile.Read(ref _tail.Value) >= _slots.Length)
        {
            _dropped++;
            return false;
        }
        _slots[head & _mask] = item;
        Volatile.Write(ref _head.Value, head + 1);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out T item)
    {
        var tail = _tail.Value;
        if (tail == Volatile.Read(ref _head.Value))
        {
            item = default;
            return false;
        }
        item = _slots[tail & _mask];
        Volatile.Write(ref _tail.Value, tail + 1);
        return true;
    }
}

/// <summary>A long alone on its cache line, so that producer and consumer indexes don't false-share.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
