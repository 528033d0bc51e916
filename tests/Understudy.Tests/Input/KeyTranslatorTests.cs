using FsCheck.Xunit;
using Understudy.Core.Model;
using Understudy.Platform.X11.Input;

namespace Understudy.Tests.Input;

/// <summary>
/// Key translation against a small keymap laid out like the server's (columns G1L1 G1L2 G2L1 G2L2
/// G1L3 G1L4). The same rules are checked against XLookupString on a real server in the desktop tests.
/// </summary>
public sealed class KeyTranslatorTests
{
    private const ushort Shift = 1;
    private const ushort Lock = 2;
    private const ushort Control = 4;
    private const ushort Mod1 = 8;
    private const ushort Mod2 = 16;
    private const ushort Mod5 = 128;

    private const int KeyA = 38;
    private const int Key1 = 10;
    private const int KeyE = 26;
    private const int KeyReturn = 36;
    private const int KeyShiftL = 50;
    private const int KeyKp1 = 87;
    private const int KeyTab = 23;
    private const int Spare = 200;

    private static Keymap BuildKeymap()
    {
        const int min = 8, max = 255, per = 6;
        var keysyms = new uint[(max - min + 1) * per];
        void Set(int keycode, params uint[] columns) => columns.CopyTo(keysyms, (keycode - min) * per);
        Set(KeyA, 'a', 'A', 'a', 'A', 0xe6 /* æ */, 0xc6 /* Æ */);
        Set(Key1, '1', '!', '1', '!', 0xb9 /* ¹ */, 0xa1 /* ¡ */);
        Set(KeyE, 'e', 'E', 'e', 'E', 0x20ac /* EuroSign */, 0);
        Set(KeyReturn, 0xff0d);
        Set(KeyShiftL, Keysyms.ShiftL);
        Set(KeyKp1, 0xff9c /* KP_End */, 0xffb1 /* KP_1 */);
        Set(KeyTab, 0xff09, 0xfe20 /* ISO_Left_Tab */);
        return new Keymap(min, max, per, keysyms, ModifierRoles.Default);
    }

    private static KeyTranslator Translator() => new(BuildKeymap());

    [Theory]
    [InlineData(KeyA, 0, "a")]
    [InlineData(KeyA, Shift, "A")]
    [InlineData(KeyA, Lock, "A")]
    [InlineData(KeyA, Shift | Lock, "a")]
    [InlineData(Key1, 0, "1")]
    [InlineData(Key1, Shift, "!")]
    [InlineData(Key1, Lock, "1")]
    [InlineData(KeyA, Mod5, "æ")]
    [InlineData(KeyA, Mod5 | Shift, "Æ")]
    [InlineData(KeyE, Mod5, "€")]
    [InlineData(KeyKp1, 0, null)]
    [InlineData(KeyKp1, Mod2, "1")]
    [InlineData(KeyKp1, Mod2 | Shift, null)]
    [InlineData(KeyKp1, Shift, null)]
    public void Text_follows_shift_caps_lock_num_lock_and_level_three(int keycode, ushort state, string? expected)
    {
        Assert.Equal(expected, Translator().Translate(keycode, state, isDown: true).Text);
    }

    [Fact]
    public void The_key_name_is_the_base_keysym_whatever_the_modifiers()
    {
        var translator = Translator();
        var key = translator.Translate(KeyA, Shift, isDown: true);
        Assert.Equal("a", key.Key);
        Assert.Equal("A", key.Text);
        Assert.Equal(Modifiers.Shift, key.Modifiers);
        Assert.Equal("Return", translator.Translate(KeyReturn, 0, isDown: true).Key);
        Assert.Equal("Tab", translator.Translate(KeyTab, Shift, isDown: true).Key);
    }

    [Fact]
    public void Modifier_keys_are_named_in_lower_case() =>
        Assert.Equal("shift_l", Translator().Translate(KeyShiftL, 0, isDown: true).Key);

    [Theory]
    [InlineData(KeyReturn)]
    [InlineData(KeyTab)]
    [InlineData(KeyShiftL)]
    public void Keys_that_type_control_characters_or_nothing_have_no_text(int keycode) =>
        Assert.Null(Translator().Translate(keycode, 0, isDown: true).Text);

    [Theory]
    [InlineData(Control, Modifiers.Ctrl)]
    [InlineData(Mod1, Modifiers.Alt)]
    public void With_ctrl_or_alt_a_key_is_a_command_not_text(ushort state, Modifiers expected)
    {
        var key = Translator().Translate(KeyA, state, isDown: true);
        Assert.Null(key.Text);
        Assert.Equal("a", key.Key);
        Assert.Equal(expected, key.Modifiers);
    }

    [Fact]
    public void Releases_carry_the_name_but_no_text()
    {
        var key = Translator().Translate(KeyA, Shift, isDown: false);
        Assert.Equal("a", key.Key);
        Assert.Null(key.Text);
    }

    [Fact]
    public void A_keycode_remapped_for_one_keystroke_translates_to_the_new_keysym()
    {
        var translator = Translator();
        Assert.Equal("keycode_200", translator.Translate(Spare, 0, isDown: true).Key);

        // xdotool types 'é' by binding a spare keycode to eacute, pressing it, and unbinding it.
        translator.Keymap.Apply(Spare, 1, 2, [0xe9, 0xe9]);
        var pressed = translator.Translate(Spare, 0, isDown: true);
        Assert.Equal("eacute", pressed.Key);
        Assert.Equal("é", pressed.Text);

        translator.Keymap.Apply(Spare, 1, 2, [0, 0]);
        Assert.Null(translator.Translate(Spare, 0, isDown: true).Text);
    }

    [Fact]
    public void A_remap_wider_than_the_table_widens_it_and_keeps_other_keys()
    {
        var translator = Translator();
        translator.Keymap.Apply(Spare, 1, 8, [0x1000001f, 0, 0, 0, 0, 0, 0, 0x63]);
        Assert.Equal(8, translator.Keymap.KeysymsPerKeycode);
        Assert.Equal("A", translator.Translate(KeyA, Shift, isDown: true).Text);
        Assert.Equal(0x63u, translator.Keymap.Get(Spare, 7));
    }

    [Fact]
    public void Unicode_keysyms_produce_their_character_and_case_pairs()
    {
        var translator = Translator();
        // U+0161 š / U+0160 Š as Unicode keysyms, given only in lower case: shift must upper-case it.
        translator.Keymap.Apply(Spare, 1, 1, [0x1000161]);
        Assert.Equal("š", translator.Translate(Spare, 0, isDown: true).Text);
        Assert.Equal("Š", translator.Translate(Spare, Shift, isDown: true).Text);
    }

    [Property(MaxTest = 500)]
    public bool Every_keycode_and_state_translates_without_throwing(byte keycode, ushort state)
    {
        var translator = Translator();
        var down = translator.Translate(keycode, state, isDown: true);
        var up = translator.Translate(keycode, state, isDown: false);
        return down.Key.Length > 0 && up.Key == down.Key && up.Text is null;
    }

    [Fact]
    public void Modifier_roles_come_from_the_modifier_map()
    {
        var rows = new List<IReadOnlyList<uint>> { new[] { Keysyms.ShiftL }, new[] { Keysyms.CapsLock }, new[] { Keysyms.ControlL }, new[] { Keysyms.AltL, Keysyms.MetaL }, new[] { Keysyms.NumLock }, Array.Empty<uint>(), new[] { Keysyms.SuperL }, new[] { Keysyms.IsoLevel3Shift } };
        Assert.Equal(ModifierRoles.Default, ModifierRoles.FromModifierKeysyms(rows));
    }
}
