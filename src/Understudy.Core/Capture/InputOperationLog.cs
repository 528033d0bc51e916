using System.Globalization;
using Understudy.Core.Model;

namespace Understudy.Core.Capture;

/// <summary>
/// An input injector that only writes down what it was told, one line per operation
/// (<c>move 10,20</c>, <c>button 1 down</c>, <c>key Control_L down</c>, <c>char A</c>):
/// <c>replay --dry-run</c> prints these lines, and replay tests compare them.
/// </summary>
public sealed class InputOperationLog(ScreenSize screen) : IInputInjector
{
    private readonly List<string> _operations = [];

    public ScreenSize Screen => screen;

    public IReadOnlyList<string> Operations => _operations;

    /// <summary>Keys to treat as missing from the keyboard, as a display without them would.</summary>
    public ISet<string> UnknownKeys { get; } = new HashSet<string>(StringComparer.Ordinal);

    public void MoveTo(int x, int y) => _operations.Add(string.Create(CultureInfo.InvariantCulture, $"move {x},{y}"));

    public void Button(int button, bool press) => _operations.Add(string.Create(CultureInfo.InvariantCulture, $"button {button} {(press ? "down" : "up")}"));

    public void Key(string keysymName, bool press)
    {
        if (UnknownKeys.Contains(keysymName))
        {
            throw new ArgumentException($"no X key is named '{keysymName}'", nameof(keysymName));
        }
        _operations.Add($"key {keysymName} {(press ? "down" : "up")}");
    }

    public void TypeCharacter(int codePoint) =>
        _operations.Add(string.Create(CultureInfo.InvariantCulture, $"char {char.ConvertFromUtf32(codePoint)}"));

    public void Sync()
    {
    }

    public void Dispose()
    {
    }
}
