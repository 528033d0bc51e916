using System.Globalization;
using System.Text;
using Understudy.Dataset.Export;

namespace Understudy.Dataset.Build;

/// <summary>
/// The dataset card, <c>README.md</c> at the dataset's root: what is in it, how it was made, what
/// was removed and what it lacks. With Parquet it opens with the Hugging Face front matter that
/// names the shards and the image columns, so <c>load_dataset("parquet", …)</c> and the Hub both
/// read it. Counts only: the card never quotes content.
/// </summary>
public static class DatasetCard
{
    public const string RelativePath = "README.md";

    public static string Render(DatasetManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var s = manifest.Statistics;
        var card = new StringBuilder();
        if (manifest.Formats.Contains(DatasetFormats.Parquet))
        {
            card.Append("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*.parquet\n")
                .Append("dataset_info:\n  features:\n");
            foreach (var (name, type) in HuggingFaceFeatures.Columns)
            {
                card.Append("  - name: ").Append(name).Append('\n');
                card.Append(type == "list<string>" ? "    sequence: string\n" : $"    dtype: {type}\n");
            }
            card.Append("tags:\n- computer-use\n- gui-agent\n- trajectories\n---\n\n");
        }
        card.Append("# Understudy dataset ").Append(manifest.DatasetId).Append("\n\n")
            .Append("Computer-use trajectories recorded with consent by Understudy and built on ")
            .Append(manifest.CreatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
            .Append(". Each step is the screen before an action, the action (in the agent action space and as PyAutoGUI code), ")
            .Append("the UI element it was aimed at, and the screen after.\n\n");
        card.Append("## Contents\n\n| | |\n|---|---|\n")
            .Append(Row("sessions", I(s.Sessions)))
            .Append(Row("episodes", $"{I(s.Episodes)} ({I(s.EpisodesWithTask)} with a task text)"))
            .Append(Row("steps", I(s.Steps)))
            .Append(Row("raw events reduced", I(s.RawEvents)))
            .Append(Row("hours", s.Hours.ToString("0.00", CultureInfo.InvariantCulture)))
            .Append(Row("images", $"{I(s.Images)} ({(s.ImageBytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB)"))
            .Append(Row("recorded", s.FirstStartedAt is { } first && s.LastEndedAt is { } last
                ? $"{first:yyyy-MM-dd} to {last:yyyy-MM-dd}" : "—"))
            .Append(Row("formats", string.Join(", ", manifest.Formats)))
            .Append('\n');
        Table(card, "Actions by kind", "action", s.ActionsByKind.Select(p => (p.Key, p.Value)));
        Table(card, "Applications", "episodes", s.Apps.Select(p => (p.Key, (long)p.Value)));
        Table(card, "Redactions by type", "spans", s.RedactionsByType.Select(p => (p.Key, p.Value)),
            "Removed on the recording machine before anything was stored; placeholders such as `<EMAIL_ADDRESS>` and `<REDACTED>` stand in the typed text. Nothing here can be reversed.");
        Table(card, "Quality flags", "episodes", s.QualityFlags.Select(p => (p.Key, (long)p.Value)),
            "An episode may carry several. See docs/reduction.md in the Understudy repository for what each means.");
        Table(card, "Input events that became no action", "events", s.DropsByReason.Select(p => (p.Key, p.Value)));
        Table(card, "Episodes left out by the filters", "episodes", s.EpisodesFilteredOut.Select(p => (p.Key, (long)p.Value)));
        card.Append("## How it was built\n\n")
            .Append("- filters: ").Append(manifest.FilterSummary).Append('\n')
            .Append("- reduction: ").Append(manifest.ReductionSummary).Append('\n')
            .Append("- episodes: ").Append(manifest.EpisodeSummary).Append('\n')
            .Append("- builder: Understudy ").Append(manifest.BuilderVersion).Append(", native schema version ").Append(I(EpisodeRecord.CurrentSchemaVersion)).Append("\n\n");
        card.Append("## Files\n\n");
        foreach (var file in manifest.Files)
        {
            card.Append("- `").Append(file).Append("`\n");
        }
        card.Append("\n## Lineage and erasure\n\n")
            .Append("`lineage.json` lists every session this dataset was built from and the episodes each gave. ")
            .Append("When a donor withdraws or asks for erasure, every dataset whose lineage names one of their sessions must be rebuilt without it; ")
            .Append("a session's images are the folder `images/<session id>/`.\n");
        return card.ToString();
    }

    private static void Table(StringBuilder card, string title, string unit, IEnumerable<(string Name, long Count)> rows, string? note = null)
    {
        card.Append("## ").Append(title).Append("\n\n");
        var list = rows.ToList();
        if (list.Count == 0)
        {
            card.Append("None.\n\n");
            return;
        }
        if (note is not null)
        {
            card.Append(note).Append("\n\n");
        }
        card.Append("| | ").Append(unit).Append(" |\n|---|---:|\n");
        foreach (var (name, count) in list)
        {
            card.Append("| ").Append(Cell(name)).Append(" | ").Append(I(count)).Append(" |\n");
        }
        card.Append('\n');
    }

    private static string Row(string name, string value) => $"| {name} | {value} |\n";

    // App names and flags come from recordings: keep them from breaking the table or the markup.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string I(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
