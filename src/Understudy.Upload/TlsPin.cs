using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Understudy.Upload;

/// <summary>
/// Public-key pinning for a collector whose certificate no public authority signed (the
/// development certificate): "sha256/" + base64 of the SHA-256 of the certificate's
/// SubjectPublicKeyInfo. With a pin, the connection is accepted exactly when the server's key
/// matches it; without one, the system's usual validation applies.
/// </summary>
public static class TlsPin
{
    private const string Prefix = "sha256/";

    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Prefix + Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public static bool IsValid(string? pin) =>
        pin is not null && pin.StartsWith(Prefix, StringComparison.Ordinal) &&
        Convert.TryFromBase64String(pin[Prefix.Length..], new byte[32], out var written) && written == 32;

    /// <summary>An HTTP handler that enforces <paramref name="pin"/> when it is given.</summary>
    public static SocketsHttpHandler Handler(string? pin) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = pin is null
                ? null
                : (_, certificate, _, _) => certificate is not null &&
                    string.Equals(Of(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), pin, StringComparison.Ordinal),
        },
    };
}
