using System.Globalization;

namespace Understudy.Benchmarks.Common;

/// <summary>Plain <c>--name value</c> / <c>--flag</c> parsing; every option must be consumed.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Args(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                _values[arg[2..equals]] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[arg[2..]] = args[++i];
            }
            else
            {
                _values[arg[2..]] = null;
            }
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (_values.TryGetValue(name, out var value))
        {
            return value is null || value is "true" or "1" or "yes";
        }
        return false;
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var value) ? value ?? throw new UsageException($"--{name} needs a value") : null;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name}: expected a number between {min} and {max}, got '{text}'");
        }
        return value;
    }

    public int Int(string name, int fallback, int min, int max) => (int)Double(name, fallback, min, max);

    /// <summary>Fails on any option nobody asked about, so a typo is not silently ignored.</summary>
    public void EnsureAllUsed()
    {
        foreach (var name in _values.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);

/// <summary>The measurement could not be made (no display, the recorder failed); the message says why.</summary>
internal sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);
