using System.Globalization;
using Understudy.Core.Redaction;
using Understudy.Redaction;
using Understudy.Redaction.Evaluation;
using Xunit.Abstractions;

namespace Understudy.Tests.Redaction;

public sealed class CorpusTests(ITestOutputHelper output)
{
    private static readonly string[] ChecksumAndPrefixTypes = [EntityTypes.CreditCard, EntityTypes.Iban, EntityTypes.UsSsn, EntityTypes.ApiKey, EntityTypes.PrivateKey, EntityTypes.Jwt];

    [Fact]
    public void Generated_corpus_meets_the_recall_and_F2_targets()
    {
        var corpus = RedactionCorpus.Generate(2000, seed: 20261202);
        var score = CorpusEvaluation.Evaluate(new TextRedactionEngine(), corpus);
        foreach (var type in score.PerType)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{type.Type,-16} gold {type.Gold,4} tp {type.TruePositives,4} fp {type.FalsePositives,3} fn {type.FalseNegatives,3}  P {type.Precision:0.000} R {type.Recall:0.000} F2 {type.F2:0.000}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overall P {score.Overall.Precision:0.000} R {score.Overall.Recall:0.000} F2 {score.Overall.F2:0.000}"));
        Assert.Equal(0, score.FailedClosed);
        foreach (var type in ChecksumAndPrefixTypes)
        {
            var recall = score.PerType.Single(t => t.Type == type).Recall;
            Assert.True(recall >= 0.99, $"{type} recall {recall:0.000}");
        }
        Assert.True(score.Overall.F2 >= 0.90, $"overall F2 {score.Overall.F2:0.000}");
    }

    [Fact]
    public void Ordinary_prose_yields_almost_nothing()
    {
        // 300k characters of Bogus reviews and phrases without any planted PII.
        var text = RedactionCorpus.MixedText(300_000, seed: 5, piiEvery: int.MaxValue);
        var result = new TextRedactionEngine().Redact(text, TextSource.Other);
        Assert.False(result.FailedClosed);
        var byType = result.Spans.GroupBy(s => s.Type).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", byType.Select(pair => $"{pair.Key} {pair.Value}")));
        Assert.True(byType.Keys.All(type => type == EntityTypes.Person), string.Join(", ", byType.Keys));
        Assert.True(byType.GetValueOrDefault(EntityTypes.Person) <= 30, $"{byType.GetValueOrDefault(EntityTypes.Person)} names in prose");
    }
}
