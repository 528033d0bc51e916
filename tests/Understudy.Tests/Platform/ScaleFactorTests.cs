using Understudy.Platform.X11;

namespace Understudy.Tests.Platform;

public sealed class ScaleFactorTests
{
    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("Xft.antialias:\t1\nXft.dpi:\t192\nXft.hinting:\t1\n", 2.0)]
    [InlineData("Xft.dpi: 144", 1.5)]
    [InlineData("Xft.dpi:\t96", 1.0)]
    [InlineData("Xft.dpi:\tlots", 1.0)]
    [InlineData("Xft.dpi:\t-5", 1.0)]
    [InlineData("*.dpi:\t192", 1.0)]
    public void Scale_factor_comes_from_Xft_dpi(string? resources, double expected) =>
        Assert.Equal(expected, X11DesktopBackend.ScaleFactorFromResources(resources));
}
