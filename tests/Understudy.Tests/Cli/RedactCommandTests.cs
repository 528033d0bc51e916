using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Understudy.Cli;
using Understudy.Cli.Commands;
using Understudy.Cli.Infrastructure;
using Understudy.Redaction;

namespace Understudy.Tests.Cli;

public sealed class RedactCommandTests
{
    private static (int Code, string Output) Run(string input)
    {
        using var output = new MemoryStream();
        var code = RedactCommand.Run(new StringReader(input), output, new TextRedactionEngine());
        return (code, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Each_line_gives_text_redacted_and_spans_in_utf16_units()
    {
        var (code, output) = Run("{\"text\":\"mail jane@example.com\",\"id\":7}\n{\"text\":\"\"}\n\n{\"text\":\"🙂 card 4111 1111 1111 1111\"}\n");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);

        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(["text", "redacted", "spans"], first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("mail jane@example.com", first.RootElement.GetProperty("text").GetString());
        Assert.Equal("mail <EMAIL_ADDRESS>", first.RootElement.GetProperty("redacted").GetString());
        var span = Assert.Single(first.RootElement.GetProperty("spans").EnumerateArray());
        Assert.Equal((5, 21, "EMAIL_ADDRESS"), (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("type").GetString()));
        Assert.Contains("<EMAIL_ADDRESS>", lines[0], StringComparison.Ordinal);

        using var empty = JsonDocument.Parse(lines[1]);
        Assert.Empty(empty.RootElement.GetProperty("spans").EnumerateArray());

        using var third = JsonDocument.Parse(lines[2]);
        var card = Assert.Single(third.RootElement.GetProperty("spans").EnumerateArray());
        // The emoji is two UTF-16 code units: the card starts at 8.
        Assert.Equal(8, card.GetProperty("start").GetInt32());
        Assert.Equal(27, card.GetProperty("end").GetInt32());
    }

    [Theory]
    [InlineData("not json", "line 3: not valid JSON")]
    [InlineData("[1,2]", "line 3: expected a JSON object with a string field \"text\", got an array")]
    [InlineData("{\"txt\":\"a\"}", "line 3: the object has no field \"text\"")]
    [InlineData("{\"text\":5}", "line 3: field \"text\" must be a string, got a number")]
    [InlineData("{\"text\":\"\\ud800\"}", "line 3: field \"text\" is not valid Unicode")]
    public void A_malformed_line_is_named_after_the_lines_before_it_were_written(string bad, string message)
    {
        var input = $"{{\"text\":\"a@example.com\"}}\n{{\"text\":\"b\"}}\n{bad}\n{{\"text\":\"never\"}}\n";
        using var output = new MemoryStream();
        var error = Assert.Throws<UsageException>(() => RedactCommand.Run(new StringReader(input), output, new TextRedactionEngine()));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("never", error.Message, StringComparison.Ordinal);
        var written = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, written.Length);
    }

    [Fact]
    public void The_command_is_registered()
    {
        Assert.Contains(Program.BuildRootCommand().Subcommands, command => command.Name == "redact");
    }

    [Fact]
    public async Task The_program_exits_2_with_one_stderr_line_naming_line_3()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "understudy.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("redact");
        using var process = Process.Start(start)!;
        process.StandardInput.Write("{\"text\":\"call 415-867-5309\"}\n{\"text\":\"ok\"}\n{\"text\":\n{\"text\":\"x\"}\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("<PHONE_NUMBER>", lines[0], StringComparison.Ordinal);
        var error = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("understudy: redact: line 3: not valid JSON", error, StringComparison.Ordinal);
    }
}
