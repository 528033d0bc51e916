using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// Reads events.log frame by frame (layout in <see cref="LogFormat"/>) up to the first frame
/// that is incomplete, does not authenticate, or does not continue the sequence; that frame's
/// offset and the reason become <see cref="Damage"/> and everything before it is returned.
/// Reads a snapshot: frames appended after opening are not seen.
/// </summary>
internal sealed class LogReader : IDisposable
{
    private readonly string _path;
    private readonly string _sessionId;
    private readonly SafeFileHandle? _file;
    private readonly AesGcm? _aead;
    private readonly SensitiveBuffer _plaintext = new();
    private byte[] _ciphertext = ArrayPool<byte>.Shared.Rent(4096);

    private LogReader(string path, string sessionId, SafeFileHandle? file, AesGcm? aead, long fileLength)
    {
        _path = path;
        _sessionId = sessionId;
        _file = file;
        _aead = aead;
        FileLength = fileLength;
        Offset = 0;
    }

    internal long FileLength { get; }

    /// <summary>End of the valid prefix so far: where the next frame starts.</summary>
    internal long Offset { get; private set; }

    internal int FrameCount { get; private set; }

    internal long NextSeq { get; private set; }

    internal SessionDamage? Damage { get; private set; }

    /// <summary>
    /// Opens the log. With an empty <paramref name="dataKey"/> frames are checked for structure
    /// only (lengths, indices, seqs) and their events are not decrypted.
    /// </summary>
    internal static LogReader Open(string path, string sessionId, ReadOnlySpan<byte> dataKey)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            var missing = new LogReader(path, sessionId, null, null, 0);
            missing.Damage = new SessionDamage(0, "events.log is missing", 0);
            return missing;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot open {path}: {ex.Message}", ex);
        }

        try
        {
            var reader = new LogReader(path, sessionId, file, dataKey.IsEmpty ? null : new AesGcm(dataKey, LogFormat.TagSize), RandomAccess.GetLength(file));
            reader.ReadFileHeader();
            return reader;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void ReadFileHeader()
    {
        Span<byte> header = stackalloc byte[LogFormat.FileHeaderSize];
        var read = ReadAt(0, header);
        if (read < LogFormat.FileHeaderSize)
        {
            Damage = new SessionDamage(0, $"event log header is truncated ({read} of {LogFormat.FileHeaderSize} bytes)", 0);
            return;
        }
        var problem = LogFormat.CheckFileHeader(header);
        if (problem is not null)
        {
            Damage = new SessionDamage(0, problem, 0);
            return;
        }
        Offset = LogFormat.FileHeaderSize;
    }

    /// <summary>
    /// Reads the next frame. False at the clean end of the log or at damage (see <see cref="Damage"/>).
    /// <paramref name="events"/> is null when reading without a key; <paramref name="eventCount"/> is always set.
    /// </summary>
    internal bool TryReadFrame(out IReadOnlyList<SessionEvent>? events, out int eventCount)
    {
        events = null;
        eventCount = 0;
        if (Damage is not null || _file is null)
        {
            return false;
        }
        var remaining = FileLength - Offset;
        if (remaining == 0)
        {
            return false;
        }
        if (remaining < LogFormat.FrameHeaderSize)
        {
            return Fail($"frame header is truncated ({remaining} of {LogFormat.FrameHeaderSize} bytes present)");
        }

        Span<byte> headerBytes = stackalloc byte[LogFormat.FrameHeaderSize];
        if (ReadAt(Offset, headerBytes) < LogFormat.FrameHeaderSize)
        {
            return Fail("frame header could not be read");
        }
        var header = LogFormat.ReadFrameHeader(headerBytes);
        if (header.PayloadLength > LogFormat.MaxPayloadLength)
        {
            return Fail($"frame length {header.PayloadLength} is implausible (corrupt header)");
        }
        var frameLength = LogFormat.FrameOverhead + (long)header.PayloadLength;
        if (remaining < frameLength)
        {
            return Fail($"frame is truncated ({remaining} of {frameLength} bytes present)");
        }
        if (header.FrameIndex != (uint)FrameCount)
        {
            return Fail($"frame index is {header.FrameIndex}, expected {FrameCount} (a frame is missing, moved or foreign)");
        }
        if (header.FirstSeq != NextSeq)
        {
            return Fail($"frame starts at seq {header.FirstSeq}, expected {NextSeq} (events are missing or out of order)");
        }
        if (header.EventCount == 0 || header.EventCount > LogFormat.MaxEventsPerFrame)
        {
            return Fail($"frame claims {header.EventCount} events (corrupt header)");
        }

        var sealedLength = (int)header.PayloadLength + LogFormat.TagSize;
        if (_ciphertext.Length < sealedLength)
        {
            ArrayPool<byte>.Shared.Return(_ciphertext);
            _ciphertext = ArrayPool<byte>.Shared.Rent(sealedLength);
        }
        var sealedBytes = _ciphertext.AsSpan(0, sealedLength);
        if (ReadAt(Offset + LogFormat.FrameHeaderSize, sealedBytes) < sealedLength)
        {
            return Fail("frame could not be read completely");
        }

        if (_aead is not null)
        {
            var plaintext = _plaintext.Resize((int)header.PayloadLength);
            try
            {
                Span<byte> aadBuffer = stackalloc byte[LogFormat.AadBufferSize];
                _aead.Decrypt(
                    headerBytes.Slice(LogFormat.NonceOffset, LogFormat.NonceSize),
                    sealedBytes[..(int)header.PayloadLength],
                    sealedBytes[(int)header.PayloadLength..],
                    plaintext,
                    LogFormat.BuildAad(aadBuffer, _sessionId, header));
                events = EventBatchDecoder.Decode(plaintext, header.FirstSeq, (int)header.EventCount);
            }
            catch (CryptographicException)
            {
                return Fail("frame failed authentication (corrupted, or not written by this session)");
            }
            catch (FormatException ex)
            {
                return Fail($"frame authenticated but could not be decoded: {ex.Message}");
            }
            finally
            {
                _plaintext.Clear();
            }
        }

        eventCount = (int)header.EventCount;
        Offset += frameLength;
        FrameCount++;
        NextSeq += header.EventCount;
        return true;
    }

    private bool Fail(string reason)
    {
        Damage = new SessionDamage(Offset, reason, FrameCount);
        return false;
    }

    private int ReadAt(long offset, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            int read;
            try
            {
                read = RandomAccess.Read(_file!, destination[total..], offset + total);
            }
            catch (IOException ex)
            {
                throw new StorageException($"cannot read {_path}: {ex.Message}", ex);
            }
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _aead?.Dispose();
        _plaintext.Dispose();
        if (_ciphertext.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_ciphertext);
            _ciphertext = [];
        }
    }
}
