using System.Diagnostics;
using System.Text;
using Understudy.Core.Redaction;
using Understudy.Redaction;
using Understudy.Redaction.Recognizers;

namespace Understudy.Tests.Redaction;

public sealed class FailClosedTests
{
    private sealed class ThrowingRecognizer : Recognizer
    {
        public override IReadOnlyList<string> Types { get; } = [EntityTypes.Email];

        public override void Find(ScanContext context) => throw new InvalidOperationException("boom");
    }

    private sealed class SlowRecognizer : Recognizer
    {
        public override IReadOnlyList<string> Types { get; } = [EntityTypes.Secret];

        public override void Find(ScanContext context)
        {
            while (true)
            {
                context.CheckDeadline();
            }
        }
    }

    private static void AssertFailedClosed(RedactionResult result, string input)
    {
        Assert.True(result.FailedClosed);
        Assert.Equal("<UNSCANNED>", result.Text);
        var span = Assert.Single(result.Spans);
        Assert.Equal(new RedactedSpan(0, input.Length, EntityTypes.Unscanned, "<UNSCANNED>"), span);
    }

    [Fact]
    public void A_recognizer_that_throws_fails_closed()
    {
        var engine = new TextRedactionEngine(RedactionOptions.Default, [.. TextRedactionEngine.DefaultRecognizers(), new ThrowingRecognizer()]);
        const string Text = "password: Xk9#mQ2!vL and nothing else";
        AssertFailedClosed(engine.Redact(Text, TextSource.Typed), Text);
    }

    [Fact]
    public void A_recognizer_that_runs_out_of_time_fails_closed()
    {
        var options = new RedactionOptions { TimeBudget = TimeSpan.FromMilliseconds(50) };
        var engine = new TextRedactionEngine(options, [new SlowRecognizer()]);
        var watch = Stopwatch.StartNew();
        AssertFailedClosed(engine.Redact("anything", TextSource.Typed), "anything");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("a@")]
    [InlineData("=-")]
    [InlineData("1.")]
    [InlineData("::")]
    [InlineData("Ab ")]
    [InlineData("password=")]
    [InlineData("eyJ.")]
    [InlineData("-----BEGIN ")]
    [InlineData("4111 ")]
    [InlineData("sk-")]
    public void Pathological_inputs_finish_quickly_and_never_leak_a_secret(string unit)
    {
        // 1 MB: scanned in 64 KiB windows; each window must finish within its budget or fail closed.
        var builder = new StringBuilder();
        while (builder.Length < 1_000_000)
        {
            builder.Append(unit);
        }
        const string Secret = "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";
        builder.Insert(500_000, " " + Secret + " ");
        var text = builder.ToString();
        var watch = Stopwatch.StartNew();
        var result = RedactionAssert.Engine.Redact(text, TextSource.Clipboard);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.DoesNotContain(Secret, result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_input_fails_closed_when_configured_so()
    {
        var engine = new TextRedactionEngine(new RedactionOptions { MaxInputLength = 4096, LongInput = LongInputHandling.FailClosed });
        var text = new string('x', 5000);
        AssertFailedClosed(engine.Redact(text, TextSource.Clipboard), text);
    }

    [Fact]
    public void Windows_find_entities_at_every_position_and_private_keys_across_windows()
    {
        var engine = new TextRedactionEngine(new RedactionOptions { MaxInputLength = 4096 });
        var builder = new StringBuilder();
        var emails = new List<string>();
        for (var i = 0; builder.Length < 40_000; i++)
        {
            builder.Append("lorem ipsum dolor sit amet ");
            if (i % 7 == 0)
            {
                var email = $"user{i}@example.com";
                emails.Add(email);
                builder.Append(email).Append(' ');
            }
        }
        var key = "-----BEGIN PRIVATE KEY-----\n" + string.Concat(Enumerable.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n", 200)) + "-----END PRIVATE KEY-----";
        builder.Append(key);
        var text = builder.ToString();
        var result = engine.Redact(text, TextSource.Clipboard);
        Assert.False(result.FailedClosed);
        foreach (var email in emails)
        {
            Assert.DoesNotContain(email, result.Text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("MIIEvQ", result.Text, StringComparison.Ordinal);
        Assert.Equal(emails.Count + 1, result.Spans.Count);
    }
}

public sealed class WindowEdgeTests
{
    [Theory]
    [InlineData("jane.doe@mail.example.com", "EMAIL_ADDRESS")]
    [InlineData("4111 1111 1111 1111", "CREDIT_CARD")]
    [InlineData("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", "API_KEY")]
    [InlineData("DE89 3704 0044 0532 0130 00", "IBAN_CODE")]
    public void A_finding_across_a_window_edge_is_found_whole(string value, string type)
    {
        var engine = new TextRedactionEngine(new RedactionOptions { MaxInputLength = 4096 });
        for (var cut = 1; cut < value.Length; cut += 3)
        {
            var text = new string('x', 4096 - cut) + " " + value + " " + new string('y', 6000);
            var start = text.IndexOf(value, StringComparison.Ordinal);
            var result = engine.Redact(text, TextSource.Clipboard);
            Assert.Equal([new RedactedSpan(start, start + value.Length, type, $"<{type}>")], result.Spans);
        }
    }
}

public sealed class ConcurrencyTests
{
    [Fact]
    public void One_engine_used_from_many_threads_gives_the_sequential_results()
    {
        var corpus = Understudy.Redaction.Evaluation.RedactionCorpus.Generate(800, seed: 7);
        var engine = new TextRedactionEngine(RedactionOptions.Default.WithAction(RedactionAction.Surrogate));
        var sequential = corpus.Select(s => engine.Redact(s.Text, TextSource.Other)).ToArray();
        var parallel = new RedactionResult[corpus.Count];
        Parallel.For(0, corpus.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = engine.Redact(corpus[i].Text, TextSource.Other));
        for (var i = 0; i < corpus.Count; i++)
        {
            Assert.Equal(sequential[i].Text, parallel[i].Text);
            Assert.Equal(sequential[i].Spans, parallel[i].Spans);
        }
    }
}
