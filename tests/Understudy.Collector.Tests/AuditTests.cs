using Microsoft.Data.Sqlite;
using Understudy.Collector.Audit;
using Understudy.Collector.Metadata;
using Understudy.Collector.Tests.Support;

namespace Understudy.Collector.Tests;

/// <summary>The audit chain detects a modified, deleted, inserted or reordered entry, in the real database file.</summary>
public sealed class AuditTests : IAsyncLifetime
{
    private TestCollector _collector = null!;

    public async Task InitializeAsync()
    {
        _collector = await TestCollector.StartAsync(StoreKind.Sqlite);
        var steward = Caller.Operator("acc_0000000000000001");
        for (var i = 0; i < 6; i++)
        {
            await _collector.Service.AuditAsync(steward, AuditActions.PolicyChange, i % 2 == 0 ? "donor-a" : null, null, $"policy version {i}", CancellationToken.None);
        }
    }

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    private Task<AuditVerification> VerifyAsync() => _collector.Service.VerifyAuditAsync(CancellationToken.None);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_collector.Options.DataDirectory, "collector.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(await command.ExecuteNonQueryAsync() > 0);
    }

    [Fact]
    public async Task An_untouched_log_verifies()
    {
        var result = await VerifyAsync();
        Assert.True(result.Intact);
        Assert.True(result.EntriesChecked >= 6);
    }

    [Fact]
    public async Task A_modified_entry_is_detected()
    {
        await ExecuteAsync("UPDATE audit SET detail = 'nothing happened' WHERE detail = 'policy version 3'");
        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Contains("modified", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_detected()
    {
        await ExecuteAsync("DELETE FROM audit WHERE detail = 'policy version 2'");
        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Contains("missing or out of order", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_removed_from_the_end_are_detected()
    {
        await ExecuteAsync("DELETE FROM audit WHERE seq >= 5");
        Assert.True(_collector.Service.Chain.Verify(await _collector.Service.ReadAllAuditAsync(null, CancellationToken.None)).Intact); // the chain alone cannot see it
        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Contains("entries at the end were removed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordered_entries_are_detected()
    {
        // Swap the second and third entries.
        await ExecuteAsync("UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1");
        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Contains("does not link", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewritten_chain_without_the_audit_key_is_detected()
    {
        // Someone with the database but not the key recomputes the chain with another key.
        var forger = new AuditChain(new byte[32]);
        var entries = await _collector.Service.ReadAllAuditAsync(null, CancellationToken.None);
        var prev = AuditChain.GenesisHash;
        var forged = new List<AuditEntry>();
        foreach (var entry in entries)
        {
            var hash = forger.Hash(prev, entry.Seq, entry.At, new AuditDraft(entry.Actor, entry.Action, entry.DonorId, entry.SessionId, entry.Detail));
            forged.Add(entry with { PrevHash = prev, Hash = hash });
            prev = hash;
        }
        var result = _collector.Service.Chain.Verify(forged);
        Assert.False(result.Intact);
        Assert.Equal(1, result.BrokenAtSeq);
    }
}
