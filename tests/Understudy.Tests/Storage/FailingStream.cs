namespace Understudy.Tests.Storage;

/// <summary>
/// Passes writes through until its byte budget runs out, then writes the part that fits — as
/// a real write(2) does before ENOSPC — and throws the IOException the runtime throws for ENOSPC.
/// </summary>
internal sealed class FailingStream(Stream inner) : Stream
{
    private const int NoSpaceLeftOnDevice = 28;

    public long Budget { get; set; } = long.MaxValue;

    public int Failures { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > Budget)
        {
            var fits = (int)Budget;
            inner.Write(buffer[..fits]);
            Budget = 0;
            Failures++;
            throw new IOException("No space left on device", NoSpaceLeftOnDevice);
        }
        inner.Write(buffer);
        Budget -= buffer.Length;
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
}
