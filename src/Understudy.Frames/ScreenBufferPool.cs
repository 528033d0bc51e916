namespace Understudy.Frames;

/// <summary>
/// Screen-sized pixel buffers for frames waiting to be encoded and for the encoder's reference
/// screen. A private pool that keeps at most a few buffers of the current screen size: the shared
/// ArrayPool would round a 1080p screen up to 8 MiB and keep every returned buffer for the life of
/// the process, which cost the recorder 16–24 MB it never needed again.
/// </summary>
internal sealed class ScreenBufferPool(int maxKept)
{
    private readonly Lock _gate = new();
    private readonly Stack<byte[]> _free = new();
    private int _length;

    public byte[] Rent(int length)
    {
        lock (_gate)
        {
            if (length != _length)
            {
                // The screen changed size: buffers of the old size are of no use any more.
                _free.Clear();
                _length = length;
            }
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }
        }
        return GC.AllocateUninitializedArray<byte>(length);
    }

    public void Return(byte[] buffer)
    {
        lock (_gate)
        {
            if (buffer.Length == _length && _free.Count < maxKept)
            {
                _free.Push(buffer);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _free.Clear();
        }
    }
}
