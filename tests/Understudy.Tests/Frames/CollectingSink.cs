using System.Collections.Concurrent;
using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Tests.Frames;

/// <summary>Collects what a source posts, and lets a test wait for it.</summary>
internal sealed class CollectingSink : ICaptureSink
{
    private readonly ConcurrentQueue<CapturedEvent> _events = new();
    private readonly ConcurrentQueue<CaptureFault> _faults = new();

    public IReadOnlyList<CapturedEvent> Events => [.. _events];

    public IReadOnlyList<CaptureFault> Faults => [.. _faults];

    public IReadOnlyList<FramePayload> Frames => [.. _events.Select(e => e.Payload).OfType<FramePayload>()];

    public IReadOnlyList<GapPayload> Gaps => [.. _events.Select(e => e.Payload).OfType<GapPayload>()];

    public void Post(in CapturedEvent captured) => _events.Enqueue(captured);

    public void Fault(CaptureFault fault) => _faults.Enqueue(fault);
}
