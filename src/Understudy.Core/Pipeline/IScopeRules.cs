using Understudy.Core.Model;

namespace Understudy.Core.Pipeline;

/// <summary>
/// Decides which windows may be recorded. <see cref="AppScope"/> is the command-line form
/// (<c>--allow-app</c>); the policy file compiles to another. Implementations are immutable and
/// thread-safe: the scope gate asks on the pipeline thread, the frame masker on the grab thread.
/// </summary>
public interface IScopeRules
{
    /// <summary>True when every window is in scope (no allow-list at all).</summary>
    bool AllowsAll { get; }

    /// <summary>The allowed application names, for the session manifest.</summary>
    IReadOnlyCollection<string> AllowedApps { get; }

    /// <summary>Whether the window the focus event describes may be recorded.</summary>
    bool Allows(FocusPayload focus);

    /// <summary>Whether a window on screen (not necessarily active) may be shown in frames.</summary>
    bool AllowsWindow(string? wmClass, string? wmInstance, string? title, int? pid);
}
