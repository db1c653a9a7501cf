using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Partitioning;

/// <summary>
/// A partition's writes commit only under the partition's current lease: a worker whose lease another worker took
/// commits nothing, whatever it was in the middle of, and a worker that still holds its lease commits as before.
/// </summary>
public sealed class PartitionFenceTests
{
    const int Partition = 3;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_worker_holding_the_lease_commits_and_one_that_lost_it_commits_nothing(DatabaseProvider provider)
    {
        await using var harness = await WriteApplierHarness.StartAsync(provider);
        var first = await TakeAsync(harness, "worker-a");
        var writes = Writes(6);
        await harness.RecordAsync(writes, Partition);

        using (PartitionFence.Enter(first))
        {
            var applied = await harness.Applier.ApplyAsync(writes[..3], Partition, CancellationToken.None);
            Assert.All(applied, r => Assert.Equal(ApplyOutcome.Applied, r.Outcome));
        }

        // The first worker stops renewing (paused); its lease runs out and another worker takes the partition.
        await harness.QueryAsync(db => db.PartitionLeases.Where(l => l.Partition == Partition).ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        var second = await TakeAsync(harness, "worker-b");
        Assert.Equal(first.Epoch + 1, second.Epoch);

        // The first worker wakes up and goes on with the writes it had taken: nothing of them may commit.
        using (PartitionFence.Enter(first))
        {
            await Assert.ThrowsAsync<PartitionLeaseLostException>(() => harness.Applier.ApplyAsync(writes[3..], Partition, CancellationToken.None));
        }

        Assert.Equal(3, await harness.QueryAsync(db => db.Writes.CountAsync(w => w.Status == WriteStatus.Queued)));
        Assert.Equal(3, await harness.QueryAsync(db => db.Records.CountAsync()));

        using (PartitionFence.Enter(second))
        {
            var applied = await harness.Applier.ApplyAsync(writes[3..], Partition, CancellationToken.None);
            Assert.All(applied, r => Assert.Equal(ApplyOutcome.Applied, r.Outcome));
        }

        Assert.Equal(6, await harness.QueryAsync(db => db.Writes.CountAsync(w => w.Status == WriteStatus.Applied)));
    }

    [Fact]
    public async Task A_lease_is_taken_only_when_free_expired_or_given_up_and_each_taking_moves_the_epoch_on()
    {
        await using var harness = await WriteApplierHarness.StartAsync(DatabaseProvider.PostgreSql);
        var first = await TakeAsync(harness, "worker-a");
        var (_, leases) = await harness.Leases.ReadAsync(CancellationToken.None);
        var seen = leases.Single(l => l.Partition == Partition).Epoch;

        Assert.Null(await harness.Leases.TryTakeAsync(Partition, seen, "worker-b", CancellationToken.None));
        // A stale reading (an epoch already moved on) takes nothing either, even once the lease is free.
        await harness.Leases.ReleaseAsync(first, CancellationToken.None);
        Assert.Null(await harness.Leases.TryTakeAsync(Partition, seen - 1, "worker-b", CancellationToken.None));

        var second = await harness.Leases.TryTakeAsync(Partition, seen, "worker-b", CancellationToken.None);
        Assert.Equal(new PartitionClaim(Partition, "worker-b", first.Epoch + 1), second);
        // Giving up a claim that is no longer the lease's changes nothing.
        await harness.Leases.ReleaseAsync(first, CancellationToken.None);
        (_, leases) = await harness.Leases.ReadAsync(CancellationToken.None);
        Assert.Equal("worker-b", leases.Single(l => l.Partition == Partition).Owner);
    }

    [Fact]
    public async Task A_partition_step_cannot_write_outside_a_transaction()
    {
        await using var harness = await WriteApplierHarness.StartAsync();
        var claim = await TakeAsync(harness, "worker-a");
        using (PartitionFence.Enter(claim))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.QueryAsync(db => db.Writes.ExecuteDeleteAsync()));
            Assert.Contains("outside a transaction", refused.Message, StringComparison.Ordinal);
        }
    }

    static async Task<PartitionClaim> TakeAsync(WriteApplierHarness harness, string worker)
    {
        await harness.Leases.HeartbeatAsync(new PipelineWorker { Id = worker, Host = "test", Heartbeat = DateTimeOffset.UtcNow }, CancellationToken.None);
        var (_, leases) = await harness.Leases.ReadAsync(CancellationToken.None);
        var lease = leases.Single(l => l.Partition == Partition);
        return await harness.Leases.TryTakeAsync(Partition, lease.Epoch, worker, CancellationToken.None)
            ?? throw new InvalidOperationException($"{worker} could not take partition {Partition}");
    }

    static List<ApplyWrite> Writes(int count) => [.. Enumerable.Range(1, count).Select(i => new ApplyWrite
    {
        WriteId = Guid.CreateVersion7(),
        ClientId = Guid.Empty,
        Collection = "undeclared",
        Key = $"k{i}",
        Operation = WriteOperations.Replace,
        Body = new JsonObject { ["n"] = i }.ToJsonString(),
        SubmittedAt = DateTimeOffset.UtcNow,
    })];
}
