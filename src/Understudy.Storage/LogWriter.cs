using System.Buffers;
using System.Security.Cryptography;

namespace Understudy.Storage;

/// <summary>
/// Appends encrypted frames to a new events.log (layout in <see cref="LogFormat"/>). Each frame
/// is assembled in one reused buffer and handed to the kernel in one write; if that write fails
/// the file is cut back to the end of the last good frame, so a failure never leaves a torn
/// frame between good ones and never touches frames already written.
/// </summary>
internal sealed class LogWriter : IDisposable
{
    private const int EnoSpc = 28;
    private const int EDQuot = 122;

    private readonly string _path;
    private readonly string _sessionId;
    private readonly FileStream _file;
    private readonly Stream _output;
    private readonly AesGcm _aead;
    private byte[] _frameBuffer;
    private bool _faulted;
    private bool _disposed;

    private LogWriter(string path, string sessionId, FileStream file, Stream output, ReadOnlySpan<byte> dataKey)
    {
        _path = path;
        _sessionId = sessionId;
        _file = file;
        _output = output;
        _aead = new AesGcm(dataKey, LogFormat.TagSize);
        _frameBuffer = ArrayPool<byte>.Shared.Rent(4096);
        Length = LogFormat.FileHeaderSize;
    }

    /// <summary>Bytes of the log that are known good: the header plus every frame written.</summary>
    internal long Length { get; private set; }

    internal int FrameCount { get; private set; }

    internal long NextSeq { get; private set; }

    /// <summary>
    /// Creates the log with its header, synced, so that even a session killed before its first
    /// frame has a well-formed empty log. <paramref name="wrapOutput"/> lets tests inject write
    /// failures; truncation and fsync always go to the real file.
    /// </summary>
    internal static LogWriter Create(string path, string sessionId, ReadOnlySpan<byte> dataKey, Func<Stream, Stream>? wrapOutput)
    {
        var file = FilePermissions.CreatePrivateFile(path, FileShare.Read);
        try
        {
            Span<byte> header = stackalloc byte[LogFormat.FileHeaderSize];
            LogFormat.WriteFileHeader(header);
            file.Write(header);
            file.Flush(flushToDisk: true);
            var output = wrapOutput?.Invoke(file) ?? file;
            return new LogWriter(path, sessionId, file, output, dataKey);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    internal void WriteFrame(ReadOnlySpan<byte> plaintext, long firstSeq, int eventCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new StorageException($"cannot write {_path}: an earlier failed write could not be undone, so nothing more is appended");
        }
        if (firstSeq != NextSeq || eventCount <= 0 || eventCount > LogFormat.MaxEventsPerFrame || plaintext.Length > LogFormat.MaxPayloadLength)
        {
            throw new InvalidOperationException("frame does not continue the log");
        }

        var frameLength = LogFormat.FrameOverhead + plaintext.Length;
        if (_frameBuffer.Length < frameLength)
        {
            ArrayPool<byte>.Shared.Return(_frameBuffer);
            _frameBuffer = ArrayPool<byte>.Shared.Rent(frameLength);
        }
        var frame = _frameBuffer.AsSpan(0, frameLength);
        var header = new LogFormat.FrameHeader((uint)plaintext.Length, firstSeq, (uint)eventCount, (uint)FrameCount);
        LogFormat.WriteFrameHeader(frame, header);
        var nonce = frame.Slice(LogFormat.NonceOffset, LogFormat.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> aadBuffer = stackalloc byte[LogFormat.AadBufferSize];
        _aead.Encrypt(
            nonce,
            plaintext,
            frame.Slice(LogFormat.FrameHeaderSize, plaintext.Length),
            frame.Slice(LogFormat.FrameHeaderSize + plaintext.Length, LogFormat.TagSize),
            LogFormat.BuildAad(aadBuffer, _sessionId, header));

        try
        {
            _output.Write(_frameBuffer, 0, frameLength);
        }
        catch (IOException ex)
        {
            UndoPartialWrite();
            throw new StorageException(
                IsDiskFull(ex) ? $"disk full while writing {_path}: {ex.Message}" : $"cannot write {_path}: {ex.Message}", ex);
        }
        Length += frameLength;
        FrameCount++;
        NextSeq += eventCount;
    }

    internal void Sync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _file.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            throw new StorageException($"cannot sync {_path}: {ex.Message}", ex);
        }
    }

    // A failed write(2) may still have put part of the frame on disk (we saw 64 KiB of a
    // larger write land before ENOSPC); cutting the file back keeps the log a clean sequence of
    // whole frames that later frames can follow.
    private void UndoPartialWrite()
    {
        try
        {
            _file.SetLength(Length);
            _file.Seek(Length, SeekOrigin.Begin);
        }
        catch (IOException)
        {
            _faulted = true;
        }
    }

    private static bool IsDiskFull(IOException ex) => ex.HResult is EnoSpc or EDQuot;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!ReferenceEquals(_output, _file))
        {
            _output.Dispose();
        }
        _file.Dispose();
        _aead.Dispose();
        ArrayPool<byte>.Shared.Return(_frameBuffer);
    }
}
