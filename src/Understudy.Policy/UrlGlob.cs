using System.Text;
using System.Text.RegularExpressions;

namespace Understudy.Policy;

/// <summary>
/// Domain and URL globs for browser rules. A pattern without '/' is a host pattern:
/// <c>example.com</c> matches that host, <c>*.example.com</c> matches example.com and every
/// subdomain. A pattern with '/' is matched against host + path (no scheme), and '*' there matches
/// anything, e.g. <c>intranet.corp/*</c>. Matching ignores case.
/// </summary>
internal sealed class UrlGlob
{
    private static readonly Regex Scheme = new("^[a-z][a-z0-9+.-]*://", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private readonly Regex _regex;
    private readonly bool _hostOnly;

    public UrlGlob(string normalized)
    {
        Pattern = normalized;
        _hostOnly = !normalized.Contains('/', StringComparison.Ordinal);
        var body = new StringBuilder("^");
        var pattern = normalized;
        if (_hostOnly && pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            body.Append(@"(?:.*\.)?");
            pattern = pattern[2..];
        }
        foreach (var c in pattern)
        {
            body.Append(c == '*' ? ".*" : Regex.Escape(c.ToString()));
        }
        body.Append('$');
        _regex = new Regex(body.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public string Pattern { get; }

    /// <summary>The pattern in its stored form (scheme removed, host lower-cased), or null with the problem.</summary>
    public static string? Normalize(string pattern, out string? problem)
    {
        var text = Scheme.Replace(pattern.Trim(), "");
        if (text.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problem = $"expected a domain or URL pattern such as *.example.com or intranet.corp/*, got '{pattern}'";
            return null;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? text : text[..slash];
        if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '*' or ':' or '_'))
        {
            problem = $"'{pattern}' does not start with a valid domain pattern (letters, digits, '-', '.', '*')";
            return null;
        }
        problem = null;
        return host.ToLowerInvariant() + (slash < 0 ? "" : text[slash..]);
    }

    /// <summary>Whether <paramref name="url"/> (a full URL, or a bare host) matches.</summary>
    public bool Matches(UrlParts url) => _regex.IsMatch(_hostOnly ? url.Host : url.HostAndPath);
}

/// <summary>A URL reduced to what globs see: the host, and host + path + query without the scheme or credentials.</summary>
internal readonly record struct UrlParts(string Host, string HostAndPath)
{
    private static readonly Regex Candidate = new(
        @"(?:[a-z][a-z0-9+.-]*://)?(?:[^\s/@:]+(?::[^\s/@]*)?@)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}(?::[0-9]{1,5})?(?:/[^\s]*)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>Parses a URL or host name; null when it is not one.</summary>
    public static UrlParts? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var rest = text.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }
        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "" : rest[pathStart..];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        var colon = authority.LastIndexOf(':');
        var host = (colon >= 0 ? authority[..colon] : authority).TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            return null;
        }
        if (path.Length > 0 && path[0] != '/')
        {
            path = "/" + path;
        }
        return new UrlParts(host, host + path);
    }

    /// <summary>Every URL or domain name visible in a window title, e.g. "intranet.corp/expenses – Chromium".</summary>
    public static IEnumerable<UrlParts> FindIn(string? title)
    {
        if (string.IsNullOrEmpty(title))
        {
            yield break;
        }
        foreach (Match match in Candidate.Matches(title))
        {
            if (Parse(match.Value) is { } parts)
            {
                yield return parts;
            }
        }
    }
}
