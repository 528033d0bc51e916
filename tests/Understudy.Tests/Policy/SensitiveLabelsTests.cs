using Understudy.Policy;

namespace Understudy.Tests.Policy;

public sealed class SensitiveLabelsTests
{
    private static readonly SensitiveLabels Labels = SensitiveLabels.For(RecordingPolicy.Default);

    [Theory]
    [InlineData("Password", null)]
    [InlineData(null, "Enter your PIN:")]
    [InlineData("Card number", null)]
    [InlineData("cardNumber", null)]
    [InlineData("api_key", null)]
    [InlineData("APIKey field", null)]
    [InlineData("Your apikey", null)]
    [InlineData("One-time code", null)]
    [InlineData("Social Security Number", null)]
    [InlineData("Passwords", null)]
    [InlineData("CVC", "Security code")]
    [InlineData("", "OTP")]
    public void Sensitive_names_and_labels_match(string? name, string? label) => Assert.True(Labels.IsSensitive(name, label));

    [Theory]
    [InlineData("Spinner", null)]
    [InlineData("Pinned tabs", "Tokenizer settings")]
    [InlineData("Amount", "Category")]
    [InlineData(null, null)]
    [InlineData("Secretary", "Passage")]
    public void Ordinary_names_do_not(string? name, string? label) => Assert.False(Labels.IsSensitive(name, label));

    [Fact]
    public void A_policy_can_bring_its_own_labels()
    {
        var labels = SensitiveLabels.For(PolicyLoader.Parse("version: 1\nsensitive:\n  labels: [Mother's maiden name, TAN]\n", "p.yaml"));
        Assert.True(labels.IsSensitive("Mother's maiden name", null));
        Assert.True(labels.IsSensitive(null, "Enter TAN"));
        Assert.False(labels.IsSensitive("Password", null));
    }

    [Fact]
    public void Long_input_is_fast()
    {
        var text = string.Concat(Enumerable.Repeat("word ", 100_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(Labels.Matches(text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }
}
