using System.IO.Hashing;
using Understudy.Core.Model;

namespace Understudy.Frames;

/// <summary>
/// Recent distinct screens, oldest first, in buffers allocated once per screen size. A grab goes
/// into a spare buffer; only when it differs from the newest screen does it join the history, so
/// an unchanging screen keeps the whole history.
/// <para>
/// The history has two tiers: the newest two slots hold every distinct screen; older screens are
/// kept only about every <see cref="HistoryStepNs"/>: with n slots the history reaches at least
/// (n − 3) steps back, and up to (n − 2) steps (4 slots, a 1080p screen: 0.7–1.4 s). So the history reaches back
/// seconds even while typing changes the screen at every grab. That matters because an action can
/// reach the frame source late: the X server may hold recorded input back for over a second when
/// no client is sent output, and a before-frame must then still exist from before the action (an
/// older one is stale, and says so in its grab time; a newer one would be wrong).
/// </para>
/// Used by the grab thread only.
/// </summary>
internal sealed class FrameRing : IDisposable
{
    /// <summary>A screen older than this is dropped first: no action arrives that late.</summary>
    private static readonly long MaxHistoryNs = (long)TimeSpan.FromSeconds(5).TotalNanoseconds;

    /// <summary>Spacing of the sparse, older tier of the history.</summary>
    private static readonly long HistoryStepNs = (long)TimeSpan.FromMilliseconds(700).TotalNanoseconds;

    private readonly int _capacity;
    private readonly List<RingSlot> _history;
    private readonly Stack<RingSlot> _free = new();
    private byte[] _spare = [];

    public FrameRing(int capacity, ScreenSize size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _history = new List<RingSlot>(capacity);
        Resize(size);
    }

    public ScreenSize Size { get; private set; }

    public int ByteLength { get; private set; }

    public int Count => _history.Count;

    /// <summary>Where the next grab goes.</summary>
    public Span<byte> Spare => _spare.AsSpan(0, ByteLength);

    public RingSlot? Newest => _history.Count == 0 ? null : _history[^1];

    /// <summary>Drops the history and allocates buffers for the new size.</summary>
    public void Resize(ScreenSize size)
    {
        Size = size;
        ByteLength = checked(size.Width * size.Height * 4);
        _history.Clear();
        _free.Clear();
        _spare = GC.AllocateUninitializedArray<byte>(ByteLength);
        for (var i = 0; i < _capacity; i++)
        {
            _free.Push(new RingSlot { Pixels = GC.AllocateUninitializedArray<byte>(ByteLength) });
        }
    }

    /// <summary>
    /// Takes the grab in <see cref="Spare"/> into the history. Returns false when it equals the
    /// newest screen (which is then only marked as still current at <paramref name="monoNs"/>).
    /// </summary>
    /// <param name="hidden">What must be filled before this screen leaves the ring (scope and sensitive fields, as laid out at this grab).</param>
    public bool Commit(long monoNs, Rect[]? hidden = null)
    {
        var hash = XxHash3.HashToUInt64(Spare);
        if (Newest is { } newest && newest.Hash == hash)
        {
            newest.LastCurrentMonoNs = monoNs;
            // The same pixels under another layout: hide what either layout hides.
            if (hidden is { Length: > 0 } && !ReferenceEquals(hidden, newest.Hidden))
            {
                newest.Hidden = newest.Hidden is { } earlier ? [.. earlier, .. hidden] : hidden;
            }
            return false;
        }
        RingSlot slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            var victim = VictimIndex(monoNs);
            slot = _history[victim];
            _history.RemoveAt(victim);
        }
        (slot.Pixels, _spare) = (_spare, slot.Pixels);
        slot.Hash = hash;
        slot.Hidden = hidden;
        slot.GrabbedMonoNs = monoNs;
        slot.LastCurrentMonoNs = monoNs;
        _history.Add(slot);
        return true;
    }

    /// <summary>The newest screen grabbed at or before <paramref name="monoNs"/>: what the user saw then.</summary>
    public RingSlot? NewestAtOrBefore(long monoNs)
    {
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            if (_history[i].GrabbedMonoNs <= monoNs)
            {
                return _history[i];
            }
        }
        return null;
    }

    public void Dispose()
    {
        _history.Clear();
        _free.Clear();
        _spare = [];
    }

    /// <summary>
    /// Which screen to drop for a new one: the oldest, once it is older than anything we wait
    /// for; else, of the dense recent tier's oldest screen and the sparse tier behind it, the
    /// recent one unless it is at least a step newer than the sparse tier's newest (then it moves
    /// into the sparse tier, and the sparse tier's oldest goes).
    /// </summary>
    private int VictimIndex(long nowNs)
    {
        const int recent = 2;
        var sparse = _history.Count - recent;
        if (sparse <= 0 || _history[0].GrabbedMonoNs < nowNs - MaxHistoryNs)
        {
            return 0;
        }
        var leavingRecent = _history[sparse];
        var newestSparse = _history[sparse - 1];
        return leavingRecent.GrabbedMonoNs - newestSparse.GrabbedMonoNs >= HistoryStepNs ? 0 : sparse;
    }
}

/// <summary>One screen of the history: its pixels, their hash and when they were grabbed.</summary>
internal sealed class RingSlot
{
    public byte[] Pixels { get; set; } = [];

    public ulong Hash { get; set; }

    /// <summary>Rectangles to fill whenever this screen is copied out of the ring; null when nothing is hidden.</summary>
    public Rect[]? Hidden { get; set; }

    /// <summary>When the grab that first showed this screen completed.</summary>
    public long GrabbedMonoNs { get; set; }

    /// <summary>The last grab that still showed this screen.</summary>
    public long LastCurrentMonoNs { get; set; }
}
