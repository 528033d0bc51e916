using Understudy.Cli.Recording;
using Understudy.Storage;
using Understudy.Tests.Storage;

namespace Understudy.Tests.Cli;

public sealed class LocalRetentionTests
{
    [Fact]
    public void Sessions_older_than_the_policy_allows_are_deleted_and_newer_ones_kept()
    {
        // One session a day, starting 40 days before "now".
        var now = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
        using var store = new TestStore(new SteppingTimeProvider(now - TimeSpan.FromDays(40), TimeSpan.FromDays(1)));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var writer = store.Store.Create(TestStore.Start);
            ids.Add(writer.Id);
            writer.Close(new SessionEndInfo("stopped", 0));
        }
        var created = store.Store.List().ToDictionary(s => s.Id, s => s.CreatedAt);

        var deleted = LocalRetention.Apply(store.Store, localDays: 30, now);

        var left = store.Store.List().Select(s => s.Id).ToHashSet();
        Assert.Equal(created.Count(pair => pair.Value < now - TimeSpan.FromDays(30)), deleted);
        Assert.True(deleted > 0);
        Assert.All(left, id => Assert.True(created[id] >= now - TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Nothing_is_deleted_while_every_session_is_recent()
    {
        using var store = new TestStore();
        using (var writer = store.Store.Create(TestStore.Start))
        {
            writer.Close(new SessionEndInfo("stopped", 0));
        }
        Assert.Equal(0, LocalRetention.Apply(store.Store, localDays: 30, DateTimeOffset.UtcNow));
        Assert.Single(store.Store.List());
    }
}
