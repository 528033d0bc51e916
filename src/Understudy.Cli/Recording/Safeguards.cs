using Understudy.Core.Guards;
using Understudy.Core.Pipeline;
using Understudy.Core.Redaction;
using Understudy.Platform.X11.Indicator;

namespace Understudy.Cli.Recording;

/// <summary>
/// What keeps a recording within what the person agreed to: the scope (which windows), the text
/// redactor, the sensitive-field rules, and how the person sees and pauses recording.
/// </summary>
internal sealed record Safeguards(IScopeRules Scope, ITextRedactor Redactor, SensitiveFieldRules SensitiveFields)
{
    public PauseHotkey PauseHotkey { get; init; } = PauseHotkey.Default;

    /// <summary>Ends the open task or begins an unnamed one (policy <c>task_hotkey</c>).</summary>
    public PauseHotkey TaskHotkey { get; init; } = PauseHotkey.Parse(Policy.RecordingPolicy.DefaultTaskHotkey);

    /// <summary>Shows the always-on-top indicator and grabs the pause hotkey (X11 desktops).</summary>
    public bool Indicator { get; init; } = true;

    public GuardOptions Guard { get; init; } = new();

    /// <summary>Name and hash of the policy in force, for the status file and the manifest.</summary>
    public string? PolicyName { get; init; }

    public string? PolicyHash { get; init; }

    /// <summary>The solid fill of masked frame regions, as stored bytes B,G,R,A.</summary>
    public uint FrameFill { get; init; } = Frames.Masking.PixelMask.DefaultFill;

    /// <summary>OCR the allowed windows in every frame and fill the text the redactor flags (policy <c>frames.ocr</c>).</summary>
    public bool FrameOcr { get; init; }

    /// <summary>A frame whose text redaction takes longer than this is dropped.</summary>
    public TimeSpan FrameRedactionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
}
