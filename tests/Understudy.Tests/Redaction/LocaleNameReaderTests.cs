using Bogus;
using Bogus.Bson;
using Understudy.Redaction.Recognizers;

namespace Understudy.Tests.Redaction;

public sealed class LocaleNameReaderTests
{
    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    [InlineData("pt_BR")]
    [InlineData("sv")]
    public void The_name_lists_read_from_the_embedded_data_are_exactly_bogus_own(string locale)
    {
        string[] keys = ["first_name", "male_first_name", "female_first_name", "last_name"];
        var ours = LocaleNameReader.Read(locale, keys);
        Assert.NotNull(ours);
        foreach (var key in keys)
        {
            var theirs = Database.HasKey("name", key, locale, null) && Database.Get("name", key, locale, null) is BArray array
                ? Enumerable.Range(0, array.Count).Select(i => array[i].StringValue).ToList()
                : null;
            if (theirs is null)
            {
                Assert.False(ours.ContainsKey(key), $"{locale} {key}: Bogus has none");
            }
            else
            {
                Assert.Equal(theirs, ours[key]);
            }
        }
        Assert.True(ours.Values.Sum(list => list.Count) > 100);
    }

    [Fact]
    public void Broken_data_is_refused_not_misread()
    {
        Assert.Throws<FormatException>(() => LocaleNameReader.ReadNames([5, 0, 0, 0], ["first_name"]));
        Assert.Throws<FormatException>(() => LocaleNameReader.ReadNames([200, 0, 0, 0, 3, 0], ["first_name"]));
        // A document with one element of an unknown type.
        Assert.Throws<FormatException>(() => LocaleNameReader.ReadNames([8, 0, 0, 0, 0x7F, (byte)'x', 0, 0], ["first_name"]));
    }
}
