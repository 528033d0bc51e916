using Understudy.Core.Redaction;

namespace Understudy.Redaction.Evaluation;

/// <summary>Counts for one entity type: a found span matches a gold span of the same type that it overlaps.</summary>
internal sealed record TypeScore(string Type, int Gold, int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>F-beta with beta 2: recall weighs four times as much as precision (a missed secret costs more than an extra placeholder).</summary>
    public double F2 => Precision + Recall == 0 ? 0 : 5 * Precision * Recall / ((4 * Precision) + Recall);
}

internal sealed record CorpusScore(IReadOnlyList<TypeScore> PerType, TypeScore Overall, int Sentences, int FailedClosed);

internal static class CorpusEvaluation
{
    public static CorpusScore Evaluate(ITextRedactor redactor, IReadOnlyList<LabelledSentence> corpus)
    {
        var counts = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        int[] Counts(string type) => counts.TryGetValue(type, out var c) ? c : counts[type] = new int[4];
        var failed = 0;
        foreach (var sentence in corpus)
        {
            var result = redactor.Redact(sentence.Text, TextSource.Other);
            if (result.FailedClosed)
            {
                failed++;
            }
            foreach (var gold in sentence.Labels)
            {
                var c = Counts(gold.Type);
                c[0]++;
                var found = result.Spans.Any(s => s.Type == gold.Type && s.Start < gold.End && gold.Start < s.End);
                c[found ? 1 : 3]++;
            }
            foreach (var span in result.Spans)
            {
                if (!sentence.Labels.Any(g => g.Type == span.Type && span.Start < g.End && g.Start < span.End))
                {
                    Counts(span.Type)[2]++;
                }
            }
        }
        var perType = counts.Select(pair => new TypeScore(pair.Key, pair.Value[0], pair.Value[1], pair.Value[2], pair.Value[3])).ToList();
        var overall = new TypeScore("overall", perType.Sum(t => t.Gold), perType.Sum(t => t.TruePositives), perType.Sum(t => t.FalsePositives), perType.Sum(t => t.FalseNegatives));
        return new CorpusScore(perType, overall, corpus.Count, failed);
    }
}
