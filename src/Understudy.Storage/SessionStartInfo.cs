using Understudy.Core.Capture;
using Understudy.Core.Model;

namespace Understudy.Storage;

/// <summary>
/// What is known when a recording starts. All of it is written to the plaintext manifest, so it
/// must be configuration, not content: <see cref="Backend"/> is a short name such as "x11",
/// <see cref="AllowApps"/> the scope the user gave on the command line, <see cref="Capabilities"/>
/// what the recorder was able to observe (accessibility, frames) so later stages know what to expect.
/// </summary>
public sealed record SessionStartInfo(string Backend, ScreenSize? Screen, IReadOnlyList<string> AllowApps)
{
    public SessionCapabilities? Capabilities { get; init; }
}
