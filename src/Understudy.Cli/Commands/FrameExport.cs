using System.Security.Cryptography;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>sessions export --frames DIR</c>: the decrypted frame images a session references, one file
/// per blob named &lt;blob&gt;.&lt;ext&gt;, private to the owner like the exported events.
/// </summary>
internal sealed class FrameExport
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // Blob id → format of a frame that is that blob; a blob only ever seen as a base takes the
    // format of the patch that names it (patches are encoded like the frames they patch).
    private readonly SortedDictionary<string, string> _formats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _baseFormats = new(StringComparer.Ordinal);

    public int Referenced => _formats.Keys.Union(_baseFormats.Keys).Count();

    /// <summary>Fails with one line before anything is exported: a file where the directory should be, or one that cannot be created.</summary>
    public static void PrepareDirectory(string directory)
    {
        if (File.Exists(directory))
        {
            throw new UsageException($"--frames: '{directory}' is a file, not a directory");
        }
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, PrivateDirectory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--frames: cannot create directory '{directory}': {ex.Message}");
        }
    }

    public void Add(SessionEvent sessionEvent)
    {
        if (sessionEvent.Payload is not FramePayload frame)
        {
            return;
        }
        _formats.TryAdd(frame.Blob, frame.Format);
        if (frame.Base is { } baseBlob)
        {
            _baseFormats.TryAdd(baseBlob, frame.Format);
        }
    }

    /// <summary>
    /// Writes every referenced blob; one that is missing or does not authenticate is skipped with
    /// one warning naming it. Returns how many were written and skipped.
    /// </summary>
    public (int Written, int Skipped) WriteTo(SessionStore store, string sessionId, string directory)
    {
        var all = new SortedDictionary<string, string>(_formats, StringComparer.Ordinal);
        foreach (var (blob, format) in _baseFormats)
        {
            all.TryAdd(blob, format);
        }
        int written = 0, skipped = 0;
        foreach (var (blob, format) in all)
        {
            byte[] content;
            try
            {
                content = store.ReadBlob(sessionId, blob);
            }
            catch (StorageException ex)
            {
                ErrorReporter.Warn($"frame blob skipped: {ex.Message}");
                skipped++;
                continue;
            }
            try
            {
                WriteAtomically(Path.Combine(directory, $"{blob}.{ExtensionFor(format)}"), content);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(content);
            }
            written++;
        }
        return (written, skipped);
    }

    internal static string ExtensionFor(string format) => format switch
    {
        "jpeg" or "jpg" => "jpg",
        "png" => "png",
        "webp" => "webp",
        _ => "bin",
    };

    // A new private file renamed into place: an existing file of the same name (an earlier
    // export, possibly with a wider mode) is replaced whole, and a failure leaves no half image.
    private static void WriteAtomically(string path, byte[] content)
    {
        var temporaryPath = path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        try
        {
            using (var file = new FileStream(temporaryPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                BufferSize = 0,
                UnixCreateMode = PrivateFile,
            }))
            {
                file.Write(content);
            }
            File.Move(temporaryPath, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporaryPath);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The write error below is what the user needs to see.
            }
            throw new CommandFailedException($"--frames: cannot write '{path}': {ex.Message}");
        }
    }
}
