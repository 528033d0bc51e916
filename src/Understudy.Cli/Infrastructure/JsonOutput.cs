using System.Text.Json;

namespace Understudy.Cli.Infrastructure;

/// <summary>The <c>--json</c> output of every command: one indented JSON document on stdout, ending in a newline.</summary>
internal static class JsonOutput
{
    public static void Write(Action<Utf8JsonWriter> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }
        stdout.Write("\n"u8);
    }
}
