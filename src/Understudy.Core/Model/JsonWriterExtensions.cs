using System.Text.Json;

namespace Understudy.Core.Model;

/// <summary>Writes absent values as JSON <c>null</c>, so every object of a kind has the same fields.</summary>
public static class JsonWriterExtensions
{
    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
