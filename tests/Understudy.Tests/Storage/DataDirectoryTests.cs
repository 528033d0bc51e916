using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed class DataDirectoryTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(variable => variable.Name == name).Value;

    [Fact]
    public void The_option_wins_over_everything()
    {
        var resolved = DataDirectory.Resolve("/srv/recordings", Environment(("UNDERSTUDY_DATA", "/env"), ("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u")));
        Assert.Equal("/srv/recordings", resolved);
    }

    [Fact]
    public void Then_the_environment_variable_then_xdg_then_home()
    {
        Assert.Equal("/env/data", DataDirectory.Resolve(null, Environment(("UNDERSTUDY_DATA", "/env/data"), ("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal("/xdg/understudy", DataDirectory.Resolve("", Environment(("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal("/home/u/.local/share/understudy", DataDirectory.Resolve(null, Environment(("HOME", "/home/u"))));
    }

    [Fact]
    public void A_relative_xdg_data_home_is_ignored_as_the_spec_says()
    {
        Assert.Equal("/home/u/.local/share/understudy", DataDirectory.Resolve(null, Environment(("XDG_DATA_HOME", "relative"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void A_relative_option_becomes_absolute()
    {
        var resolved = DataDirectory.Resolve("some/where", Environment());
        Assert.True(Path.IsPathRooted(resolved));
        Assert.EndsWith("some/where", resolved, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureExists_creates_missing_directories_private()
    {
        using var root = new TemporaryDirectory();
        var path = root.Combine("a", "b", "understudy");
        Assert.Equal(path, DataDirectory.EnsureExists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        DataDirectory.EnsureExists(path); // idempotent
    }

    [Fact]
    public void EnsureExists_leaves_an_existing_directory_mode_alone()
    {
        using var root = new TemporaryDirectory();
        var path = root.Combine("shared");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        DataDirectory.EnsureExists(path);
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_file_in_the_way_is_a_clear_error_naming_the_path()
    {
        using var root = new TemporaryDirectory();
        var path = root.Combine("file");
        File.WriteAllText(path, "");
        var error = Assert.Throws<StorageException>(() => DataDirectory.EnsureExists(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        var below = Path.Combine(path, "below");
        error = Assert.Throws<StorageException>(() => DataDirectory.EnsureExists(below));
        Assert.Contains(below, error.Message, StringComparison.Ordinal);
    }
}
