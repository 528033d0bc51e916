namespace Understudy.Collector;

/// <summary>A request the collector refuses: the HTTP status, a stable code, and one line saying what and where.</summary>
public sealed class CollectorError(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public static CollectorError BadRequest(string code, string message) => new(400, code, message);

    public static CollectorError Unauthorized(string message) => new(401, "unauthorized", message);

    public static CollectorError Forbidden(string code, string message) => new(403, code, message);

    public static CollectorError NotFound(string message) => new(404, "not_found", message);

    public static CollectorError Conflict(string code, string message) => new(409, code, message);

    public static CollectorError TooLarge(string message) => new(413, "too_large", message);

    public static CollectorError Invalid(string code, string message) => new(422, code, message);
}
