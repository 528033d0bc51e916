using System.Diagnostics;
using System.Globalization;
using Understudy.Core.Model;

namespace Understudy.Dataset.Import;

/// <summary>Single frames out of a recording's video. Implementations never write a decoded frame anywhere.</summary>
public interface IVideoFrames : IDisposable
{
    /// <summary>The video's own picture size.</summary>
    ScreenSize Size { get; }

    /// <summary>
    /// Decodes the picture shown at <paramref name="seconds"/>, scaled to <paramref name="output"/>,
    /// as B,G,R,A into <paramref name="bgra"/>. False when there is none (past the end, decode error).
    /// </summary>
    bool TryRead(double seconds, ScreenSize output, Span<byte> bgra);
}

/// <summary>
/// Frames through the <c>ffmpeg</c> and <c>ffprobe</c> programs on PATH: one process per frame,
/// started with an argument list (no shell), reading raw pixels from its stdout, so that decoded
/// pictures stay in this process's memory. A process that hangs is killed.
/// </summary>
public sealed class FfmpegVideo : IVideoFrames
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly string _ffmpeg;
    private readonly string _path;

    private FfmpegVideo(string ffmpeg, string path, ScreenSize size)
    {
        _ffmpeg = ffmpeg;
        _path = path;
        Size = size;
    }

    public ScreenSize Size { get; }

    /// <summary>Why frames cannot be taken on this machine (ffmpeg or ffprobe not on PATH), or null when they can.</summary>
    public static string? Unavailable() =>
        FindOnPath("ffmpeg") is null || FindOnPath("ffprobe") is null ? "ffmpeg (with ffprobe) is not on PATH" : null;

    /// <summary>Opens <paramref name="path"/>; throws <see cref="InvalidOperationException"/> saying why it cannot be read.</summary>
    public static FfmpegVideo Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ffmpeg = FindOnPath("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is not on PATH");
        var ffprobe = FindOnPath("ffprobe") ?? throw new InvalidOperationException("ffprobe is not on PATH");
        var (code, output) = Run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path], 64);
        var text = System.Text.Encoding.ASCII.GetString(output).Trim();
        var parts = text.Split('x');
        if (code != 0 || parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            || width is <= 0 or > 16384 || height is <= 0 or > 16384)
        {
            throw new InvalidOperationException($"{Path.GetFileName(path)}: ffprobe found no video stream in it");
        }
        return new FfmpegVideo(ffmpeg, path, new ScreenSize(width, height));
    }

    public bool TryRead(double seconds, ScreenSize output, Span<byte> bgra)
    {
        var length = checked(output.Width * output.Height * 4);
        if (!double.IsFinite(seconds) || seconds < 0 || bgra.Length < length)
        {
            return false;
        }
        var (code, pixels) = Run(_ffmpeg,
        [
            "-nostdin", "-v", "error", "-ss", seconds.ToString("0.000", CultureInfo.InvariantCulture), "-i", _path,
            "-frames:v", "1", "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={output.Width}:{output.Height}:flags=bilinear"),
            "-f", "rawvideo", "-pix_fmt", "bgra", "pipe:1",
        ], length);
        if (code != 0 || pixels.Length != length)
        {
            return false;
        }
        pixels.CopyTo(bgra);
        Array.Clear(pixels);
        return true;
    }

    public void Dispose()
    {
    }

    /// <summary>Runs a program, keeping at most <paramref name="limit"/> bytes of its stdout; stderr is read and dropped (it may name the file).</summary>
    private static (int Code, byte[] Output) Run(string program, IReadOnlyList<string> arguments, int limit)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Path.GetFileName(program)} could not be started");
        var stderr = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        var buffer = GC.AllocateUninitializedArray<byte>(limit);
        var read = 0;
        var stdout = process.StandardOutput.BaseStream;
        var reading = Task.Run(() =>
        {
            while (read < limit)
            {
                var n = stdout.Read(buffer, read, limit - read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            stdout.CopyTo(Stream.Null);
        });
        if (!process.WaitForExit(ProcessTimeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own just now.
            }
            process.WaitForExit();
            return (-1, []);
        }
        reading.Wait(ProcessTimeout);
        stderr.Wait(ProcessTimeout);
        return (process.ExitCode, read == limit ? buffer : buffer[..read]);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }
        return null;
    }
}
