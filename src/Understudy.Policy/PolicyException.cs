namespace Understudy.Policy;

/// <summary>
/// An invalid policy. <see cref="Exception.Message"/> is always one line of the form
/// <c>file:line:column: field.path: what is wrong</c>, ready for stderr.
/// </summary>
public sealed class PolicyException : Exception
{
    public PolicyException(string source, long line, long column, string field, string problem)
        : base(Format(source, line, column, field, problem))
    {
        SourceName = source;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    public PolicyException()
        : this("policy", 0, 0, "", "invalid policy")
    {
    }

    public PolicyException(string message)
        : this("policy", 0, 0, "", message)
    {
    }

    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = "policy";
        Field = "";
        Problem = message;
    }

    /// <summary>The file name (or source name) the policy came from.</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the offending node (0 when not known).</summary>
    public long Line { get; }

    /// <summary>1-based column of the offending node (0 when not known).</summary>
    public long Column { get; }

    /// <summary>The field path, e.g. <c>apps.allow[2].title</c>; empty for the whole document.</summary>
    public string Field { get; }

    public string Problem { get; }

    private static string Format(string source, long line, long column, string field, string problem)
    {
        var where = field.Length == 0 ? "" : field + ": ";
        return $"{source}:{line}:{column}: {where}{problem}".ReplaceLineEndings(" ");
    }
}
