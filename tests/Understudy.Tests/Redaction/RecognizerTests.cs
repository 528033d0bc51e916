using Understudy.Core.Redaction;
using static Understudy.Tests.Redaction.RedactionAssert;

namespace Understudy.Tests.Redaction;

public sealed class RecognizerTests
{
    [Theory]
    [InlineData("mail jane.doe@example.com today", "jane.doe@example.com")]
    [InlineData("<a.b+tag@mail.example.co.uk>.", "a.b+tag@mail.example.co.uk")]
    [InlineData("Contact: o'brien@firma-x.de.", "o'brien@firma-x.de")]
    public void Email_positives(string text, string value) => Finds(text, EntityTypes.Email, value);

    [Theory]
    [InlineData("a@b")]
    [InlineData("user@localhost is fine")]
    [InlineData("git@github then")]
    [InlineData("x@y.1")]
    [InlineData("@handle on social")]
    [InlineData("a..b@example.com")]
    public void Email_negatives(string text) => FindsNo(text, EntityTypes.Email);

    [Theory]
    [InlineData("call (212) 555-0100 now", "(212) 555-0100")]
    [InlineData("ring 415-867-5309.", "415-867-5309")]
    [InlineData("UK office +44 20 7946 0958", "+44 20 7946 0958")]
    [InlineData("Berlin +49 30 12345678, ask for Tom", "+49 30 12345678")]
    [InlineData("tel:+1-202-456-1111", "+1-202-456-1111")]
    public void Phone_positives(string text, string value) => Finds(text, EntityTypes.Phone, value);

    [Theory]
    [InlineData("built at 2024-01-15 10:30:00 ok")]
    [InlineData("on 15.01.2024 we met")]
    [InlineData("order 12345678 shipped")]
    [InlineData("version 10.2.3 released")]
    [InlineData("3 4 5 6 7 8 9 cards")]
    public void Phone_negatives(string text) => FindsNo(text, EntityTypes.Phone);

    [Theory]
    [InlineData("card 4111 1111 1111 1111 exp", "4111 1111 1111 1111")]
    [InlineData("4111-1111-1111-1111", "4111-1111-1111-1111")]
    [InlineData("mc 5555555555554444.", "5555555555554444")]
    [InlineData("mc2 2223003122003222", "2223003122003222")]
    [InlineData("amex 3782 822463 10005", "3782 822463 10005")]
    [InlineData("discover 6011111111111117", "6011111111111117")]
    [InlineData("jcb 3530111333300000", "3530111333300000")]
    [InlineData("diners 30569309025904", "30569309025904")]
    [InlineData("unionpay 6200000000000005", "6200000000000005")]
    [InlineData("in 2024 4111 1111 1111 1111 was used", "4111 1111 1111 1111")]
    public void Card_positives(string text, string value) => Finds(text, EntityTypes.CreditCard, value);

    [Theory]
    [InlineData("card 4111 1111 1111 1112 exp")] // Luhn-invalid
    [InlineData("id 1234567812345670")] // Luhn-valid but no issuer (1…)
    [InlineData("order 9999999999999995 shipped")] // no issuer
    [InlineData("4111111111111111abc")] // part of a token
    [InlineData("5105 1051 0510 510")] // Mastercard prefix, wrong length
    public void Card_negatives(string text) => FindsNo(text, EntityTypes.CreditCard);

    [Theory]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00")]
    [InlineData("GB82WEST12345698765432", "GB82WEST12345698765432")]
    [InlineData("fr: FR1420041010050500013M02606.", "FR1420041010050500013M02606")]
    [InlineData("nl91abna0417164300", "nl91abna0417164300")]
    public void Iban_positives(string text, string value) => Finds(text, EntityTypes.Iban, value);

    [Theory]
    [InlineData("DE89 3704 0044 0532 0130 01")] // checksum
    [InlineData("GB82WEST1234569876543")] // too short for GB
    [InlineData("XX82WEST12345698765432")] // no such country
    [InlineData("DE89370400440532013000123")] // too long
    public void Iban_negatives(string text) => FindsNo(text, EntityTypes.Iban);

    [Theory]
    [InlineData("SSN 536-22-1234.", "536-22-1234")]
    [InlineData("ssn 536 22 1234", "536 22 1234")]
    [InlineData("social security number: 536221234", "536221234")]
    public void Ssn_positives(string text, string value) => Finds(text, EntityTypes.UsSsn, value);

    [Theory]
    [InlineData("ssn 000-12-3456")]
    [InlineData("ssn 666-12-3456")]
    [InlineData("ssn 912-12-3456")]
    [InlineData("ssn 536-00-1234")]
    [InlineData("ssn 536-22-0000")]
    [InlineData("ssn 078-05-1120")]
    [InlineData("ssn 219-09-9999")]
    [InlineData("ssn 123-45-6789")]
    [InlineData("zip code 536221234")] // nine digits without context
    [InlineData("ssn 536-22-1234-99")] // longer number
    [InlineData("ssn 536-22 1234")] // mixed separators
    public void Ssn_negatives(string text) => FindsNo(text, EntityTypes.UsSsn);

    [Theory]
    [InlineData("host 192.168.1.20 down", "192.168.1.20")]
    [InlineData("1.2.3.4", "1.2.3.4")] // a valid address: redacted (see docs/redaction.md)
    [InlineData("ping 2001:db8::8a2e:370:7334.", "2001:db8::8a2e:370:7334")]
    [InlineData("loopback ::1 and fe80::1", "fe80::1")]
    [InlineData("mapped ::ffff:10.0.0.1", "::ffff:10.0.0.1")]
    public void Ip_positives(string text, string value) => Finds(text, EntityTypes.IpAddress, value);

    [Theory]
    [InlineData("256.1.1.1 is not an address")]
    [InlineData("version 1.2.3.4 released")]
    [InlineData("v1.2.3.4")]
    [InlineData("1.2.3.4.5 is an OID")]
    [InlineData("at 10:30:00 sharp")]
    [InlineData("mac 00:1a:2b:3c:4d:5e")]
    [InlineData("std::vector<int>")]
    [InlineData("01.02.03.04")]
    public void Ip_negatives(string text) => FindsNo(text, EntityTypes.IpAddress);

    [Theory]
    [InlineData("clone https://bob:hunter2@git.example.com/x.git", "bob:hunter2")]
    [InlineData("redis://:s3cr3t@cache:6379/0", ":s3cr3t")]
    [InlineData("postgres://app:p%40ss@db.internal/app", "app:p%40ss")]
    public void Url_credentials_positives(string text, string value) => Finds(text, EntityTypes.UrlCredentials, value);

    [Theory]
    [InlineData("ssh://git@github.com/org/repo")]
    [InlineData("https://example.com/a:b@c")]
    [InlineData("see http://example.com")]
    public void Url_credentials_negatives(string text) => FindsNo(text, EntityTypes.UrlCredentials);

    [Theory]
    [InlineData("She was born on 12 March 1985.", "12 March 1985")]
    [InlineData("DOB: 1985-03-12", "1985-03-12")]
    [InlineData("date of birth 03/12/1985", "03/12/1985")]
    [InlineData("birthday is March 12th, 1985", "March 12th, 1985")]
    [InlineData("geb. 12.03.1985 in Köln", "12.03.1985")]
    [InlineData("1985-03-12 (date of birth)", "1985-03-12")]
    public void Date_of_birth_positives(string text, string value) => Finds(text, EntityTypes.DateOfBirth, value);

    [Theory]
    [InlineData("The meeting is on 12 March 1985.")]
    [InlineData("born on 31/02/1985")] // no such day
    [InlineData("born in the year of the great flood, on 1985-13-01")]
    public void Date_of_birth_negatives(string text) => FindsNo(text, EntityTypes.DateOfBirth);

    [Theory]
    [InlineData("Dear John Smith, thanks", "John Smith")]
    [InlineData("Hi Anna, see you", "Anna")]
    [InlineData("Meeting with Dr. Nguyen tomorrow", "Nguyen")]
    [InlineData("my name is Will Turner", "Will Turner")]
    [InlineData("Yesterday Maria Ionescu called", "Maria Ionescu")]
    [InlineData("Best regards,\nMark", "Mark")]
    [InlineData("Ask Mrs. Grace Hopper", "Grace Hopper")]
    [InlineData("John F. Kennedy spoke", "John F. Kennedy")]
    public void Person_positives(string text, string value) => Finds(text, EntityTypes.Person, value);

    [Theory]
    [InlineData("Will you review the May budget?")]
    [InlineData("Mark the task as done.")]
    [InlineData("Anna said yes.")] // a lone first name without context
    [InlineData("The Project Report is in the Settings tab.")]
    [InlineData("Open the File menu and click Save.")]
    [InlineData("Jordan River tours start in June.")]
    [InlineData("We use New York time.")]
    public void Person_negatives(string text) => FindsNo(text, EntityTypes.Person);

    [Fact]
    public void Private_key_blocks_whole_and_truncated()
    {
        const string Key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234\nabcd==\n-----END RSA PRIVATE KEY-----";
        Finds($"key:\n{Key}\nthanks", EntityTypes.PrivateKey, Key);
        const string Cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA";
        Finds($"pasted {Cut}", EntityTypes.PrivateKey, Cut);
        FindsNo("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", EntityTypes.PrivateKey);
        FindsNo("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", EntityTypes.PrivateKey);
    }

    [Fact]
    public void Jwt_needs_a_header_with_alg()
    {
        const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        Finds($"Authorization: Bearer {Jwt}", EntityTypes.Jwt, Jwt);
        // {"typ":"JWT"} without alg, and a header that is not JSON.
        FindsNo("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.abc", EntityTypes.Jwt);
        FindsNo("eyJub3QganNvbg.eyJzdWIiOiIxIn0.abc", EntityTypes.Jwt);
    }

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("ASIAY34FZKBOKMUTVV7A")]
    [InlineData("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")]
    [InlineData("github_pat_11ABCDEFG0123456789abc_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")]
    [InlineData("sk_live_4eC39HqLyjWDarjtT1zdp7dc")]
    [InlineData("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY")]
    [InlineData("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z")]
    [InlineData("glpat-xR4Tz9Qw2Er6Ty8Ui0Op")]
    [InlineData("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")]
    [InlineData("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")]
    [InlineData("SK0123456789abcdef0123456789abcdef")]
    [InlineData("hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567")]
    public void Known_token_prefixes(string token) => Finds($"leaked {token} in the log", EntityTypes.ApiKey, token);

    [Theory]
    [InlineData("AKIA is a prefix")]
    [InlineData("ASIAN markets")]
    [InlineData("the sk-learn package")]
    [InlineData("risk-averse-investment-strategy-for-beginners")]
    [InlineData("SKU1234")]
    public void Known_token_negatives(string text) => FindsNo(text, EntityTypes.ApiKey);

    [Theory]
    [InlineData("password: Xk9#mQ2!vL", "Xk9#mQ2!vL")]
    [InlineData("my password is hunter2", "hunter2")]
    [InlineData("DB_PASSWORD=\"c0rrect-H0rse\"", "c0rrect-H0rse")]
    [InlineData("api_key = 3f9a7c2e8b1d4f6a0c5e9b2d7f1a3c8e", "3f9a7c2e8b1d4f6a0c5e9b2d7f1a3c8e")]
    [InlineData("client_secret: Zq8vN3xL0pR7tY2wK5mB9cF4", "Zq8vN3xL0pR7tY2wK5mB9cF4")]
    [InlineData("token=6f1c2a34-9b7e-4d2f-8a61-0c3e5d7f9b21", "6f1c2a34-9b7e-4d2f-8a61-0c3e5d7f9b21")]
    [InlineData("Authorization: Bearer Zq8vN3xL0pR7tY2wK5mB9cF4", "Zq8vN3xL0pR7tY2wK5mB9cF4")]
    [InlineData("apiKey: 'Zq8vN3xL0pR7tY2wK5mB9cF4'", "Zq8vN3xL0pR7tY2wK5mB9cF4")]
    public void Generic_secret_positives(string text, string value) => Finds(text, EntityTypes.Secret, value);

    [Theory]
    [InlineData("request 6f1c2a34-9b7e-4d2f-8a61-0c3e5d7f9b21 failed")] // a UUID without a key word
    [InlineData("password: changed")] // one character class
    [InlineData("The password reset page moved.")]
    [InlineData("keyboard: Zq8vN3xL0pR7tY2wK5mB9cF4")] // not the word "key"
    [InlineData("the tokenizer: Zq8vN3xL0pR7tY2wK5mB9cF4")]
    [InlineData("token: aaaaaaaaaaaaaaaa")] // no entropy
    [InlineData("secret: thisisjustaword")]
    [InlineData("commit 3f9a7c2e8b1d4f6a0c5e9b2d7f1a3c8e4b6d8f0a fixed it")]
    public void Generic_secret_negatives(string text) => FindsNo(text, EntityTypes.Secret);

    [Theory]
    [InlineData("Order 12345678 shipped on 2024-01-15.")]
    [InlineData("The build finished at 2024-01-15 10:30:00 without errors.")]
    [InlineData("Version 2.14.3 was released yesterday.")]
    [InlineData("Total: 1,234.56 USD for 12 items.")]
    [InlineData("Press Ctrl+Shift+K in Visual Studio Code.")]
    [InlineData("The quick brown fox jumps over the lazy dog.")]
    [InlineData("")]
    public void Ordinary_text_is_left_alone(string text) => FindsNothing(text);

    [Fact]
    public void Overlaps_resolve_by_tier_then_length()
    {
        // A card number (checksum) wins over the phone-like digits inside it; a known-prefix key
        // wins over the generic secret after "token:"; the JWT wins over "Bearer" + value.
        var found = Found("token: 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 and card 4111 1111 1111 1111");
        Assert.Equal([(EntityTypes.ApiKey, "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"), (EntityTypes.CreditCard, "4111 1111 1111 1111")], found);
        var url = Found("https://bob:pw1234@mail.example.com/");
        Assert.Equal([(EntityTypes.UrlCredentials, "bob:pw1234")], url);
    }

    [Fact]
    public void Spans_are_ordered_disjoint_and_index_the_input()
    {
        const string Text = "Dear John Smith, mail jane@example.com or call 415-867-5309; card 4111111111111111.";
        var result = Engine.Redact(Text, TextSource.Other);
        Assert.Equal("Dear <PERSON>, mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>; card <CREDIT_CARD>.", result.Text);
        for (var i = 1; i < result.Spans.Count; i++)
        {
            Assert.True(result.Spans[i - 1].End <= result.Spans[i].Start);
        }
    }
}
