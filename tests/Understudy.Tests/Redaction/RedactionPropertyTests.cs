using System.Text;
using Bogus;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Understudy.Core.Redaction;
using Understudy.Redaction.Evaluation;

namespace Understudy.Tests.Redaction;

public sealed class RedactionPropertyTests
{
    private static readonly string[] Fragments =
    [
        "@", "a@b.c", "4111", " ", "-", "=", ":", "::", ".", "0", "9", "+1 ", "(", ")", "-----BEGIN ", "PRIVATE KEY-----", "-----END ", "eyJ",
        "password", "password=", "token: ", "key", "AKIA", "ghp_", "sk-", "SG.", "://", "user:pw@", "Dr. ", "Dear ", "Hi ", "Anna", "Smith",
        "born ", "12/03/1985", "DE89", "\n", "\t", "\0", "\u0007", "\u200b", "\ud800", "\udc00", "é", "ß", "Ω", "漢字", "🙂", "\u202e", "\r\n",
    ];

    /// <summary>Any string: FsCheck's own and concatenations of fragments that wake the recognizers (control characters, lone surrogates, RTL marks).</summary>
    private static readonly Gen<string> AnyText = Gen.OneOf(
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
        Gen.Elements(Fragments).ArrayOf().Select(parts => string.Concat(parts)),
        Gen.Elements(Fragments).ArrayOf().Select(parts => string.Concat(parts)).Zip(ArbMap.Default.GeneratorFor<string>(), (a, b) => a + (b ?? "") + a));

    private static string Words(Faker faker, int max)
    {
        var count = faker.Random.Number(0, max);
        return count == 0 ? "" : faker.Lorem.Sentence(count).TrimEnd('.');
    }

    private static string Sentence(Faker faker, string value) =>
        $"{Words(faker, 6)} {value}{faker.Random.ArrayElement(new[] { "", ".", ",", " and", ";", "\n" })} {Words(faker, 5)}";

    [Property(MaxTest = 1000)]
    public bool Luhn_valid_cards_of_every_issuer_in_random_sentences_are_caught(int seed, NonNegativeInt issuer)
    {
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var card = CorpusValues.Card(faker.Random, issuer.Get % CorpusValues.CardIssuers.Length);
        var text = Sentence(faker, card);
        var start = text.IndexOf(card, StringComparison.Ordinal);
        var result = RedactionAssert.Engine.Redact(text, TextSource.Other);
        return result.Spans.Any(s => s.Type == EntityTypes.CreditCard && s.Start == start && s.End == start + card.Length)
            && !result.Text.Contains(card, StringComparison.Ordinal);
    }

    [Property(MaxTest = 1000)]
    public Property Any_string_redacts_without_throwing_within_bounds() =>
        Prop.ForAll(AnyText.ToArbitrary(), text =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = RedactionAssert.Engine.Redact(text, TextSource.Typed);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var shown = string.Concat(text.Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}"));
            Assert.False(result.FailedClosed, $"failed closed on \"{shown}\"");
            Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed} on \"{shown}\"");
            // Spans are ordered, disjoint, inside the input, and the output is the input with them replaced.
            var rebuilt = new StringBuilder();
            var position = 0;
            foreach (var span in result.Spans)
            {
                if (span.Start < position || span.End > text.Length || span.End <= span.Start)
                {
                    return false;
                }
                rebuilt.Append(text, position, span.Start - position).Append(span.Replacement);
                position = span.End;
            }
            rebuilt.Append(text, position, text.Length - position);
            return rebuilt.ToString() == result.Text;
        });

    [Property(MaxTest = 600)]
    public bool Secrets_in_random_sentences_never_reach_the_output(int seed)
    {
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var secret = faker.Random.Number(0, 4) switch
        {
            0 => CorpusValues.KnownToken(faker.Random).Value,
            1 => CorpusValues.Jwt(faker.Random),
            2 => "password: " + CorpusValues.Password(faker.Random),
            3 => CorpusValues.PrivateKey(faker.Random, truncated: faker.Random.Bool()),
            _ => "api_key=" + CorpusValues.HexSecret(faker.Random, 32),
        };
        var text = Sentence(faker, secret);
        var result = RedactionAssert.Engine.Redact(text, TextSource.Other);
        var secretTypes = new[] { EntityTypes.ApiKey, EntityTypes.Jwt, EntityTypes.Secret, EntityTypes.PrivateKey };
        var value = secret.Contains("password: ", StringComparison.Ordinal) || secret.StartsWith("api_key=", StringComparison.Ordinal) ? secret[(secret.IndexOfAny([' ', '=']) + 1)..].TrimStart() : secret;
        Assert.False(result.Text.Contains(value, StringComparison.Ordinal), $"leaked in: {result.Text}");
        return !result.Text.Contains(value, StringComparison.Ordinal)
            && result.Spans.Where(s => secretTypes.Contains(s.Type)).All(s => !result.Text.Contains(text[s.Start..s.End], StringComparison.Ordinal));
    }
}
