namespace Understudy.Desktop.Tests.Harness;

/// <summary>
/// One virtual desktop (1280x800) shared by the tests of a class or of the "desktop" collection;
/// stopped when they are done.
/// </summary>
public sealed class DesktopFixture : IDisposable
{
    public DesktopFixture()
    {
        Desktop = VirtualDesktop.Start();
    }

    public VirtualDesktop Desktop { get; }

    public void Dispose() => Desktop.Dispose();
}

/// <summary>
/// Tests marked <c>[Collection("desktop")]</c> run one after another on one shared desktop
/// (input goes to whichever window has the focus, so they must not run in parallel).
/// </summary>
[CollectionDefinition("desktop")]
public sealed class DesktopCollection : ICollectionFixture<DesktopFixture>
{
}
