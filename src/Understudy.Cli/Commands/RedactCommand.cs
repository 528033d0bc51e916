using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Redaction;
using Understudy.Redaction;

namespace Understudy.Cli.Commands;

/// <summary>
/// <c>understudy redact</c>: JSONL in on stdin (objects with a string field "text"), JSONL out on
/// stdout, one line per input line: <c>{"text", "redacted", "spans":[{"start","end","type"}]}</c>,
/// start/end in UTF-16 code units of "text". Other fields are neither used nor echoed. Empty lines
/// are skipped. A malformed line stops the run with exit code 2 after the lines before it were written.
/// </summary>
internal static class RedactCommand
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var policy = new Option<string?>("--policy") { Description = "Use this recording policy's recognizers and actions (default: all on, placeholders)", HelpName = "FILE" };
        var command = new Command("redact", "Redact personal data and secrets in JSONL read from stdin (each line {\"text\": ...}); writes JSONL with the redacted text and the spans found") { policy };
        command.SetAction(parse =>
        {
            var redactor = parse.GetValue(policy) is { } path
                ? Recording.RecordingPolicySetup.RedactorFor(Recording.RecordingPolicySetup.Load(path))
                : TextRedactionEngine.Shared;
            using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
            using var output = Console.OpenStandardOutput();
            return Run(input, output, redactor);
        });
        return command;
    }

    /// <summary>Redacts every line; throws <see cref="UsageException"/> naming the first malformed line, after flushing the lines before it.</summary>
    internal static int Run(TextReader input, Stream output, ITextRedactor redactor)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var lineNumber = 0;
        try
        {
            while (input.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                var text = ReadText(line, lineNumber);
                var result = redactor.Redact(text, TextSource.Other);
                buffer.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", text);
                    writer.WriteString("redacted", result.Text);
                    writer.WriteStartArray("spans");
                    foreach (var span in result.Spans)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("start", span.Start);
                        writer.WriteNumber("end", span.End);
                        writer.WriteString("type", span.Type);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                output.Write(buffer.WrittenSpan);
                output.Write("\n"u8);
            }
        }
        finally
        {
            output.Flush();
        }
        return ExitCodes.Ok;
    }

    private static string ReadText(string line, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            // The position only: the line's content is not repeated on stderr.
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"redact: line {lineNumber}: not valid JSON (at byte {ex.BytePositionInLine ?? 0})"));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"redact: line {lineNumber}: expected a JSON object with a string field \"text\", got {Describe(document.RootElement.ValueKind)}"));
            }
            if (!document.RootElement.TryGetProperty("text", out var text))
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"redact: line {lineNumber}: the object has no field \"text\""));
            }
            if (text.ValueKind != JsonValueKind.String)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"redact: line {lineNumber}: field \"text\" must be a string, got {Describe(text.ValueKind)}"));
            }
            try
            {
                return text.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"redact: line {lineNumber}: field \"text\" is not valid Unicode (a lone surrogate escape)"));
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
