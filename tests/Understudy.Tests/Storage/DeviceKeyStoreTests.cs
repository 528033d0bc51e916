using Understudy.Storage;

namespace Understudy.Tests.Storage;

public sealed class DeviceKeyStoreTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string KeyPath => _root.Combine("config", "understudy", "device.key");

    [Fact]
    public void The_key_is_created_private_and_loads_back_the_same()
    {
        string keyId;
        using (var created = DeviceKeyStore.LoadOrCreate(KeyPath))
        {
            keyId = created.KeyId;
        }
        Assert.Matches("^[0-9a-f]{16}$", keyId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(KeyPath)!));
        Assert.Equal(52, new FileInfo(KeyPath).Length);
        Assert.Equal("USDEVKEY"u8.ToArray(), File.ReadAllBytes(KeyPath)[..8]);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(KeyPath)!)); // no temporary left behind

        using var loaded = DeviceKeyStore.LoadOrCreate(KeyPath);
        Assert.Equal(keyId, loaded.KeyId);
        Assert.DoesNotContain(keyId, loaded.ToString().Replace(keyId, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_devices_get_different_keys()
    {
        using var first = DeviceKeyStore.LoadOrCreate(_root.Combine("one", "device.key"));
        using var second = DeviceKeyStore.LoadOrCreate(_root.Combine("two", "device.key"));
        Assert.NotEqual(first.KeyId, second.KeyId);
    }

    [Theory]
    [InlineData("640")]
    [InlineData("604")]
    [InlineData("620")]
    [InlineData("644")]
    public void A_key_file_others_can_access_is_refused(string octalMode)
    {
        DeviceKeyStore.LoadOrCreate(KeyPath).Dispose();
        File.SetUnixFileMode(KeyPath, (UnixFileMode)Convert.ToInt32(octalMode, 8));
        var error = Assert.Throws<StorageException>(() => DeviceKeyStore.LoadOrCreate(KeyPath));
        Assert.Contains(KeyPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("0" + octalMode, error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_of_the_wrong_size_is_refused()
    {
        DeviceKeyStore.LoadOrCreate(KeyPath).Dispose();
        var contents = File.ReadAllBytes(KeyPath);
        File.WriteAllBytes(KeyPath, contents[..40]);
        var error = Assert.Throws<StorageException>(() => DeviceKeyStore.LoadOrCreate(KeyPath));
        Assert.Contains("expected 52", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(KeyPath, [.. contents, 0]);
        Assert.Throws<StorageException>(() => DeviceKeyStore.LoadOrCreate(KeyPath));
    }

    [Theory]
    [InlineData(0, "bad magic")]
    [InlineData(8, "version")]
    [InlineData(10, "reserved")]
    [InlineData(13, "key id does not match")]
    [InlineData(40, "key id does not match")]
    public void A_damaged_key_file_is_refused_not_used(int position, string expected)
    {
        DeviceKeyStore.LoadOrCreate(KeyPath).Dispose();
        var contents = File.ReadAllBytes(KeyPath);
        contents[position] ^= 0x10;
        File.WriteAllBytes(KeyPath, contents);
        var error = Assert.Throws<StorageException>(() => DeviceKeyStore.LoadOrCreate(KeyPath));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_path_comes_from_the_override_then_the_environment_then_xdg_then_home()
    {
        Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
            name => variables.FirstOrDefault(variable => variable.Name == name).Value;

        Assert.Equal("/k/device.key", DeviceKeyStore.ResolvePath("/k/device.key", Environment(("UNDERSTUDY_DEVICE_KEY_FILE", "/env.key"))));
        Assert.Equal("/env.key", DeviceKeyStore.ResolvePath(null, Environment(("UNDERSTUDY_DEVICE_KEY_FILE", "/env.key"), ("XDG_CONFIG_HOME", "/cfg"))));
        Assert.Equal("/cfg/understudy/device.key", DeviceKeyStore.ResolvePath(null, Environment(("XDG_CONFIG_HOME", "/cfg"), ("HOME", "/home/u"))));
        Assert.Equal("/home/u/.config/understudy/device.key", DeviceKeyStore.ResolvePath(null, Environment(("HOME", "/home/u"))));
    }

    [Fact]
    public void The_key_lives_outside_the_data_directory_by_default()
    {
        Func<string, string?> environment = name => name == "HOME" ? "/home/u" : null;
        var keyPath = DeviceKeyStore.ResolvePath(null, environment);
        var dataPath = DataDirectory.Resolve(null, environment);
        Assert.False(keyPath.StartsWith(dataPath + "/", StringComparison.Ordinal));
    }
}
