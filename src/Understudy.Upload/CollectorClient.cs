using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Understudy.Upload;

/// <summary>A refusal or failure from the collector, with whether trying again later can help.</summary>
public sealed class CollectorException(HttpStatusCode? status, string code, string message, bool transient) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The collector's error code (e.g. <c>consent_not_current</c>), or <c>unreachable</c>.</summary>
    public string Code { get; } = code;

    /// <summary>True for what passes by itself: unreachable, timeouts, 5xx, 429. A 4xx otherwise needs someone to act.</summary>
    public bool Transient { get; } = transient;
}

/// <summary>The device's side of the HTTP API. Every call is safe to repeat.</summary>
public sealed class CollectorClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="tlsPin">The collector's public-key pin (<see cref="TlsPin"/>) when its certificate is self-signed.</param>
    public CollectorClient(Uri server, string? credential, HttpMessageHandler? handler = null, TimeSpan? timeout = null, string? tlsPin = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        _http = handler is null ? new HttpClient(TlsPin.Handler(tlsPin), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = server;
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(60);
        if (credential is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }
    }

    public Task<EnrollResponse> EnrollAsync(string token, CancellationToken cancellation) =>
        SendAsync<EnrollResponse>(HttpMethod.Post, "v1/enroll", JsonContent.Create(new EnrollRequest(token), options: ProtocolJson.Options), cancellation);

    public Task<PolicyResponse> GetPolicyAsync(CancellationToken cancellation) =>
        SendAsync<PolicyResponse>(HttpMethod.Get, "v1/policy", null, cancellation);

    public Task<UploadStatus> CreateUploadAsync(CreateUploadRequest request, CancellationToken cancellation) =>
        SendAsync<UploadStatus>(HttpMethod.Post, "v1/uploads", JsonContent.Create(request, options: ProtocolJson.Options), cancellation);

    public Task<UploadStatus> GetUploadAsync(string uploadId, CancellationToken cancellation) =>
        SendAsync<UploadStatus>(HttpMethod.Get, $"v1/uploads/{Uri.EscapeDataString(uploadId)}", null, cancellation);

    public Task<ChunkResponse> PutChunkAsync(string uploadId, int index, ReadOnlyMemory<byte> chunk, string sha256, CancellationToken cancellation)
    {
        var content = new ReadOnlyMemoryContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(ProtocolJson.ChunkHashHeader, sha256);
        return SendAsync<ChunkResponse>(HttpMethod.Put, $"v1/uploads/{Uri.EscapeDataString(uploadId)}/chunks/{index.ToString(CultureInfo.InvariantCulture)}", content, cancellation);
    }

    public Task<UploadStatus> CompleteAsync(string uploadId, CancellationToken cancellation) =>
        SendAsync<UploadStatus>(HttpMethod.Post, $"v1/uploads/{Uri.EscapeDataString(uploadId)}/complete", null, cancellation);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CollectorException(null, "unreachable", $"collector {_http.BaseAddress} is unreachable: {ex.Message}", transient: true);
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new CollectorException(null, "timeout", $"collector {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s", transient: true);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(ProtocolJson.Options, cancellation).ConfigureAwait(false)
                        ?? throw new CollectorException(response.StatusCode, "bad_response", "collector sent an empty answer", transient: true);
                }
                catch (JsonException ex)
                {
                    throw new CollectorException(response.StatusCode, "bad_response", $"collector sent an answer this recorder cannot read: {ex.Message}", transient: false);
                }
            }
            var status = response.StatusCode;
            var transient = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
            ErrorResponse? error = null;
            try
            {
                error = await response.Content.ReadFromJsonAsync<ErrorResponse>(ProtocolJson.Options, cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                // Not our error shape (a proxy, a crash page): the status line is all there is.
            }
            throw new CollectorException(status, error?.Error ?? "http_" + ((int)status).ToString(CultureInfo.InvariantCulture),
                $"collector answered {(int)status}: {error?.Message ?? response.ReasonPhrase}", transient);
        }
    }

    public void Dispose() => _http.Dispose();
}
