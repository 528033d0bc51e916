using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>Constants shared by <see cref="EventBatchEncoder"/> and <see cref="EventBatchDecoder"/>.</summary>
internal static class EventCodecFormat
{
    internal const byte KindMask = 0x1F;
    internal const byte HasWallOffset = 0x20;
    internal const byte HasModifiers = 0x40;
    internal const byte ReservedTagBit = 0x80;

    internal const byte FocusHasPid = 0x01;
    internal const byte FocusHasBounds = 0x02;
    internal const byte FocusKnownFlags = FocusHasPid | FocusHasBounds;

    /// <summary>Wall ticks are 100 ns, mono is 1 ns: the wall clock is predicted from the mono delta.</summary>
    internal const long MonoNanosecondsPerWallTick = 100;

    /// <summary>No single string may be longer than a whole frame may be; this also keeps byte counts far from int overflow.</summary>
    internal const int MaxStringChars = 16 * 1024 * 1024;

    /// <summary>The smallest event (tag, mono, wall, and a one-byte payload) takes this many bytes.</summary>
    internal const int MinimumEncodedEventSize = 4;

    /// <summary>The delta state each batch starts from and every event advances.</summary>
    internal struct State
    {
        internal long PreviousMonoNs;
        internal long PreviousWallTicks;
        internal int PreviousX;
        internal int PreviousY;
    }

    internal static bool CarriesModifiers(EventKind kind) =>
        kind is EventKind.KeyDown or EventKind.KeyUp or EventKind.ButtonDown or EventKind.ButtonUp or EventKind.Scroll;
}
