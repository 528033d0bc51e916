using Microsoft.Diagnostics.Runtime;

namespace Understudy.Benchmarks.RecorderProcessBench;

/// <summary>
/// The recorder's managed heap, read with ClrMD while the process is suspended (ptrace; we are its
/// parent): committed bytes by segment kind, the biggest types, and for every byte[] of 1 MB or
/// more (screen buffers) whether it is reachable and what holds it — the frame ring, the encoder's
/// reference frame, a waiting job, or ArrayPool.Shared keeping it for the next Rent.
/// </summary>
internal static class HeapSnapshot
{
    private const long LargeArrayBytes = 1024 * 1024;

    public sealed record LargeArray(long Bytes, bool Reachable, string Holder);

    public sealed record Result(
        long CommittedBytes,
        SortedDictionary<string, long> CommittedByKind,
        long ObjectBytes,
        long ReachableBytes,
        List<(string Type, long Bytes, long Count)> TopTypes,
        List<LargeArray> LargeArrays,
        List<(ulong Start, ulong End)> CommittedRanges,
        string[] MemoryMapRollup,
        SortedDictionary<string, long> MemoryMapKb,
        long MemoryMapTotalKb);

    /// <summary>Suspends the process for the walk (a second or two); null with a reason when ClrMD cannot attach.</summary>
    public static Result? TryTake(int pid, out string? error)
    {
        try
        {
            using var target = DataTarget.AttachToProcess(pid, suspend: true);
            using var runtime = target.ClrVersions[0].CreateRuntime();
            var heap = runtime.Heap;
            var byKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var ranges = new List<(ulong, ulong)>();
            long committed = 0;
            foreach (var segment in heap.Segments)
            {
                var length = (long)segment.CommittedMemory.Length;
                committed += length;
                var kind = segment.Kind.ToString();
                byKind[kind] = byKind.GetValueOrDefault(kind) + length;
                ranges.Add((segment.CommittedMemory.Start, segment.CommittedMemory.End));
            }

            // Mark from the roots, remembering who first referenced each large array.
            var reachable = new HashSet<ulong>();
            var holder = new Dictionary<ulong, string>();
            var stack = new Stack<ClrObject>();
            foreach (var root in heap.EnumerateRoots())
            {
                if (root.Object.IsValid && reachable.Add(root.Object.Address))
                {
                    stack.Push(root.Object);
                    if (root.Object.Size >= LargeArrayBytes)
                    {
                        holder[root.Object.Address] = $"root ({root.RootKind})";
                    }
                }
            }
            long reachableBytes = 0;
            while (stack.Count > 0)
            {
                var parent = stack.Pop();
                reachableBytes += (long)parent.Size;
                foreach (var child in parent.EnumerateReferences(carefully: false, considerDependantHandles: true))
                {
                    if (!child.IsValid || !reachable.Add(child.Address))
                    {
                        continue;
                    }
                    if (child.Size >= LargeArrayBytes)
                    {
                        holder[child.Address] = Holder(parent.Type?.Name);
                    }
                    stack.Push(child);
                }
            }

            var types = new Dictionary<string, (long Bytes, long Count)>(StringComparer.Ordinal);
            var large = new List<LargeArray>();
            long objectBytes = 0;
            foreach (var obj in heap.EnumerateObjects())
            {
                if (!obj.IsValid || obj.IsFree)
                {
                    continue;
                }
                var size = (long)obj.Size;
                objectBytes += size;
                var name = obj.Type?.Name ?? "?";
                var (bytes, count) = types.GetValueOrDefault(name);
                types[name] = (bytes + size, count + 1);
                if (size >= LargeArrayBytes)
                {
                    var isReachable = reachable.Contains(obj.Address);
                    large.Add(new LargeArray(size, isReachable, isReachable ? holder.GetValueOrDefault(obj.Address, "?") : "unreachable (garbage not yet collected)"));
                }
            }
            var top = types.OrderByDescending(t => t.Value.Bytes).Take(8).Select(t => (t.Key, t.Value.Bytes, t.Value.Count)).ToList();

            // The memory map is read while the process is still suspended, so both views are of one instant.
            var (map, mapTotal) = MemoryMap.Read(pid, ranges);
            error = null;
            return new Result(committed, byKind, objectBytes, reachableBytes, top, large, ranges, MemoryMap.Rollup(pid), map, mapTotal);
        }
        catch (Exception ex) when (ex is ClrDiagnosticsException or InvalidOperationException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentOutOfRangeException)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>ArrayPool.Shared keeps returned arrays in per-core partitions (an Array[]) and a per-thread slot array.</summary>
    private static string Holder(string? type) => type switch
    {
        "System.Array[]" => "ArrayPool.Shared partition (returned, kept for the next Rent)",
        "System.Buffers.SharedArrayPoolThreadLocalArray[]" => "ArrayPool.Shared per-thread slot (returned, kept for the next Rent)",
        null => "?",
        _ => type,
    };
}
