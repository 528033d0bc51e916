using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// Where a subcommand writes: text lines go to stdout, or to stderr when <c>--json</c> asked for
/// stdout to carry the JSON result alone.
/// </summary>
internal sealed class Report(bool json)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool Json => json;

    private TextWriter Text => json ? Console.Error : Console.Out;

    public void Line(string text = "") => Text.WriteLine(text);

    /// <summary>Progress notes: always stderr.</summary>
    public static void Progress(string text) => Console.Error.WriteLine($"  .. {text}");

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int leftColumns = 1)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = new int[header.Count];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        var builder = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            builder.Clear();
            builder.Append("  ");
            for (var i = 0; i < all[r].Count; i++)
            {
                // Labels left-aligned, numbers right-aligned.
                builder.Append(i < leftColumns ? all[r][i].PadRight(widths[i]) : all[r][i].PadLeft(widths[i]));
                builder.Append("  ");
            }
            Text.WriteLine(builder.ToString().TrimEnd());
            if (r == 0)
            {
                Text.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    public void Result<T>(T result)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
        }
    }

    public static string F(double value, int decimals = 1) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Verdict(bool met) => met ? "MET" : "NOT MET";
}
