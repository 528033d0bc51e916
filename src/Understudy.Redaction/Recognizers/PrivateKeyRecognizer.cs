using Understudy.Core.Redaction;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// PEM private key blocks: from a <c>-----BEGIN … PRIVATE KEY-----</c> line (RSA, EC, DSA,
/// OPENSSH, ENCRYPTED, PGP … PRIVATE KEY BLOCK) to the matching <c>-----END …-----</c>; a block
/// without its END (truncated, or still being typed or pasted) runs to the end of the text.
/// </summary>
internal sealed class PrivateKeyRecognizer : Recognizer
{
    private const string Begin = "-----BEGIN ";

    public override IReadOnlyList<string> Types { get; } = [EntityTypes.PrivateKey];

    public override void Find(ScanContext context)
    {
        var text = context.Text;
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        while (begin >= 0)
        {
            context.CheckDeadline();
            var labelStart = begin + Begin.Length;
            var labelEnd = text.IndexOf("-----", labelStart, Math.Min(80, text.Length - labelStart), StringComparison.Ordinal);
            var label = labelEnd >= 0 ? text.AsSpan(labelStart, labelEnd - labelStart) : text.AsSpan(labelStart, Math.Min(80, text.Length - labelStart));
            if (!label.Contains("PRIVATE KEY", StringComparison.Ordinal) || label.ContainsAny('\n', '\r'))
            {
                begin = text.IndexOf(Begin, labelStart, StringComparison.Ordinal);
                continue;
            }
            var end = text.Length;
            var endMarker = text.IndexOf("-----END ", labelStart, StringComparison.Ordinal);
            if (endMarker >= 0)
            {
                var close = text.IndexOf("-----", endMarker + 9, StringComparison.Ordinal);
                end = close >= 0 && close - endMarker < 100 ? close + 5 : text.Length;
            }
            context.Add(begin, end, EntityTypes.PrivateKey, Tiers.KnownSecret);
            begin = end < text.Length ? text.IndexOf(Begin, end, StringComparison.Ordinal) : -1;
        }
    }
}
