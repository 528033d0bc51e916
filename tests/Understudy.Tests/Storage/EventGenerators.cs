using FsCheck;
using FsCheck.Fluent;
using Understudy.Core.Model;

namespace Understudy.Tests.Storage;

/// <summary>FsCheck generators for events of every kind, built from random primitives with a bias towards edge values.</summary>
internal static class EventGenerators
{
    private static readonly Gen<int> AnyInt = Gen.OneOf(
        ArbMap.Default.GeneratorFor<int>(),
        Gen.Elements(0, 1, -1, int.MinValue, int.MaxValue, 1920, -1920));

    private static readonly Gen<long> AnyLong = Gen.OneOf(
        ArbMap.Default.GeneratorFor<long>(),
        Gen.Elements(0L, 1L, -1L, long.MinValue, long.MaxValue, 86_400_000_000_000L),
        AnyInt.Select(value => (long)value * 1_000_003L));

    private static readonly Gen<string> AnyText = Gen.OneOf(
        ArbMap.Default.GeneratorFor<string>().Where(text => text is not null),
        Gen.Elements("", "a", "Return", "é", "🍰", "👩‍💻", "\ud800", "x\udc00y", "\0", SampleEvents.Secret, new string('w', 300)));

    private static readonly Gen<string?> OptionalText = Gen.OneOf(AnyText.Select(text => (string?)text), Gen.Constant((string?)null));

    private static readonly Gen<Modifiers> AnyModifiers = Gen.OneOf(
        Gen.Constant(Modifiers.None),
        Gen.Choose(0, ushort.MaxValue).Select(value => (Modifiers)value));

    private static readonly Gen<EventPayload> AnyPayload = Gen.OneOf(
        from isDown in ArbMap.Default.GeneratorFor<bool>()
        from key in AnyText
        from text in OptionalText
        from modifiers in AnyModifiers
        from keyCode in AnyInt
        select (EventPayload)new KeyPayload(isDown, key, text, modifiers, keyCode),
        from x in AnyInt
        from y in AnyInt
        select (EventPayload)new PointerMovePayload(x, y),
        from isDown in ArbMap.Default.GeneratorFor<bool>()
        from button in Gen.Choose(0, 255)
        from x in AnyInt
        from y in AnyInt
        from modifiers in AnyModifiers
        select (EventPayload)new ButtonPayload(isDown, (MouseButton)button, x, y, modifiers),
        from dx in AnyInt
        from dy in AnyInt
        from x in AnyInt
        from y in AnyInt
        from modifiers in AnyModifiers
        select (EventPayload)new ScrollPayload(dx, dy, x, y, modifiers),
        from app in AnyText
        from instance in OptionalText
        from title in OptionalText
        from hasPid in ArbMap.Default.GeneratorFor<bool>()
        from pid in AnyInt
        from hasBounds in ArbMap.Default.GeneratorFor<bool>()
        from bounds in Gen.Four(AnyInt)
        from windowId in AnyLong
        select (EventPayload)new FocusPayload(
            app, instance, title, hasPid ? pid : null,
            hasBounds ? new Rect(bounds.Item1, bounds.Item2, bounds.Item3, bounds.Item4) : null, windowId),
        from reason in AnyText
        from duration in AnyLong
        from dropped in AnyLong
        select (EventPayload)new GapPayload(reason, duration, dropped),
        from marker in AnyText
        from label in OptionalText
        select (EventPayload)new MarkerPayload(marker, label),
        from forSeq in AnyLong
        from strings in Gen.Four(AnyText)
        from optional in Gen.Three(OptionalText)
        from states in Gen.ListOf(AnyText)
        from bounds in OptionalRect
        from pid in OptionalInt
        from path in Gen.ListOf(Gen.Zip(AnyText, OptionalText))
        select (EventPayload)new ElementPayload(forSeq, strings.Item1, strings.Item2, optional.Item1, optional.Item2, states.ToArray(), bounds, optional.Item3, pid,
            path.Select(step => new ElementAncestor(step.Item1, step.Item2)).ToArray()),
        from action in AnyText
        from optional in Gen.Four(OptionalText)
        from path in Gen.ListOf(AnyText)
        from isChecked in Gen.Elements((bool?)null, false, true)
        select (EventPayload)new UiPayload(action, optional.Item1, optional.Item2, optional.Item3, path.ToArray(), isChecked, optional.Item4),
        from blob in AnyText
        from grabbed in AnyLong
        from region in Gen.Four(AnyInt)
        from scale in ArbMap.Default.GeneratorFor<double>()
        from size in Gen.Two(AnyInt)
        from format in AnyText
        from forSeq in Gen.OneOf(AnyLong.Select(value => (long?)value), Gen.Constant((long?)null))
        from role in AnyText
        from baseBlob in OptionalText
        select (EventPayload)new FramePayload(blob, grabbed, new Rect(region.Item1, region.Item2, region.Item3, region.Item4), scale, size.Item1, size.Item2, format, forSeq, role, baseBlob),
        from target in AnyText
        from type in AnyText
        from count in AnyInt
        from seqs in Gen.Two(Gen.OneOf(AnyLong.Select(value => (long?)value), Gen.Constant((long?)null)))
        select (EventPayload)new RedactionPayload(target, type, count, seqs.Item1, seqs.Item2));

    private static Gen<Rect?> OptionalRect => Gen.OneOf(
        Gen.Four(AnyInt).Select(r => (Rect?)new Rect(r.Item1, r.Item2, r.Item3, r.Item4)),
        Gen.Constant((Rect?)null));

    private static Gen<int?> OptionalInt => Gen.OneOf(AnyInt.Select(value => (int?)value), Gen.Constant((int?)null));

    private static readonly Gen<DateTimeOffset> AnyWall = Gen.OneOf(
        // Anywhere in the representable range, in UTC.
        AnyLong.Select(value => new DateTimeOffset((long)((ulong)value % (ulong)(DateTime.MaxValue.Ticks + 1)), TimeSpan.Zero)),
        // With a non-UTC offset, away from the ends of the range so the local time exists.
        from ticks in AnyLong
        from minutes in Gen.Choose(-14 * 60, 14 * 60)
        select new DateTimeOffset((long)((ulong)ticks % (ulong)(DateTime.MaxValue.Ticks - 2 * TimeSpan.TicksPerDay)) + TimeSpan.TicksPerDay, TimeSpan.Zero)
            .ToOffset(TimeSpan.FromMinutes(minutes)),
        Gen.Elements(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, SampleEvents.Start));

    /// <summary>Clocks that behave (increasing mono, wall tracking it) or that do not (anything at all).</summary>
    private static readonly Gen<(long Mono, DateTimeOffset Wall)[]> Clocks = Gen.OneOf(
        from deltas in Gen.ListOf(Gen.Choose(0, 200_000_000))
        select deltas.Select((delta, i) => (Mono: 86_400_000_000_000L + (long)delta * (i + 1), Wall: SampleEvents.Start.AddTicks((long)delta * (i + 1) / 100 + delta % 300))).ToArray(),
        from clocks in Gen.ListOf(Gen.Zip(AnyLong, AnyWall))
        select clocks.Select(clock => (Mono: clock.Item1, Wall: clock.Item2)).ToArray());

    /// <summary>A batch of consecutive events starting at a random seq.</summary>
    public static readonly Gen<SessionEvent[]> Batch =
        from firstSeq in Gen.Choose(0, int.MaxValue).Select(value => (long)value * 3)
        from clocks in Clocks
        from payloads in Gen.ArrayOf(AnyPayload, clocks.Length)
        select clocks.Select((clock, i) => new SessionEvent(firstSeq + i, clock.Mono, clock.Wall, payloads[i])).ToArray();
}
