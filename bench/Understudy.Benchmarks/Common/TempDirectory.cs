namespace Understudy.Benchmarks.Common;

/// <summary>A private scratch directory (data directory + device key), deleted on dispose unless kept.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string DataDirectory => System.IO.Path.Combine(Path, "data");

    public string DeviceKeyFile => System.IO.Path.Combine(Path, "key", "device.key");

    public bool Keep { get; set; }

    public void Dispose()
    {
        if (Keep)
        {
            return;
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is under the temp directory.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
