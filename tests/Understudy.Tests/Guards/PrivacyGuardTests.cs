using Understudy.Core.Guards;
using Understudy.Core.Guards.Fields;
using Understudy.Core.Model;
using Understudy.Core.Redaction;

namespace Understudy.Tests.Guards;

public sealed class PrivacyGuardTests
{
    private const long Ms = 1_000_000;
    private static readonly DateTimeOffset Wall = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly ElementPayload Description = Field("text", label: "Description");
    private static readonly ElementPayload Password = Field("password text", label: "Password", bounds: new Rect(100, 300, 300, 30));

    /// <summary>Feeds events through a guard and a remap the way the recorder does, and keeps what would be stored.</summary>
    private sealed class Harness
    {
        private readonly List<GuardedEvent> _out = [];
        private readonly SeqRemap _remap = new();
        private long _seq;

        public Harness(FakeTextRedactor? redactor = null, IFieldFacts? facts = null, SensitiveRegions? regions = null)
        {
            Redactor = redactor ?? new FakeTextRedactor();
            Guard = new PrivacyGuard(Redactor, SensitiveFieldRules.Default, new GuardOptions(), facts ?? Facts, regions);
        }

        public FakeTextRedactor Redactor { get; }

        /// <summary>What the accessibility source would say about the keys (unless the harness was given other facts).</summary>
        public QueuedFieldFacts Facts { get; } = new();

        public PrivacyGuard Guard { get; }

        public List<SessionEvent> Stored { get; } = [];

        public long Now { get; set; } = 1_000 * Ms;

        /// <summary>Posts an event at the current time (advancing it by 10 ms) and returns its provisional number.</summary>
        public long Post(EventPayload payload)
        {
            Now += 10 * Ms;
            var seq = _seq++;
            Guard.Process(new SessionEvent(seq, Now, Wall, payload), Now, _out);
            Collect();
            return seq;
        }

        /// <summary>Types <paramref name="text"/> (a press and a release per character) and returns the provisional numbers of the presses.</summary>
        public List<long> Type(string text)
        {
            var presses = new List<long>();
            foreach (var c in text)
            {
                presses.Add(Post(new KeyPayload(true, c.ToString(), c.ToString(), Modifiers.None, 10 + (c % 50))));
                Post(new KeyPayload(false, c.ToString(), null, Modifiers.None, 10 + (c % 50)));
            }
            return presses;
        }

        /// <summary>Types <paramref name="text"/> and has the source report every key inserted into <paramref name="field"/>.</summary>
        public List<long> TypeInto(ElementPayload field, string text)
        {
            var presses = Type(text);
            Facts.Ordinary(presses, field);
            return presses;
        }

        public void Key(string name)
        {
            Post(new KeyPayload(true, name, null, Modifiers.None, 99));
            Post(new KeyPayload(false, name, null, Modifiers.None, 99));
        }

        public void Wait(TimeSpan time)
        {
            Now += (long)time.TotalNanoseconds;
            Guard.Release(Now, _out);
            Collect();
        }

        public void Finish()
        {
            Guard.Flush(Now, _out);
            Collect();
        }

        /// <summary>The stored number of provisional event <paramref name="provisional"/> (what an observer's result naming it is rewritten to).</summary>
        public long? StoredSeq(long provisional) => _remap.Map(provisional);

        public string Export() => string.Join('\n', Stored.Select(EventJson.ToJson));

        public string TypedText() => string.Concat(Stored.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text));

        public IEnumerable<RedactionPayload> Redactions(string target) => Stored.Select(e => e.Payload).OfType<RedactionPayload>().Where(r => r.Target == target);

        private void Collect()
        {
            foreach (var item in _out)
            {
                Stored.Add(_remap.Assign(item));
            }
            _out.Clear();
        }
    }

    private static ElementPayload Field(string role, string? name = null, string? label = null, Rect? bounds = null) =>
        new(-1, ElementTriggers.Focus, role, name, label, ["editable", "focused"], bounds ?? new Rect(100, 200, 300, 30), "yad", 42, [new ElementAncestor("frame", "Expense")]);

    private static RedactionPayload StandIn(string type) => new(RedactionTargets.SensitiveField, type, 1, null, null);

    [Fact]
    public void Ordinary_typing_is_held_until_its_keys_are_placed_and_then_stored_unchanged()
    {
        var h = new Harness();
        var keys = h.Type("lunch");
        h.Key("Tab");
        h.Wait(TimeSpan.FromSeconds(1));
        // No word yet on where the keys went: nothing of them (nor anything after them) is handed on.
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload);
        Assert.True(h.Guard.AwaitsFacts);

        h.Facts.Ordinary(keys, Description);
        h.Wait(TimeSpan.FromMilliseconds(20));

        Assert.Equal("lunch", h.TypedText());
        Assert.Equal(h.Stored.Select(e => e.Seq), Enumerable.Range(0, h.Stored.Count).Select(i => (long)i));
        Assert.DoesNotContain(h.Stored, e => e.Payload is RedactionPayload);
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.Equal(1, h.Guard.OrdinaryPieces);
    }

    [Fact]
    public void Ordinary_facts_name_the_field_in_an_element_event_tied_to_the_first_key()
    {
        var h = new Harness();
        var keys = h.TypeInto(Description, "lunch");
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));

        var element = Assert.Single(h.Stored, e => e.Payload is ElementPayload);
        var field = (ElementPayload)element.Payload;
        Assert.Equal(("text", "Description", ElementTriggers.Focus), (field.Role, field.Label, field.Trigger));
        var firstKey = h.Stored.First(e => e.Payload is KeyPayload);
        Assert.Equal(h.StoredSeq(keys[0]), firstKey.Seq);
        Assert.Equal(firstKey.Seq, field.ForSeq);
        // Right after that key, so that its number is known when the element is numbered.
        Assert.Equal(firstKey.Seq + 1, element.Seq);
    }

    [Fact]
    public void An_email_typed_is_stored_as_a_placeholder_and_its_keys_lose_their_identity()
    {
        var h = new Harness();
        h.TypeInto(Description, "mail alice@example.com");
        h.Key("Return");
        h.Wait(TimeSpan.FromSeconds(1));

        Assert.Equal("mail <EMAIL_ADDRESS>", h.TypedText());
        Assert.DoesNotContain("alice", h.Export(), StringComparison.Ordinal);
        Assert.DoesNotContain("example", h.Export(), StringComparison.Ordinal);
        var rewritten = h.Stored.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.Key != "Return").ToList();
        Assert.All(rewritten, k => Assert.Equal(PrivacyGuard.RedactedKey, k.Key));
        Assert.All(rewritten, k => Assert.Equal(0, k.KeyCode));
        var payload = Assert.Single(h.Redactions(RedactionTargets.Typed));
        Assert.Equal((EntityTypes.Email, 1), (payload.Type, payload.Count));
        Assert.Equal(h.Stored.Single(e => e.Payload is KeyPayload { Text: "mail <EMAIL_ADDRESS>" }).Seq, payload.FromSeq);
        Assert.True(payload.ToSeq > payload.FromSeq);
    }

    [Fact]
    public void A_redacted_piece_hides_its_field_in_frames()
    {
        var regions = new SensitiveRegions();
        var h = new Harness(regions: regions);
        h.Post(new FocusPayload("Yad", "yad", "Expense", 42, new Rect(50, 60, 400, 300), 9));
        h.TypeInto(Description, "bob@example.org");
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));

        Assert.Equal("<EMAIL_ADDRESS>", h.TypedText());
        Assert.Equal(new SensitiveRegion(9, new Rect(50, 140, 300, 30), true, new Rect(100, 200, 300, 30)), Assert.Single(regions.Snapshot()));
    }

    [Fact]
    public void Backspace_edits_are_applied_before_the_recognizers_see_the_text()
    {
        var h = new Harness();
        h.TypeInto(Description, "bob@exampel");
        h.Key("BackSpace");
        h.Key("BackSpace");
        h.TypeInto(Description, "le.org");
        h.Wait(TimeSpan.FromSeconds(3.5));
        Assert.Equal("<EMAIL_ADDRESS>", h.TypedText());
        Assert.Contains(("bob@example.org", TextSource.Typed), h.Redactor.Seen);
        Assert.DoesNotContain("exampel", h.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sensitive_fact_on_any_key_drops_the_whole_piece_for_one_redaction_event()
    {
        var h = new Harness();
        h.Post(new ButtonPayload(true, MouseButton.Left, 150, 310, Modifiers.None));
        h.Post(new ButtonPayload(false, MouseButton.Left, 150, 310, Modifiers.None));
        var keys = h.Type("hunter2");
        // The attributor placed most keys in an ordinary field and one in the password field: the piece is sensitive.
        h.Facts.Ordinary(keys.Take(3), Description);
        h.Facts.Sensitive([keys[3]], Password);
        h.Facts.Ordinary(keys.Skip(4), Description);
        h.Key("Return");
        h.Wait(TimeSpan.FromMilliseconds(20));

        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload k && k.Key != "Return");
        foreach (var c in "hunter2")
        {
            // Not even a release or a key code: no key identity in any stored payload.
            Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload k && (k.Key == c.ToString() || k.KeyCode == 10 + (c % 50)));
        }
        Assert.DoesNotContain("hunter", h.Export(), StringComparison.Ordinal);
        var standIn = Assert.Single(h.Stored, e => e.Payload is RedactionPayload);
        Assert.Equal(StandIn(EntityTypes.SensitiveField), standIn.Payload);
        // What observers tied to any of the keys (frames) is tied to the event that stands for them.
        Assert.All(keys, key => Assert.Equal(standIn.Seq, h.StoredSeq(key)));
        // The field it went into is named, after the stand-in and tied to it; the ordinary one is not.
        var element = (ElementPayload)Assert.Single(h.Stored, e => e.Payload is ElementPayload).Payload;
        Assert.Equal(("password text", standIn.Seq), (element.Role, element.ForSeq));
        Assert.Equal(0, h.Redactor.Seen.Count(s => s.Source == TextSource.Typed));
        Assert.Equal(1, h.Guard.SensitivePieces);
    }

    [Fact]
    public void A_window_retitling_itself_while_an_email_is_typed_does_not_cut_it_in_two()
    {
        var h = new Harness(new FakeTextRedactor());
        h.Post(new FocusPayload("Chromium", "chromium", "form", 42, new Rect(0, 0, 500, 500), 7));
        var first = h.Type("mail erin.quill");
        h.Post(new FocusPayload("Chromium", "chromium", "form chrome=56,0", 42, new Rect(0, 0, 500, 500), 7));
        var second = h.Type("@example.net");
        h.Facts.Ordinary([.. first, .. second], Description);
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));

        Assert.Equal("mail <EMAIL_ADDRESS>", h.TypedText());
    }

    [Fact]
    public void A_shift_pressed_before_a_password_s_first_capital_is_dropped_with_it()
    {
        var h = new Harness();
        h.Post(new KeyPayload(true, "shift_l", null, Modifiers.None, 50));
        var capital = h.Post(new KeyPayload(true, "q", "Q", Modifiers.Shift, 24));
        h.Post(new KeyPayload(false, "q", null, Modifiers.Shift, 24));
        h.Post(new KeyPayload(false, "shift_l", null, Modifiers.Shift, 50));
        var rest = h.Type("z7");
        h.Facts.Sensitive([capital, .. rest], Password);
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));

        // Nothing says the password began with a shifted character: only the Tab is left of the keys.
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload { Key: "shift_l" or "q" or "z" or "7" });
        Assert.Single(h.Redactions(RedactionTargets.SensitiveField));
    }

    [Fact]
    public void A_verdict_on_the_capital_after_a_shift_covers_the_whole_piece()
    {
        var h = new Harness();
        h.Post(new ButtonPayload(true, MouseButton.Left, 989, 160, Modifiers.None));
        h.Post(new ButtonPayload(false, MouseButton.Left, 989, 160, Modifiers.None));
        h.Post(new KeyPayload(true, "shift_l", null, Modifiers.None, 50));
        var capital = h.Post(new KeyPayload(true, "c", "C", Modifiers.Shift, 54));
        h.Post(new KeyPayload(false, "c", null, Modifiers.Shift, 54));
        h.Post(new KeyPayload(false, "shift_l", null, Modifiers.Shift, 50));
        var rest = h.Type("hr-Pw");
        h.Facts.Sensitive([capital], Password);
        h.Facts.Ordinary(rest, Description);
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));

        Assert.Equal("", h.TypedText());
        Assert.DoesNotContain("Pw", h.Export(), StringComparison.Ordinal);
        Assert.Single(h.Redactions(RedactionTargets.SensitiveField));
    }

    [Fact]
    public void Facts_that_come_long_after_the_keys_still_release_the_piece()
    {
        var h = new Harness();
        var keys = h.Type("expense report ");
        h.Key("Tab");
        h.TypeInto(Description, "lunch ");
        h.Wait(TimeSpan.FromSeconds(5));
        // The second piece is placed already, but is stored only after the first, which still waits.
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload);
        Assert.True(h.Guard.NextDueNs is { } due && due > h.Now - Ms && due <= h.Now + (100 * Ms));

        h.Facts.Ordinary(keys, Description);
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal("expense report lunch ", h.TypedText());
        Assert.Equal(0, h.Guard.HeldCount);
    }

    [Fact]
    public void Facts_for_only_some_keys_leave_the_piece_field_unknown_once_the_wait_runs_out()
    {
        var h = new Harness();
        var keys = h.Type("maybe-a-password");
        h.Facts.Ordinary(keys.Take(5), Description);
        h.Key("Return");
        h.Wait(TimeSpan.FromSeconds(7.5));
        Assert.True(h.Guard.HeldCount > 0);
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload);

        h.Wait(TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.DoesNotContain("maybe", h.Export(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload { Key: not "Return" });
        Assert.Equal(StandIn(PrivacyGuard.FieldUnknownType), Assert.Single(h.Stored, e => e.Payload is RedactionPayload).Payload);
        // Neither field is named: nothing says where the piece went.
        Assert.DoesNotContain(h.Stored, e => e.Payload is ElementPayload);
        Assert.Equal(1, h.Guard.FieldUnknownPieces);

        // The rest of the facts, too late: nothing changes, and later typing is judged on its own.
        h.Facts.Ordinary(keys.Skip(5), Description);
        h.TypeInto(Description, "next ");
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal("next ", h.TypedText());
        Assert.Single(h.Stored, e => e.Payload is RedactionPayload);
    }

    [Fact]
    public void An_unknown_fact_drops_the_piece_as_soon_as_it_ends()
    {
        var h = new Harness();
        var keys = h.Type("typed");
        h.Facts.Ordinary(keys.Take(4), Description);
        h.Facts.Unknown([keys[4]]);
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.Equal(StandIn(PrivacyGuard.FieldUnknownType), Assert.Single(h.Stored, e => e.Payload is RedactionPayload).Payload);
        Assert.Equal("", h.TypedText());
    }

    [Fact]
    public void Typing_whose_keys_are_not_all_placed_when_the_session_ends_is_field_unknown()
    {
        var h = new Harness();
        var keys = h.Type("typed-just-before-stop");
        h.Facts.Ordinary(keys.Take(10), Description);
        h.Key("Tab");
        h.Finish();
        Assert.DoesNotContain("stop", h.Export(), StringComparison.Ordinal);
        Assert.Equal("", h.TypedText());
        Assert.Equal(StandIn(PrivacyGuard.FieldUnknownType), Assert.Single(h.Stored, e => e.Payload is RedactionPayload).Payload);
        Assert.Equal(0, h.Guard.HeldCount);
    }

    [Fact]
    public void A_piece_placed_before_the_session_ends_is_kept_at_the_flush()
    {
        var h = new Harness();
        h.TypeInto(Description, "last words");
        h.Finish();
        Assert.Equal("last words", h.TypedText());
    }

    [Fact]
    public void Losing_the_accessibility_bus_makes_the_typing_held_field_unknown_whatever_comes_after()
    {
        var h = new Harness();
        var keys = h.Type("typed-into-a-hung-app");
        h.Post(new GapPayload(GapReasons.AccessibilityLost, 800 * Ms, 0));
        // Facts that were already on their way: the gap says the timeline behind them has a hole.
        h.Facts.Ordinary(keys, Description);
        h.Key("Tab");
        h.Wait(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("hung", h.Export(), StringComparison.Ordinal);
        Assert.Equal(StandIn(PrivacyGuard.FieldUnknownType), Assert.Single(h.Stored, e => e.Payload is RedactionPayload).Payload);
        Assert.Contains(h.Stored, e => e.Payload is GapPayload { Reason: GapReasons.AccessibilityLost });
    }

    [Fact]
    public void Without_field_facts_typing_is_judged_by_its_text_alone_and_released_without_waiting()
    {
        var h = new Harness(facts: NoFieldFacts.Imported);
        h.Type("imported lunch");
        h.Key("Tab");
        Assert.Equal("imported lunch", h.TypedText());
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.False(h.Guard.AwaitsFacts);
        Assert.DoesNotContain(h.Stored, e => e.Payload is ElementPayload or RedactionPayload);

        h.Type("to carol@example.com");
        h.Key("Tab");
        Assert.EndsWith("to <EMAIL_ADDRESS>", h.TypedText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_that_can_report_nothing_has_all_typing_dropped_as_field_unknown()
    {
        var h = new Harness(facts: NoFieldFacts.Unavailable);
        h.Type("no accessibility");
        h.Key("Tab");
        h.Wait(TimeSpan.FromSeconds(9));
        Assert.Equal("", h.TypedText());
        Assert.Equal(StandIn(PrivacyGuard.FieldUnknownType), Assert.Single(h.Stored, e => e.Payload is RedactionPayload).Payload);
    }

    [Fact]
    public void A_pause_in_the_middle_of_an_email_does_not_split_it_for_the_recognizers()
    {
        var h = new Harness();
        h.TypeInto(Description, "mail erin.quill");
        // The person hesitates (or the X server delivers the rest late): 1.5 s, over the 1 s typing pause.
        h.Wait(TimeSpan.FromMilliseconds(1500));
        h.TypeInto(Description, "@example.net");
        h.Key("Tab");
        h.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal("mail <EMAIL_ADDRESS>", h.TypedText());
        Assert.DoesNotContain("erin", h.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pause_after_a_word_still_ends_the_piece_after_the_typing_pause()
    {
        var h = new Harness();
        h.TypeInto(Description, "lunch ");
        h.Wait(TimeSpan.FromMilliseconds(1500));
        Assert.Equal("lunch ", h.TypedText());
    }

    [Fact]
    public void A_key_released_late_in_the_next_field_belongs_to_the_next_field()
    {
        var h = new Harness();
        // "e" typed in the email field, released; then "e" pressed in the password field and released there.
        var email = h.Post(new KeyPayload(true, "e", "e", Modifiers.None, 26));
        h.Post(new KeyPayload(false, "e", null, Modifiers.None, 26));
        h.Key("Tab");
        var password = h.Post(new KeyPayload(true, "e", "e", Modifiers.None, 26));
        h.Facts.Ordinary([email], Field("text", label: "Email"));
        h.Facts.Sensitive([password], Password);
        h.Wait(TimeSpan.FromMilliseconds(20));
        h.Post(new KeyPayload(false, "e", null, Modifiers.None, 26));
        h.Key("Tab");
        h.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal("e", h.TypedText());
        Assert.Single(h.Redactions(RedactionTargets.SensitiveField));
        // The password key's release went with its press: only the email key's is stored.
        Assert.Single(h.Stored, e => e.Payload is KeyPayload { Key: "e", IsDown: false });
    }

    [Fact]
    public void A_password_key_released_after_its_piece_was_dropped_is_stored_without_identity()
    {
        var h = new Harness();
        var password = h.Post(new KeyPayload(true, "q", "q", Modifiers.None, 24));
        h.Facts.Sensitive([password], Password);
        // Return pressed while q is still held: the piece ends, is judged and dropped before q comes up.
        h.Key("Return");
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal(0, h.Guard.HeldCount);
        h.Post(new KeyPayload(false, "q", null, Modifiers.None, 24));

        var release = Assert.Single(h.Stored, e => e.Payload is KeyPayload { IsDown: false, Key: not "Return" });
        Assert.Equal(new KeyPayload(false, PrivacyGuard.RedactedKey, null, Modifiers.None, 0), release.Payload);
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload { KeyCode: 24 });
    }

    [Fact]
    public void Every_piece_typed_into_a_sensitive_field_is_swallowed_with_its_edits()
    {
        var h = new Harness();
        h.Facts.Sensitive(h.Type("abc"), Password);
        h.Key("BackSpace");
        h.Facts.Sensitive(h.Type("d"), Password);
        h.Wait(TimeSpan.FromSeconds(3.5));
        h.Key("Tab");
        h.TypeInto(Description, "next");
        h.Wait(TimeSpan.FromSeconds(3.5));
        Assert.Equal("next", h.TypedText());
        Assert.Single(h.Redactions(RedactionTargets.SensitiveField));
        Assert.DoesNotContain(h.Stored, e => e.Payload is KeyPayload { Key: "BackSpace" });
    }

    [Fact]
    public void A_sensitive_label_makes_an_ordinary_entry_sensitive_but_not_a_check_box()
    {
        Assert.True(SensitiveFieldRules.Default.IsSensitive(Field("text", label: "Card number")));
        Assert.True(SensitiveFieldRules.Default.IsSensitive(Field("text", name: "PIN")));
        Assert.False(SensitiveFieldRules.Default.IsSensitive(Field("text", label: "Shipping")));
        var showPassword = new ElementPayload(0, ElementTriggers.Pointer, "check box", "Show password", null, [], null, null, null, []);
        Assert.False(SensitiveFieldRules.IsEditable(showPassword));
    }

    [Fact]
    public void A_recognizer_fault_drops_the_text_as_unscanned()
    {
        var h = new Harness(new FakeTextRedactor { Throw = true });
        h.TypeInto(Description, "anything at all");
        h.Wait(TimeSpan.FromSeconds(3.5));
        Assert.Equal("<UNSCANNED>", h.TypedText());
        Assert.DoesNotContain("anything", h.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Titles_element_names_and_ui_values_are_redacted_with_an_event_saying_what_went()
    {
        var h = new Harness();
        h.Post(new FocusPayload("Mail", "mail", "Inbox - carol@example.com", 7, new Rect(0, 0, 800, 600), 5));
        h.Post(new ElementPayload(0, ElementTriggers.Pointer, "list item", "From dave@example.org", null, [], null, "mail", 7, [new ElementAncestor("list", "eve@example.net")]));
        h.Post(new UiPayload(UiActions.Select, "Recipient", "combo box", "frank@example.com", [], null, "mail"));
        h.Finish();
        var export = h.Export();
        foreach (var secret in new[] { "carol", "dave", "eve@", "frank" })
        {
            Assert.DoesNotContain(secret, export, StringComparison.Ordinal);
        }
        Assert.Equal(
            [RedactionTargets.Title, RedactionTargets.Element, RedactionTargets.Ui],
            h.Stored.Select(e => e.Payload).OfType<RedactionPayload>().Select(r => r.Target));
        Assert.Equal(2, h.Redactions(RedactionTargets.Element).Single().Count);
    }

    [Fact]
    public void The_field_named_by_ordinary_facts_goes_through_the_redactor_too()
    {
        var h = new Harness();
        h.TypeInto(Field("text", name: "Reply to grace@example.org"), "thanks");
        h.Key("Tab");
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal("thanks", h.TypedText());
        Assert.DoesNotContain("grace", h.Export(), StringComparison.Ordinal);
        Assert.Single(h.Redactions(RedactionTargets.Element));
    }

    [Fact]
    public void Sensitive_elements_are_reported_for_frame_masking_relative_to_their_window()
    {
        var regions = new SensitiveRegions();
        var h = new Harness(regions: regions);
        h.Post(new FocusPayload("Yad", "yad", "Login", 42, new Rect(50, 60, 400, 300), 9));
        h.Post(Field("password text"));
        var region = Assert.Single(regions.Snapshot());
        Assert.Equal(new SensitiveRegion(9, new Rect(50, 140, 300, 30), true, new Rect(100, 200, 300, 30)), region);
    }

    [Fact]
    public void A_sensitive_field_taking_the_focus_is_masked_in_frames_before_anything_is_typed()
    {
        var regions = new SensitiveRegions();
        var h = new Harness(regions: regions);
        h.Post(new FocusPayload("Yad", "yad", "Login", 42, new Rect(50, 60, 400, 300), 9));
        h.Facts.SensitiveFieldFocused(Password);
        h.Wait(TimeSpan.FromMilliseconds(20));
        Assert.Equal(new SensitiveRegion(9, new Rect(50, 240, 300, 30), true, new Rect(100, 300, 300, 30)), Assert.Single(regions.Snapshot()));
        Assert.DoesNotContain(h.Stored, e => e.Payload is not FocusPayload);
    }

    [Fact]
    public void Frames_wait_while_typing_waits_for_its_facts()
    {
        var regions = new SensitiveRegions();
        var h = new Harness(regions: regions);
        var firstKeyNs = h.Now + (10 * Ms);
        var keys = h.Type("lunch");
        h.Key("Tab");
        h.Guard.Observe(h.Now);
        Assert.True(regions.DecidedThroughMonoNs < firstKeyNs);

        h.Facts.Ordinary(keys, Description);
        h.Wait(TimeSpan.FromMilliseconds(20));
        h.Guard.Observe(h.Now);
        Assert.True(regions.DecidedThroughMonoNs >= h.Now);
    }

    [Fact]
    public void Typing_the_X_server_delivers_late_in_one_burst_stays_one_piece()
    {
        var facts = new QueuedFieldFacts();
        var guard = new PrivacyGuard(new FakeTextRedactor(), SensitiveFieldRules.Default, new GuardOptions(), facts);
        var output = new List<GuardedEvent>();
        // Keys captured 40 ms apart but handed over together 1.5 s later: by arrival they are one
        // burst, so the email is judged whole instead of key by key.
        const string text = "ann@example.com";
        var arrival = 5_000 * Ms;
        long seq = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var captured = 3_500 * Ms + (i * 40 * Ms);
            facts.Ordinary([seq], Description);
            guard.Process(new SessionEvent(seq++, captured, Wall, new KeyPayload(true, text[i].ToString(), text[i].ToString(), Modifiers.None, 30 + i)), arrival, output);
            guard.Process(new SessionEvent(seq++, captured + Ms, Wall, new KeyPayload(false, text[i].ToString(), null, Modifiers.None, 30 + i)), arrival, output);
        }
        guard.Release(arrival + (4_000 * Ms), output);
        Assert.Equal("<EMAIL_ADDRESS>", string.Concat(output.Select(e => e.Payload).OfType<KeyPayload>().Where(k => k.IsDown).Select(k => k.Text)));
    }

    [Fact]
    public void Held_input_is_bounded_by_the_idle_boundary()
    {
        var h = new Harness();
        h.TypeInto(Description, "still typing ");
        Assert.True(h.Guard.NextDueNs is { } due && due <= h.Now + (long)TimeSpan.FromSeconds(1).TotalNanoseconds);
        h.Wait(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.Equal("still typing ", h.TypedText());

        // Stopped in the middle of a word: held longer (the word may go on), but still bounded.
        h.TypeInto(Description, "mid");
        Assert.True(h.Guard.NextDueNs is { } midDue && midDue <= h.Now + (long)TimeSpan.FromSeconds(3).TotalNanoseconds);
        h.Wait(TimeSpan.FromSeconds(1.5));
        Assert.NotEqual(0, h.Guard.HeldCount);
        h.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal(0, h.Guard.HeldCount);
        Assert.Equal("still typing mid", h.TypedText());
    }

    [Fact]
    public void Typing_that_never_pauses_is_cut_after_the_longest_hold()
    {
        var h = new Harness();
        // 12 s of typing, a key every 60 ms (press and release 10 ms apart, then 40 ms more).
        for (var i = 0; i < 200; i++)
        {
            h.TypeInto(Description, "x");
            h.Now += 40 * Ms;
        }
        // The first 10 s (about 167 keys) were cut off as one piece and stored while typing went on.
        Assert.InRange(h.Stored.Count(e => e.Payload is KeyPayload { IsDown: true }), 160, 170);
        Assert.InRange(h.Guard.HeldCount, 1, 2 * 40);
    }
}
