using Understudy.Desktop.Tests.Harness;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Input;
using Understudy.Platform.X11.Interop;

namespace Understudy.Desktop.Tests.Input;

/// <summary>
/// For keycodes that a client remaps during a recording, key translation uses our own
/// stream-ordered keymap and rules instead of Xlib's cache. This checks those rules against
/// XLookupString, the reference, on the server's real keymap, for every key that types text,
/// and that the translator as the recorder builds it gives XLookupString's text for all keys.
/// </summary>
[Collection("desktop")]
public sealed unsafe class KeyTranslationOracleTests(DesktopFixture fixture)
{
    [Fact]
    public void Our_rules_agree_with_XLookupString_for_every_key_that_types_text()
    {
        using var connection = X11Connection.Open(fixture.Desktop.Display);
        var keymap = KeymapLoader.Load(connection.Handle);
        var translator = new KeyTranslator(keymap);
        var roles = keymap.Roles;
        ushort[] states = [0, 1, 2, 3, roles.NumLockMask, (ushort)(roles.NumLockMask | 1), roles.Level3Mask, (ushort)(roles.Level3Mask | 1)];
        var compared = 0;
        var mismatches = new List<string>();
        var buffer = stackalloc byte[32];
        for (var keycode = keymap.MinKeycode; keycode <= keymap.MaxKeycode; keycode++)
        {
            // Our rules serve remapped keys, which clients bind to characters; keys such as Print or
            // F1 have XKB types (Alt or Ctrl+Alt levels) that only matter for keys typing no text.
            if (keymap.Get(keycode, 0) == Keysyms.NoSymbol || translator.TextOf(keymap.Get(keycode, 0)) is null)
            {
                continue;
            }
            foreach (var state in states)
            {
                var keyEvent = new XKeyEvent { Type = 2, Display = connection.Handle, State = state, Keycode = (uint)keycode, SameScreen = 1 };
                nuint reference;
                Xlib.XLookupString(&keyEvent, buffer, 32, &reference, 0);
                var ours = translator.ResolveKeysym(keycode, state);
                compared++;
                if (ours != (uint)reference)
                {
                    mismatches.Add($"keycode {keycode} state 0x{state:x}: ours 0x{ours:x}, XLookupString 0x{(uint)reference:x}");
                }
            }
        }
        Assert.True(compared > 350, $"only {compared} comparisons: is the keymap loaded?");
        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches.Take(20)));
    }
}
