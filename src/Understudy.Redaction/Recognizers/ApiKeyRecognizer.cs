using System.Buffers;
using System.Collections.Frozen;
using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// API keys and tokens with a known prefix (as gitleaks' rules): the prefix at a word boundary,
/// then a body of that token's alphabet and length (exact or a range), not followed by more token
/// characters. One <see cref="SearchValues{T}"/> search finds every prefix at once.
/// </summary>
internal sealed class ApiKeyRecognizer : Recognizer
{
    internal enum Alphabet
    {
        UpperAlnum,
        Alnum,
        Base64Url,
        Hex,
        LowerHex,
        SlackBody,
        SendGrid,
    }

    /// <summary>One known token form: its prefix, body alphabet and body length range.</summary>
    internal sealed record Rule(string Name, string Prefix, Alphabet Body, int MinLength, int MaxLength, bool CaseSensitive = true);

    internal static readonly Rule[] Rules =
    [
        new("aws-access-key", "AKIA", Alphabet.UpperAlnum, 16, 16),
        new("aws-session-key", "ASIA", Alphabet.UpperAlnum, 16, 16),
        new("aws-other-key", "ABIA", Alphabet.UpperAlnum, 16, 16),
        new("aws-other-key", "ACCA", Alphabet.UpperAlnum, 16, 16),
        new("github-pat", "ghp_", Alphabet.Alnum, 36, 36),
        new("github-oauth", "gho_", Alphabet.Alnum, 36, 36),
        new("github-user", "ghu_", Alphabet.Alnum, 36, 36),
        new("github-server", "ghs_", Alphabet.Alnum, 36, 36),
        new("github-refresh", "ghr_", Alphabet.Alnum, 36, 36),
        new("github-fine-grained", "github_pat_", Alphabet.Base64Url, 60, 255),
        new("slack-bot", "xoxb-", Alphabet.SlackBody, 10, 255),
        new("slack-app", "xoxa-", Alphabet.SlackBody, 10, 255),
        new("slack-user", "xoxp-", Alphabet.SlackBody, 10, 255),
        new("slack-refresh", "xoxr-", Alphabet.SlackBody, 10, 255),
        new("slack-legacy", "xoxs-", Alphabet.SlackBody, 10, 255),
        new("slack-webhook", "hooks.slack.com/services/", Alphabet.SlackBody, 20, 255),
        new("stripe-live", "sk_live_", Alphabet.Alnum, 20, 255),
        new("stripe-restricted", "rk_live_", Alphabet.Alnum, 20, 255),
        new("stripe-test", "sk_test_", Alphabet.Alnum, 20, 255),
        new("stripe-restricted-test", "rk_test_", Alphabet.Alnum, 20, 255),
        new("google-api", "AIza", Alphabet.Base64Url, 35, 35),
        new("openai", "sk-", Alphabet.Base64Url, 20, 255),
        new("gitlab-pat", "glpat-", Alphabet.Base64Url, 20, 20),
        new("gitlab-runner", "glrt-", Alphabet.Base64Url, 20, 64),
        new("npm", "npm_", Alphabet.Alnum, 36, 36),
        new("sendgrid", "SG.", Alphabet.SendGrid, 66, 66),
        new("twilio-api-key", "SK", Alphabet.LowerHex, 32, 32),
        new("huggingface", "hf_", Alphabet.Alnum, 34, 34),
        new("pypi", "pypi-AgEIcHlwaS5vcmc", Alphabet.Base64Url, 50, 400),
        new("shopify-access", "shpat_", Alphabet.Hex, 32, 32),
        new("shopify-shared", "shpss_", Alphabet.Hex, 32, 32),
        new("shopify-custom", "shpca_", Alphabet.Hex, 32, 32),
        new("digitalocean", "dop_v1_", Alphabet.LowerHex, 64, 64),
        new("databricks", "dapi", Alphabet.LowerHex, 32, 32),
        new("square-access", "sq0atp-", Alphabet.Base64Url, 22, 22),
        new("square-secret", "sq0csp-", Alphabet.Base64Url, 43, 43),
        new("doppler", "dp.pt.", Alphabet.Alnum, 43, 43),
        new("linear", "lin_api_", Alphabet.Alnum, 40, 40),
        new("postman", "PMAK-", Alphabet.Base64Url, 59, 59),
        new("age-secret-key", "AGE-SECRET-KEY-1", Alphabet.UpperAlnum, 58, 58),
        new("anthropic", "sk-ant-", Alphabet.Base64Url, 32, 255),
    ];

    private static readonly SearchValues<string> Prefixes = SearchValues.Create(Rules.Select(rule => rule.Prefix).Distinct().ToArray(), StringComparison.Ordinal);

    private static readonly FrozenDictionary<string, Rule[]> RulesByPrefix = Rules.GroupBy(rule => rule.Prefix, StringComparer.Ordinal)
        .ToFrozenDictionary(group => group.Key, group => group.ToArray(), StringComparer.Ordinal);

    private static readonly string[] PrefixesLongestFirst = [.. Rules.Select(rule => rule.Prefix).Distinct().OrderByDescending(prefix => prefix.Length)];

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.ApiKey];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var position = 0;
        while (position < text.Length)
        {
            context.CheckDeadline();
            var found = text.AsSpan(position).IndexOfAny(Prefixes);
            if (found < 0)
            {
                return;
            }
            var start = position + found;
            position = start + 1;
            var rest = text.AsSpan(start);
            foreach (var prefix in PrefixesLongestFirst)
            {
                if (rest.StartsWith(prefix, StringComparison.Ordinal) && TryRules(context, text, start, prefix, out var end))
                {
                    position = end;
                    break;
                }
            }
        }
    }

    private static bool TryRules(ScanContext context, string text, int start, string prefix, out int end)
    {
        end = start;
        var before = TextChars.At(text, start - 1);
        var isUrl = prefix.Contains('/', StringComparison.Ordinal);
        if (!isUrl && (char.IsLetterOrDigit(before) || before is '_' || (before == '-' && prefix[^1] != '-')))
        {
            return false;
        }
        foreach (var rule in RulesByPrefix[prefix])
        {
            var bodyStart = start + prefix.Length;
            var bodyEnd = bodyStart;
            while (bodyEnd < text.Length && bodyEnd - bodyStart <= rule.MaxLength && InAlphabet(rule.Body, text[bodyEnd]))
            {
                bodyEnd++;
            }
            // A sentence's full stop or dash after the token is not part of it.
            while (bodyEnd > bodyStart && text[bodyEnd - 1] is '.' or '-' && rule.Body is Alphabet.SendGrid or Alphabet.SlackBody or Alphabet.Base64Url && bodyEnd - bodyStart > rule.MinLength)
            {
                bodyEnd--;
            }
            var length = bodyEnd - bodyStart;
            if (length < rule.MinLength || length > rule.MaxLength)
            {
                continue;
            }
            var after = TextChars.At(text, bodyEnd);
            if (char.IsAsciiLetterOrDigit(after) || after == '_')
            {
                continue;
            }
            if (!BodyPlausible(rule, text.AsSpan(bodyStart, length)))
            {
                continue;
            }
            end = bodyEnd;
            context.Add(start, end, EntityTypes.ApiKey, Tiers.KnownSecret);
            return true;
        }
        return false;
    }

    /// <summary>Rejects bodies that are words or repeated characters (e.g. "sk-" before a hyphenated phrase).</summary>
    private static bool BodyPlausible(Rule rule, ReadOnlySpan<char> body)
    {
        if (rule.Body == Alphabet.SendGrid)
        {
            // SG.<22>.<43>
            var dot = body.IndexOf('.');
            return dot == 22 && body.Length == 66 && body[(dot + 1)..].IndexOf('.') < 0;
        }
        if (rule.Body is Alphabet.Base64Url or Alphabet.Alnum or Alphabet.SlackBody)
        {
            var hasDigit = body.IndexOfAnyInRange('0', '9') >= 0;
            return TextChars.Entropy(body) >= 3.0 && (hasDigit || rule.Prefix != "sk-");
        }
        return true;
    }

    internal static bool InAlphabet(Alphabet alphabet, char c) => alphabet switch
    {
        Alphabet.UpperAlnum => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c),
        Alphabet.Alnum => char.IsAsciiLetterOrDigit(c),
        Alphabet.Base64Url => char.IsAsciiLetterOrDigit(c) || c is '-' or '_',
        Alphabet.Hex => char.IsAsciiHexDigit(c),
        Alphabet.LowerHex => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f',
        Alphabet.SlackBody => char.IsAsciiLetterOrDigit(c) || c is '-' or '/',
        Alphabet.SendGrid => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.',
        _ => false,
    };
}
