using System.Security.Cryptography;
using Understudy.Core.Model;
using Understudy.Storage;
using Understudy.Upload;

namespace Understudy.Collector.Ingest;

/// <summary>
/// Opens a session bundle with its data key: the event log's frames must authenticate and chain
/// (the recorder's own <see cref="LogReader"/>), hold exactly the declared number of events, and
/// every blob a frame event names must be present and authenticate. Only then is a session
/// complete. The log is copied to a private temporary file as ciphertext for the reader; nothing
/// decrypted is written anywhere.
/// </summary>
internal static class SessionVerifier
{
    public static string? Verify(string bundlePath, string sessionId, ReadOnlySpan<byte> dataKey, long declaredEvents, string temporaryDirectory)
    {
        var key = dataKey.ToArray();
        try
        {
            return VerifyCore(bundlePath, sessionId, key, declaredEvents, temporaryDirectory);
        }
        catch (BundleFormatException ex)
        {
            return ex.Message;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static string? VerifyCore(string bundlePath, string sessionId, byte[] dataKey, long declaredEvents, string temporaryDirectory)
    {
        using var bundle = new FileStream(bundlePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in SessionBundle.Read(bundle, bundle.Length))
        {
            if (entry.Kind == BundleEntryKind.EventLog)
            {
                var problem = VerifyLog(entry.Content, sessionId, dataKey, declaredEvents, temporaryDirectory, referenced);
                if (problem is not null)
                {
                    return problem;
                }
                continue;
            }
            if (entry.Length > BlobFormat.MaxContentLength + BlobFormat.Overhead)
            {
                return $"blob {entry.Name} is {entry.Length} bytes, too large to be a blob";
            }
            var file = new byte[entry.Length];
            entry.Content.ReadExactly(file);
            var content = BlobFormat.TryOpen(dataKey, sessionId, entry.Name, file, out var blobProblem);
            if (content is null)
            {
                return $"blob {entry.Name} {blobProblem}";
            }
            CryptographicOperations.ZeroMemory(content);
            present.Add(entry.Name);
        }
        var missing = referenced.Where(id => !present.Contains(id)).Order(StringComparer.Ordinal).FirstOrDefault();
        return missing is null ? null : $"blob {missing} is referenced by a frame event but not in the bundle";
    }

    private static string? VerifyLog(Stream log, string sessionId, byte[] dataKey, long declaredEvents, string temporaryDirectory, HashSet<string> referenced)
    {
        return WithLogFile(log, temporaryDirectory, path =>
        {
            using var reader = LogReader.Open(path, sessionId, dataKey);
            while (reader.TryReadFrame(out var batch, out _))
            {
                foreach (var frame in (batch ?? []).Select(e => e.Payload).OfType<FramePayload>())
                {
                    referenced.Add(frame.Blob);
                    if (frame.Base is { } baseBlob)
                    {
                        referenced.Add(baseBlob);
                    }
                }
            }
            if (reader.Damage is { } damage)
            {
                return $"event log is damaged at byte {damage.Offset}: {damage.Reason}";
            }
            return reader.NextSeq == declaredEvents ? null : $"event log holds {reader.NextSeq} events but the upload declared {declaredEvents}";
        });
    }

    /// <summary>Reads the decrypted events of a bundle's log, for the audited content paths (dataset reads, subject access).</summary>
    public static IReadOnlyList<SessionEvent> ReadEvents(Stream bundle, long bundleLength, string sessionId, ReadOnlySpan<byte> dataKey, string temporaryDirectory)
    {
        var key = dataKey.ToArray();
        try
        {
            var events = new List<SessionEvent>();
            foreach (var entry in SessionBundle.Read(bundle, bundleLength))
            {
                if (entry.Kind != BundleEntryKind.EventLog)
                {
                    break;
                }
                var problem = WithLogFile(entry.Content, temporaryDirectory, path =>
                {
                    using var reader = LogReader.Open(path, sessionId, key);
                    while (reader.TryReadFrame(out var batch, out _))
                    {
                        events.AddRange(batch ?? []);
                    }
                    return reader.Damage?.Reason;
                });
                if (problem is not null)
                {
                    throw new InvalidDataException($"session {sessionId}: {problem}");
                }
                break;
            }
            return events;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static string? WithLogFile(Stream log, string temporaryDirectory, Func<string, string?> use)
    {
        FilePermissions.CreatePrivateDirectory(temporaryDirectory);
        var path = Path.Combine(temporaryDirectory, "log-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var file = FilePermissions.CreatePrivateFile(path))
            {
                log.CopyTo(file);
            }
            return use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
