using System.Diagnostics;
using System.Text;
using Understudy.Core.Redaction;
using Understudy.Redaction.Recognizers;

namespace Understudy.Redaction;

/// <summary>
/// The recorder's text redactor: runs every enabled recognizer over the text, resolves overlaps
/// (higher tier first: known-prefix/structural secrets, then checksum-validated numbers, then
/// format-validated values, then generic secrets and names; within a tier the longer span, then the
/// earlier one), and replaces each kept span by a placeholder or a consistent surrogate.
/// Thread-safe; bounded in time; any fault or timeout fails closed: the whole input becomes
/// <c>&lt;UNSCANNED&gt;</c>. It never logs or keeps the text.
/// </summary>
public sealed class TextRedactionEngine : ITextRedactor
{
    private static readonly Lazy<TextRedactionEngine> SharedInstance = new(() => new TextRedactionEngine(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly string UnscannedText = EntityTypes.Placeholder(EntityTypes.Unscanned);

    private readonly Recognizer[] _recognizers;
    private readonly PrivateKeyRecognizer? _privateKeys;
    private readonly SurrogateGenerator _surrogates = new();

    public TextRedactionEngine()
        : this(RedactionOptions.Default)
    {
    }

    public TextRedactionEngine(RedactionOptions options)
        : this(options, DefaultRecognizers())
    {
    }

    /// <summary>The test seam: an engine over the given recognizers (e.g. one that throws).</summary>
    internal TextRedactionEngine(RedactionOptions options, IEnumerable<Recognizer> recognizers)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxInputLength < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxInputLength must be at least 1024");
        }
        Options = options;
        var enabled = recognizers.Where(r => r.Types.Any(options.IsEnabled)).ToList();
        _privateKeys = enabled.OfType<PrivateKeyRecognizer>().FirstOrDefault();
        _recognizers = [.. enabled.Where(r => r is not PrivateKeyRecognizer)];
    }

    /// <summary>A process-wide engine with the default options, built on first use.</summary>
    public static TextRedactionEngine Shared => SharedInstance.Value;

    public RedactionOptions Options { get; }

    /// <summary>Loads the name gazetteer and phone metadata now rather than on the first call (~100 ms).</summary>
    public static void Preload()
    {
        _ = Gazetteer.Shared;
        _ = Shared.Redact("Dear John Smith, call +1 212 555 0100", TextSource.Other);
    }

    internal static Recognizer[] DefaultRecognizers() =>
    [
        new PrivateKeyRecognizer(),
        new JwtRecognizer(),
        new ApiKeyRecognizer(),
        new UrlCredentialsRecognizer(),
        new EmailRecognizer(),
        new CreditCardRecognizer(),
        new IbanRecognizer(),
        new SsnRecognizer(),
        new IpAddressRecognizer(),
        new PhoneRecognizer(),
        new DateOfBirthRecognizer(),
        new GenericSecretRecognizer(),
        new PersonRecognizer(),
    ];

    public RedactionResult Redact(string text, TextSource source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return RedactionResult.Unchanged(text);
        }
        try
        {
            List<Candidate> found;
            if (text.Length <= Options.MaxInputLength)
            {
                found = Scan(text, 0, text.Length, includePrivateKeys: true);
            }
            else if (Options.LongInput == LongInputHandling.FailClosed)
            {
                return FailClosed(text);
            }
            else
            {
                found = ScanInWindows(text);
            }
            return Apply(text, Resolve(found, text.Length));
        }
        catch (Exception)
        {
            // Timeout, a recognizer's fault, anything: nothing of the text may leave unscanned.
            return FailClosed(text);
        }
    }

    internal static RedactionResult FailClosed(string text) =>
        new(UnscannedText, [new RedactedSpan(0, text.Length, EntityTypes.Unscanned, UnscannedText)], true);

    private List<Candidate> Scan(string whole, int offset, int length, bool includePrivateKeys)
    {
        var text = offset == 0 && length == whole.Length ? whole : whole.Substring(offset, length);
        var deadline = Stopwatch.GetTimestamp() + (long)(Options.TimeBudget.TotalSeconds * Stopwatch.Frequency);
        var context = new ScanContext(text, Options, deadline);
        if (includePrivateKeys)
        {
            _privateKeys?.Find(context);
        }
        foreach (var recognizer in _recognizers)
        {
            recognizer.Find(context);
            context.CheckDeadlineNow();
        }
        var found = context.Found;
        if (offset != 0)
        {
            for (var i = 0; i < found.Count; i++)
            {
                found[i] = found[i] with { Start = found[i].Start + offset, End = found[i].End + offset };
            }
        }
        return found;
    }

    /// <summary>
    /// Windows of <see cref="RedactionOptions.MaxInputLength"/> overlapping by an eighth of it (at
    /// most 4 KiB), so any finding shorter than the overlap lies whole in some window. Private key
    /// blocks, which can be longer, are found over the whole text in one linear pass.
    /// </summary>
    private List<Candidate> ScanInWindows(string text)
    {
        var window = Options.MaxInputLength;
        var overlap = Math.Min(4096, window / 8);
        var all = new List<Candidate>();
        if (_privateKeys is not null)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(Options.TimeBudget.TotalSeconds * Stopwatch.Frequency);
            var context = new ScanContext(text, Options, deadline);
            _privateKeys.Find(context);
            all.AddRange(context.Found);
        }
        for (var start = 0; start < text.Length; start += window - overlap)
        {
            var length = Math.Min(window, text.Length - start);
            var end = start + length;
            // A finding that touches an inner window edge may be cut off there; the neighbouring
            // window, which overlaps this one by more than any such finding, holds it whole.
            foreach (var candidate in Scan(text, start, length, includePrivateKeys: false))
            {
                if ((candidate.End < end || end == text.Length) && (candidate.Start > start || start == 0))
                {
                    all.Add(candidate);
                }
            }
            if (end >= text.Length)
            {
                break;
            }
        }
        return all;
    }

    private List<Candidate> Resolve(List<Candidate> found, int textLength)
    {
        var kept = new List<Candidate>(found.Count);
        if (found.Count == 0)
        {
            return kept;
        }
        found.RemoveAll(candidate => !Options.IsEnabled(candidate.Type) || candidate.Start < 0 || candidate.End > textLength || candidate.End <= candidate.Start);
        found.Sort(static (a, b) =>
        {
            var byTier = b.Tier.CompareTo(a.Tier);
            if (byTier != 0)
            {
                return byTier;
            }
            var byLength = b.Length.CompareTo(a.Length);
            return byLength != 0 ? byLength : a.Start.CompareTo(b.Start);
        });
        if (found.Count <= 16)
        {
            foreach (var candidate in found)
            {
                if (!kept.Exists(k => k.Start < candidate.End && candidate.Start < k.End))
                {
                    kept.Add(candidate);
                }
            }
        }
        else
        {
            var occupied = new bool[textLength];
            foreach (var candidate in found)
            {
                var range = occupied.AsSpan(candidate.Start, candidate.Length);
                if (!range.Contains(true))
                {
                    range.Fill(true);
                    kept.Add(candidate);
                }
            }
        }
        kept.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }

    private RedactionResult Apply(string text, List<Candidate> spans)
    {
        if (spans.Count == 0)
        {
            return RedactionResult.Unchanged(text);
        }
        var output = new StringBuilder(text.Length + (spans.Count * 8));
        var result = new RedactedSpan[spans.Count];
        var position = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            output.Append(text, position, span.Start - position);
            var replacement = Options.ActionFor(span.Type) == RedactionAction.Surrogate
                ? _surrogates.Create(span.Type, text.Substring(span.Start, span.Length))
                : EntityTypes.Placeholder(span.Type);
            output.Append(replacement);
            result[i] = new RedactedSpan(span.Start, span.End, span.Type, replacement);
            position = span.End;
        }
        output.Append(text, position, text.Length - position);
        return new RedactionResult(output.ToString(), result, false);
    }
}
