namespace Understudy.Storage;

/// <summary>
/// How a recording ended. <see cref="EndReason"/> is a short code (see <see cref="EndReasons"/>),
/// stored in the plaintext manifest; <see cref="DroppedInput"/> counts input events the recorder
/// had to drop (e.g. queue overflow).
/// </summary>
public sealed record SessionEndInfo(string EndReason, long DroppedInput);

/// <summary>The end reasons the recorder uses; any short code of letters, digits, '_', '-', '.', ':' is accepted.</summary>
public static class EndReasons
{
    public const string Duration = "duration";
    public const string Signal = "signal";
    public const string DisplayLost = "display_lost";
    public const string Error = "error";
    public const string User = "user";
}
