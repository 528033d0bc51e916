using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Understudy.Policy;

/// <summary>A parsed YAML/JSON node with its position, so that every error can name line and column.</summary>
internal abstract class PolicyNode(long line, long column)
{
    public long Line { get; } = line;

    public long Column { get; } = column;

    public abstract string KindName { get; }
}

internal sealed class ScalarNode(string value, bool quoted, long line, long column) : PolicyNode(line, column)
{
    public string Value { get; } = value;

    /// <summary>Quoted scalars are always strings; plain ones may be numbers, booleans or null.</summary>
    public bool Quoted { get; } = quoted;

    public bool IsNull => !Quoted && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : Quoted ? "a string" : "a scalar";
}

internal sealed class MappingNode(long line, long column) : PolicyNode(line, column)
{
    public List<(ScalarNode Key, PolicyNode Value)> Entries { get; } = [];

    public override string KindName => "a mapping";
}

internal sealed class SequenceNode(long line, long column) : PolicyNode(line, column)
{
    public List<PolicyNode> Items { get; } = [];

    public override string KindName => "a list";
}

/// <summary>
/// Reads one YAML document (JSON is a subset) into <see cref="PolicyNode"/>s with YamlDotNet's
/// event parser. Anchors, aliases, tags and complex keys are refused: a policy is plain data, and
/// aliases are how "billion laughs" documents blow up.
/// </summary>
internal static class PolicyDocumentReader
{
    private const int MaxDepth = 32;
    private const int MaxNodes = 100_000;

    public static PolicyNode? Read(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var nodes = 0;
        try
        {
            parser.MoveNext();
            Expect<StreamStart>(parser, source);
            if (parser.Current is StreamEnd)
            {
                return null;
            }
            Expect<DocumentStart>(parser, source);
            var root = ReadNode(parser, source, 0, ref nodes);
            if (parser.Current is not DocumentEnd)
            {
                throw At(source, parser.Current, "", "unexpected content after the document");
            }
            parser.MoveNext();
            if (parser.Current is DocumentStart)
            {
                throw At(source, parser.Current, "", "only one document is allowed in a policy file");
            }
            return root;
        }
        catch (YamlException ex)
        {
            throw new PolicyException(source, ex.Start.Line, ex.Start.Column, "", "syntax error: " + StripMarks(ex.Message));
        }
    }

    private static void Expect<T>(IParser parser, string source)
        where T : ParsingEvent
    {
        if (parser.Current is not T)
        {
            throw At(source, parser.Current, "", "unexpected document structure");
        }
        parser.MoveNext();
    }

    private static PolicyNode ReadNode(IParser parser, string source, int depth, ref int nodes)
    {
        var current = parser.Current ?? throw new PolicyException(source, 0, 0, "", "unexpected end of document");
        if (++nodes > MaxNodes || depth > MaxDepth)
        {
            throw At(source, current, "", "document is too large or too deeply nested");
        }
        if (current is AnchorAlias)
        {
            throw At(source, current, "", "aliases (*name) are not allowed in a policy");
        }
        if (current is NodeEvent node && (!node.Anchor.IsEmpty || (!node.Tag.IsEmpty && !node.Tag.IsNonSpecific)))
        {
            throw At(source, current, "", "anchors (&name) and tags (!tag) are not allowed in a policy");
        }
        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new ScalarNode(scalar.Value, scalar.Style is not ScalarStyle.Plain, scalar.Start.Line, scalar.Start.Column);
            case SequenceStart:
            {
                var sequence = new SequenceNode(current.Start.Line, current.Start.Column);
                parser.MoveNext();
                while (parser.Current is not SequenceEnd)
                {
                    sequence.Items.Add(ReadNode(parser, source, depth + 1, ref nodes));
                }
                parser.MoveNext();
                return sequence;
            }
            case MappingStart:
            {
                var mapping = new MappingNode(current.Start.Line, current.Start.Column);
                parser.MoveNext();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (parser.Current is not MappingEnd)
                {
                    if (parser.Current is not Scalar)
                    {
                        throw At(source, parser.Current, "", "keys must be plain names");
                    }
                    var key = (ScalarNode)ReadNode(parser, source, depth + 1, ref nodes);
                    if (!seen.Add(key.Value))
                    {
                        throw new PolicyException(source, key.Line, key.Column, "", $"duplicate key '{key.Value}'");
                    }
                    var value = ReadNode(parser, source, depth + 1, ref nodes);
                    mapping.Entries.Add((key, value));
                }
                parser.MoveNext();
                return mapping;
            }
            default:
                throw At(source, current, "", "unexpected document structure");
        }
    }

    private static PolicyException At(string source, ParsingEvent? at, string field, string problem) =>
        new(source, at?.Start.Line ?? 0, at?.Start.Column ?? 0, field, problem);

    /// <summary>YamlDotNet prefixes its messages with "(Line: 1, Col: 2, Idx: 3) - (…): "; our prefix says it already.</summary>
    private static string StripMarks(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return index >= 0 && message.StartsWith('(') ? message[(index + 3)..] : message;
    }
}
