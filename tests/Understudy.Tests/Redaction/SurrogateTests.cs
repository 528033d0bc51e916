using System.Net;
using Understudy.Core.Redaction;
using Understudy.Redaction;
using Understudy.Redaction.Recognizers;

namespace Understudy.Tests.Redaction;

public sealed class SurrogateTests
{
    private static readonly RedactionOptions Surrogates = RedactionOptions.Default.WithAction(RedactionAction.Surrogate);

    private static string Fake(TextRedactionEngine engine, string text, string type)
    {
        var result = engine.Redact(text, TextSource.Other);
        return Assert.Single(result.Spans, s => s.Type == type).Replacement;
    }

    [Theory]
    [InlineData("mail jane.doe@example.com", EntityTypes.Email)]
    [InlineData("card 4111 1111 1111 1111", EntityTypes.CreditCard)]
    [InlineData("call (212) 555-0100", EntityTypes.Phone)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", EntityTypes.Iban)]
    [InlineData("ssn 536-22-1234", EntityTypes.UsSsn)]
    [InlineData("host 192.168.1.20", EntityTypes.IpAddress)]
    [InlineData("Dear John Smith,", EntityTypes.Person)]
    [InlineData("token: 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", EntityTypes.ApiKey)]
    [InlineData("born on 1985-03-12", EntityTypes.DateOfBirth)]
    public void Same_input_same_fake_in_one_engine_and_different_across_engines(string text, string type)
    {
        var one = new TextRedactionEngine(Surrogates);
        var two = new TextRedactionEngine(Surrogates);
        var first = Fake(one, text, type);
        Assert.Equal(first, Fake(one, text, type));
        Assert.Equal(first, Fake(one, "again: " + text, type));
        var original = RedactionAssert.Found(text).Single(f => f.Type == type).Value;
        Assert.NotEqual(original, first);
        // Two engines have different keys: over a few inputs, their fakes differ.
        var differ = Enumerable.Range(0, 4).Any(i => Fake(one, text + new string(' ', i), type) != Fake(two, text + new string(' ', i), type));
        Assert.True(differ || type == EntityTypes.Person, $"{type}: two engines gave the same fakes");
    }

    [Fact]
    public void Fakes_are_valid_values_of_their_type()
    {
        var engine = new TextRedactionEngine(Surrogates);
        var card = Fake(engine, "card 3782 822463 10005", EntityTypes.CreditCard);
        Assert.Matches(@"^37\d\d \d{6} \d{5}$", card);
        Assert.True(Checksums.Luhn(card.Replace(" ", "", StringComparison.Ordinal)));
        Assert.True(Checksums.CardIssuer(card.Replace(" ", "", StringComparison.Ordinal)) is ("amex", _));

        var iban = Fake(engine, "IBAN DE89 3704 0044 0532 0130 00", EntityTypes.Iban);
        Assert.Matches(@"^DE\d\d( \d{4}){4} \d\d$", iban);
        Assert.True(Checksums.IbanValid(iban.Replace(" ", "", StringComparison.Ordinal)));

        var ssn = Fake(engine, "ssn 536-22-1234", EntityTypes.UsSsn);
        Assert.Matches(@"^\d{3}-\d\d-\d{4}$", ssn);
        Assert.True(Checksums.SsnValid(int.Parse(ssn[..3], System.Globalization.CultureInfo.InvariantCulture), int.Parse(ssn[4..6], System.Globalization.CultureInfo.InvariantCulture), int.Parse(ssn[7..], System.Globalization.CultureInfo.InvariantCulture)));

        var phone = Fake(engine, "call +44 20 7946 0958", EntityTypes.Phone);
        Assert.Matches(@"^\+44 \d\d \d{4} \d{4}$", phone);

        var email = Fake(engine, "mail jane.doe@example.com", EntityTypes.Email);
        Assert.Single(RedactionAssert.Found(email), f => f.Type == EntityTypes.Email);

        var ip = Fake(engine, "host 192.168.1.20", EntityTypes.IpAddress);
        Assert.True(IPAddress.TryParse(ip, out _));
        var ip6 = Fake(engine, "ping 2001:db8::1", EntityTypes.IpAddress);
        Assert.True(IPAddress.TryParse(ip6, out var six) && six.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);

        var key = Fake(engine, "token: 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", EntityTypes.ApiKey);
        Assert.StartsWith("ghp_", key, StringComparison.Ordinal);
        Assert.Equal(40, key.Length);

        var dob = Fake(engine, "born on 1985-03-12", EntityTypes.DateOfBirth);
        Assert.True(DateTime.TryParseExact(dob, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _), dob);

        var person = Fake(engine, "Dear John Smith,", EntityTypes.Person);
        Assert.Equal(2, person.Split(' ').Length);
    }

    [Fact]
    public void A_surname_keeps_its_fake_with_or_without_the_first_name()
    {
        var engine = new TextRedactionEngine(Surrogates);
        var full = Fake(engine, "Dear John Nguyen,", EntityTypes.Person);
        var titled = Fake(engine, "Ask Dr. Nguyen", EntityTypes.Person);
        Assert.EndsWith(" " + titled, full, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_choose_types_and_actions()
    {
        var options = RedactionOptions.FromSettings(new Dictionary<string, (bool, RedactionAction)>
        {
            ["email"] = (false, RedactionAction.Placeholder),
            ["credit_card"] = (true, RedactionAction.Surrogate),
        });
        var engine = new TextRedactionEngine(options);
        var result = engine.Redact("jane@example.com, card 4111111111111111, ssn 536-22-1234", TextSource.Typed);
        Assert.DoesNotContain(result.Spans, s => s.Type == EntityTypes.Email);
        var card = Assert.Single(result.Spans, s => s.Type == EntityTypes.CreditCard);
        Assert.Matches(@"^4\d{15}$", card.Replacement);
        Assert.Contains(result.Spans, s => s.Type == EntityTypes.UsSsn && s.Replacement == "<US_SSN>");
        var error = Assert.Throws<ArgumentException>(() => RedactionOptions.FromSettings(new Dictionary<string, (bool, RedactionAction)> { ["mail"] = (true, RedactionAction.Placeholder) }));
        Assert.Contains("'mail'", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, RedactionOptions.SettingNames.Count);
    }
}
