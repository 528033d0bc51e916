using System.Globalization;

namespace Understudy.Dataset.Import;

/// <summary>The recording tools an import understands.</summary>
public enum ImportFormat
{
    /// <summary>xlang-ai AgentNet Tool (OpenCUA): events.jsonl, element.jsonl, top_window.jsonl, metadata.json, task_name.json, an OBS video.</summary>
    AgentNet,

    /// <summary>DuckAI DuckTrack: events.jsonl, metadata.json, an OBS video.</summary>
    DuckTrack,
}

public static class ImportFormatNames
{
    public static string ToWireName(this ImportFormat format) => format switch
    {
        ImportFormat.AgentNet => "agentnet",
        ImportFormat.DuckTrack => "ducktrack",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown import format"),
    };

    /// <summary>The backend recorded in the session's manifest: <c>import:agentnet</c>, <c>import:ducktrack</c>.</summary>
    public static string Backend(this ImportFormat format) => "import:" + format.ToWireName();
}

/// <summary>Why an input record was not imported (the keys of <c>skipped</c> in the summary).</summary>
public static class SkipReasons
{
    public const string MalformedLine = "malformed_line";
    public const string InvalidField = "invalid_field";
    public const string UnknownAction = "unknown_action";
    public const string UnknownKey = "unknown_key";
    public const string EmptyScroll = "empty_scroll";
    public const string UnmatchedResume = "unmatched_resume";
    public const string ElementWithoutClick = "element_without_click";
    public const string EmptyElement = "empty_element";
}

/// <summary>
/// One thing wrong with the input: which file, which line (null for the file as a whole) and what,
/// in words that never repeat the input's content (no key names, no text, no titles).
/// </summary>
public sealed record ImportProblem(string File, long? Line, string Message)
{
    public override string ToString() => Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{line}: {Message}")
        : $"{File}: {Message}";
}

/// <summary>What an import met on its way: problems with the input and the records skipped, counted by reason.</summary>
public sealed class ImportDiagnostics
{
    private readonly List<ImportProblem> _problems = [];
    private readonly SortedDictionary<string, long> _skipped = new(StringComparer.Ordinal);

    public IReadOnlyList<ImportProblem> Problems => _problems;

    public IReadOnlyDictionary<string, long> Skipped => _skipped;

    public long SkippedTotal => _skipped.Values.Sum();

    /// <summary>A record was left out: counted under <paramref name="reason"/> and reported as a problem.</summary>
    public void Skip(string file, long? line, string reason, string message)
    {
        Count(reason);
        _problems.Add(new ImportProblem(file, line, message));
    }

    /// <summary>A record was left out for a reason that is not a fault of the input (an empty scroll): counted only.</summary>
    public void Count(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;

    /// <summary>Something is wrong with the input that does not drop a record (a missing metadata file).</summary>
    public void Problem(string file, long? line, string message) => _problems.Add(new ImportProblem(file, line, message));
}

/// <summary>The input cannot be imported at all (no folder, no events): one line saying what and where.</summary>
public sealed class ImportInputException(string message) : Exception(message);
