using Understudy.Core.Model;

namespace Understudy.Core.Capture;

/// <summary>
/// Synthetic input on a display, for replaying recorded actions: the platform's counterpart of
/// the input source. Buttons are numbered as X numbers them (1 left, 2 middle, 3 right, 4/5 wheel
/// up/down, 6/7 wheel left/right); keys are named by their X keysym names (<c>Return</c>,
/// <c>Control_L</c>, <c>a</c>), which every platform can map.
/// </summary>
public interface IInputInjector : IDisposable
{
    ScreenSize Screen { get; }

    void MoveTo(int x, int y);

    void Button(int button, bool press);

    /// <summary>Presses or releases the key that produces <paramref name="keysymName"/>; throws <see cref="ArgumentException"/> naming an unknown key.</summary>
    void Key(string keysymName, bool press);

    /// <summary>Types one Unicode character with whichever key and level produce it (the keyboard map may be borrowed for a moment).</summary>
    void TypeCharacter(int codePoint);

    /// <summary>Returns once the display has handled everything sent so far.</summary>
    void Sync();
}
