using System.Globalization;
using System.Text;
using Bogus;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Evaluation;

/// <summary>A gold span of a labelled sentence.</summary>
internal readonly record struct GoldSpan(int Start, int End, string Type);

/// <summary>One generated sentence and the entities it holds.</summary>
internal sealed record LabelledSentence(string Text, IReadOnlyList<GoldSpan> Labels, string Template);

/// <summary>
/// A labelled synthetic corpus from 59 templates: each entity type in several phrasings, and
/// negatives (order numbers, versions, time stamps, UUIDs, Luhn-invalid numbers, invalid SSNs,
/// capitalised ordinary words). Deterministic for a seed. Names come from Bogus's locale data,
/// the same lists as the gazetteer: person recall here measures the rules, not the name list's coverage.
/// </summary>
internal static class RedactionCorpus
{
    private delegate (string Value, int LabelStart, int LabelEnd, string? Type) Slot(Faker faker);

    private static (string, int, int, string?) Label(string value, string type) => (value, 0, value.Length, type);

    private static (string, int, int, string?) Plain(string value) => (value, 0, 0, null);

    private static readonly string[] Locales = ["en", "en", "en", "de", "fr", "es"];

    private static readonly Dictionary<string, Slot> Slots = new(StringComparer.Ordinal)
    {
        ["email"] = f => Label(f.Internet.Email(), EntityTypes.Email),
        ["phone"] = f => Label(CorpusValues.Phone(f.Random), EntityTypes.Phone),
        ["card"] = f => Label(CorpusValues.Card(f.Random), EntityTypes.CreditCard),
        ["iban"] = f => Label(CorpusValues.Iban(f.Random), EntityTypes.Iban),
        ["ssn"] = f => Label(CorpusValues.Ssn(f.Random), EntityTypes.UsSsn),
        ["ipv4"] = f => Label(CorpusValues.IPv4(f.Random), EntityTypes.IpAddress),
        ["ipv6"] = f => Label(CorpusValues.IPv6(f.Random), EntityTypes.IpAddress),
        ["dob"] = f => Label(CorpusValues.DateOfBirth(f.Random), EntityTypes.DateOfBirth),
        ["url"] = f =>
        {
            var user = f.Internet.UserName().Replace(".", "_", StringComparison.Ordinal);
            var userinfo = $"{user}:{CorpusValues.Password(f.Random).Replace("#", "x", StringComparison.Ordinal).Replace("?", "q", StringComparison.Ordinal)}";
            var scheme = f.Random.ArrayElement(["https", "postgres", "redis", "ftp", "mongodb"]);
            var value = $"{scheme}://{userinfo}@{f.Internet.DomainName()}/{f.Internet.DomainWord()}";
            return (value, scheme.Length + 3, scheme.Length + 3 + userinfo.Length, EntityTypes.UrlCredentials);
        },
        ["person"] = f => Label($"{Name(f).FirstName()} {Name(f).LastName()}", EntityTypes.Person),
        ["pfirst"] = f => Label(Name(f).FirstName(), EntityTypes.Person),
        ["plast"] = f => Label(Name(f).LastName(), EntityTypes.Person),
        ["key"] = f => Label(CorpusValues.KnownToken(f.Random).Value, EntityTypes.ApiKey),
        ["jwt"] = f => Label(CorpusValues.Jwt(f.Random), EntityTypes.Jwt),
        ["pem"] = f => Label(CorpusValues.PrivateKey(f.Random, truncated: false), EntityTypes.PrivateKey),
        ["pemcut"] = f => Label(CorpusValues.PrivateKey(f.Random, truncated: true), EntityTypes.PrivateKey),
        ["password"] = f => Label(CorpusValues.Password(f.Random), EntityTypes.Secret),
        ["hexsecret"] = f => Label(CorpusValues.HexSecret(f.Random, f.Random.Number(24, 64)), EntityTypes.Secret),
        ["b64secret"] = f => Label(CorpusValues.Base64Secret(f.Random, f.Random.Number(20, 48)), EntityTypes.Secret),
        ["uuidsecret"] = f => Label(CorpusValues.Uuid(f.Random), EntityTypes.Secret),
        // Hard cases, kept in so the figures are not flattered: a lone first name without context,
        // a lower-case name, a national number of another region, a one-word password.
        ["lperson"] = f => Label($"{Name(f).FirstName()} {Name(f).LastName()}".ToLowerInvariant(), EntityTypes.Person),
        ["emailupper"] = f => Label(f.Internet.Email().ToUpperInvariant(), EntityTypes.Email),
        ["dobshort"] = f => Label(new DateTime(1940, 1, 1).AddDays(f.Random.Number(0, 60 * 365)).ToString("M/d/yy", CultureInfo.InvariantCulture), EntityTypes.DateOfBirth),
        ["phonede"] = f => Label($"030 {f.Random.Number(20000000, 99999999)}", EntityTypes.Phone),
        ["ipport"] = f =>
        {
            var ip = CorpusValues.IPv4(f.Random);
            return ($"{ip}:{f.Random.Number(1024, 65535)}", 0, ip.Length, EntityTypes.IpAddress);
        },
        ["weakpw"] = f => Label(f.Random.ArrayElement(["sunshine", "dragonfly", "blueberry", "princess", "football", "whatever"]), EntityTypes.Secret),
        // Negatives.
        ["order"] = f => Plain(f.Random.Number(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture)),
        ["version"] = f => Plain($"{f.Random.Number(1, 12)}.{f.Random.Number(0, 30)}.{f.Random.Number(0, 99)}"),
        ["timestamp"] = f => Plain(f.Date.Between(new DateTime(2015, 1, 1), new DateTime(2026, 1, 1)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
        ["date"] = f => Plain(f.Date.Between(new DateTime(2015, 1, 1), new DateTime(2026, 1, 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ["uuid"] = f => Plain(CorpusValues.Uuid(f.Random)),
        ["luhnbad"] = f => Plain(CorpusValues.LuhnInvalidCard(f.Random)),
        ["badssn"] = f => Plain(f.Random.ArrayElement(["000", "666", "912", "987"]) + "-" + f.Random.Number(10, 99).ToString(CultureInfo.InvariantCulture) + "-" + f.Random.Number(1000, 9999).ToString(CultureInfo.InvariantCulture)),
        ["amount"] = f => Plain(f.Finance.Amount(10, 99999).ToString("N2", CultureInfo.InvariantCulture)),
        ["n"] = f => Plain(f.Random.Number(2, 500).ToString(CultureInfo.InvariantCulture)),
        ["product"] = f => Plain(f.Commerce.ProductName()),
        ["company"] = f => Plain(f.Company.CompanyName(0)),
        ["month"] = f => Plain(f.Date.Month()),
        ["phrase"] = f => Plain(f.Hacker.Phrase()),
        ["sha"] = f => Plain(CorpusValues.HexSecret(f.Random, 40)),
    };

    private static Bogus.DataSets.Name Name(Faker faker) => new(faker.Random.ArrayElement(Locales)) { Random = faker.Random };

    internal static readonly string[] PositiveTemplates =
    [
        "Please send the report to {email} by Friday.",
        "You can reach me at {phone} after five.",
        "My card number is {card}, it expires next year.",
        "charge it to {card} please",
        "Transfer the deposit to IBAN {iban} before the end of the month.",
        "Her SSN is {ssn} according to the file.",
        "The server at {ipv4} stopped responding at noon.",
        "Ping {ipv6} from the jump host.",
        "Clone it from {url} and run the tests.",
        "She was born on {dob} in a small town.",
        "Date of birth: {dob}",
        "Dear {person}, thank you for your order.",
        "{person} joined the meeting late.",
        "Meeting with Dr. {plast} tomorrow at ten.",
        "Best regards,\n{person}",
        "export AWS_KEY={key}",
        "the deploy used {key} by mistake",
        "Authorization: Bearer {jwt}",
        "password: {password}",
        "here is the key {pem} keep it safe",
        "pasted: {pemcut}",
        "api_key = \"{hexsecret}\"",
        "client_secret: {b64secret}",
        "token={uuidsecret}",
        "Call {person} on {phone} or mail {email}.",
        "Wire it to {iban} and use card {card} as a backup.",
        "my name is {person} and my DOB is {dob}",
        "Hi {pfirst}, the SSN on file is {ssn}.",
        "Ask Mrs. {person} about the invoice.",
        "Contact {email} or {ipv4} for access.",
        "DB_PASSWORD={password}",
        "Signed, {person}",
        "ask {pfirst} about it",
        "talk to {lperson} tomorrow",
        "SEND IT TO {emailupper} NOW",
        "dob {dobshort}",
        "my Berlin number is {phonede}",
        "ssh into {ipport} as root",
        "the wifi password is {weakpw}",
    ];

    internal static readonly string[] NegativeTemplates =
    [
        "Order {order} shipped on {date}.",
        "Version {version} was released yesterday.",
        "The build finished at {timestamp} without errors.",
        "Request {uuid} failed with status 502.",
        "The {company} team shipped {n} features in {month}.",
        "Will you review the May budget for {product}?",
        "Total: {amount} USD for {n} items.",
        "Room {badssn} was booked twice.",
        "Card {luhnbad} was declined.",
        "Mark the task as done and call it a day.",
        "{phrase}",
        "Commit {sha} fixed the tokenizer.",
        "Set the key binding to Ctrl+Shift+K and press Enter.",
        "The password reset page moved to the Settings tab.",
        "Meet at Victoria Station at {n} pm.",
        "Flight {n} from Austin Texas lands at 10:45.",
        "ISBN 978-3-16-148410-0 is on the back.",
        "Release v2.3.4.5 notes are out.",
        "Coordinates 48.8566, 2.3522 mark the spot.",
        "Sprint planning with Product Design in {month}.",
    ];

    /// <summary>Generates <paramref name="count"/> sentences: every positive template in turn, and a negative one in every fourth.</summary>
    public static List<LabelledSentence> Generate(int count, int seed)
    {
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var sentences = new List<LabelledSentence>(count);
        var positive = 0;
        var negative = 0;
        for (var i = 0; i < count; i++)
        {
            var template = i % 4 == 3
                ? NegativeTemplates[negative++ % NegativeTemplates.Length]
                : PositiveTemplates[positive++ % PositiveTemplates.Length];
            sentences.Add(Fill(template, faker));
        }
        return sentences;
    }

    public static LabelledSentence Fill(string template, Faker faker)
    {
        var builder = new StringBuilder();
        var labels = new List<GoldSpan>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open);
            builder.Append(template, i, open - i);
            var (value, labelStart, labelEnd, type) = Slots[template[(open + 1)..close]](faker);
            if (type is not null)
            {
                labels.Add(new GoldSpan(builder.Length + labelStart, builder.Length + labelEnd, type));
            }
            builder.Append(value);
            i = close + 1;
        }
        return new LabelledSentence(builder.ToString(), labels, template);
    }

    /// <summary>
    /// Mostly ordinary prose (Bogus reviews, phrases, product and company names) with a labelled
    /// sentence in about one of every <paramref name="piiEvery"/>: the benchmark's mixed text.
    /// </summary>
    public static string MixedText(int targetChars, int seed, int piiEvery = 20)
    {
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var builder = new StringBuilder(targetChars + 256);
        var n = 0;
        while (builder.Length < targetChars)
        {
            n++;
            if (piiEvery > 0 && n % piiEvery == 0)
            {
                builder.Append(Fill(faker.Random.ArrayElement(PositiveTemplates), faker).Text);
            }
            else
            {
                builder.Append((n % 3) switch
                {
                    0 => faker.Rant.Review(faker.Commerce.ProductName()),
                    1 => Capitalise(faker.Hacker.Phrase()),
                    _ => $"The {faker.Commerce.ProductAdjective().ToLowerInvariant()} {faker.Commerce.Product().ToLowerInvariant()} from {faker.Company.CompanyName(0)} costs {faker.Commerce.Price()} dollars and ships in {faker.Random.Number(2, 9)} days.",
                });
            }
            builder.Append(n % 7 == 0 ? "\n" : " ");
        }
        return builder.ToString();
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
