using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>
/// A write whose outcome PostgreSQL would not store as it is ends with a final status, and the writes of its key and
/// partition go on: retried, it would block its key, and then its partition, for ever. The partition consumers run as
/// in the worker, on PostgreSQL (SQLite stores what PostgreSQL refuses).
/// </summary>
public sealed class StorageRejectionTests : IAsyncLifetime
{
    /// <summary>Longer than the write's and the conflict's 2,000-character detail columns once named in a missing-reference detail.</summary>
    static readonly string LongCustomerId = new('c', 2100);

    /// <summary>Everything here is over within seconds; a write retried for ever fails the test instead of hanging it.</summary>
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    PartitionConsumerHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PartitionConsumerHarness.StartAsync(DatabaseProvider.PostgreSql, options =>
    {
        foreach (var (name, collection) in WriteCases.Collections)
        {
            options.Collections[name] = collection;
        }
    });

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    static ApplyWrite Replace(string collection, string key, JsonObject document) => PartitionConsumerHarness.Replace(collection, key, document);

    async Task SendAndWaitAsync(params ApplyWrite[] writes)
    {
        foreach (var write in writes)
        {
            await _pipeline.SendAsync(write);
        }

        await Eventually.UntilAsync(
            async () =>
            {
                var ids = writes.Select(w => w.WriteId).ToList();
                return await _pipeline.QueryAsync(db => db.Writes.CountAsync(w => ids.Contains(w.Id) && w.Status != WriteStatus.Queued)) == ids.Count;
            },
            $"{writes.Length} writes leave 'queued'",
            Bound);
    }

    [Fact]
    public async Task A_missing_reference_too_long_for_its_detail_ends_conflicted_with_the_detail_cut_and_its_key_goes_on()
    {
        var order = Replace("orders", "o-long", new JsonObject { ["customerId"] = LongCustomerId });
        var nextOrder = Replace("orders", "o-long", new JsonObject { ["qty"] = 1 });
        var note = Replace("notes", "n-long", new JsonObject { ["customerId"] = LongCustomerId });
        var nextNote = Replace("notes", "n-long", new JsonObject { ["tag"] = "t1" });

        await SendAndWaitAsync(order, nextOrder, note, nextNote);

        foreach (var conflicted in new[] { order, note })
        {
            var write = (await _pipeline.WriteAsync(conflicted.WriteId))!;
            Assert.Contains(write.Status, new[] { WriteStatus.Conflicted, WriteStatus.Parked });
            Assert.Equal(WriteErrors.MissingReference, write.ErrorType);
            Assert.Equal(WriteErrors.MaxDetailLength, write.ErrorDetail!.Length);
            var conflict = await _pipeline.QueryAsync(db => db.WriteConflicts.AsNoTracking().SingleAsync(c => c.WriteId == conflicted.WriteId));
            Assert.Equal(WriteErrors.MaxDetailLength, conflict.Detail.Length);
        }

        // orders hold a conflicted key: the next write waits behind the conflict, in its place; notes go on.
        var heldOrder = (await _pipeline.WriteAsync(nextOrder.WriteId))!;
        Assert.Equal(WriteStatus.Held, heldOrder.Status);
        Assert.Equal(order.WriteId, heldOrder.HeldBehind);
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(nextNote.WriteId))!.Status);
        Assert.Equal([nextNote.WriteId], (await _pipeline.HistoryAsync("notes", "n-long")).Select(v => v.WriteId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_write_the_database_refuses_ends_failed_and_the_next_write_of_its_key_is_applied(bool recordedByTheApi)
    {
        // A customer referenced as often as its counter can count: one more reference is a value PostgreSQL refuses
        // (integer out of range), whichever path the write takes.
        var customer = Replace("customers", "c-full", new JsonObject { ["name"] = "Full" });
        await SendAndWaitAsync(customer);
        await _pipeline.QueryAsync(db => db.Records
            .Where(r => r.Collection == "customers" && r.Key == "c-full")
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.ReferenceCount, int.MaxValue)));

        var refused = Replace("orders", "o-over", new JsonObject { ["customerId"] = "c-full" });
        var next = Replace("orders", "o-over", new JsonObject { ["qty"] = 2 });
        var elsewhere = Replace("orders", "o-other", new JsonObject { ["qty"] = 3 });
        if (recordedByTheApi)
        {
            await _pipeline.RecordAsync(refused, next, elsewhere);
        }

        await SendAndWaitAsync(refused, next, elsewhere);

        var failed = (await _pipeline.WriteAsync(refused.WriteId))!;
        Assert.Equal(WriteStatus.Failed, failed.Status);
        Assert.Equal(WriteErrors.StorageRejected, failed.ErrorType);
        Assert.Contains("out of range", failed.ErrorDetail, StringComparison.Ordinal);
        Assert.NotNull(failed.CompletedAt);
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(next.WriteId))!.Status);
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(elsewhere.WriteId))!.Status);
        Assert.Equal([next.WriteId], (await _pipeline.HistoryAsync("orders", "o-over")).Select(v => v.WriteId));
        var full = await _pipeline.QueryAsync(db => db.Records.AsNoTracking().SingleAsync(r => r.Collection == "customers" && r.Key == "c-full"));
        Assert.Equal(int.MaxValue, full.ReferenceCount);
    }

    [Fact]
    public async Task A_decision_the_database_refuses_ends_the_write_failed_its_saga_failed_and_releases_its_key()
    {
        var customer = Replace("customers", "c-dec", new JsonObject { ["name"] = "Full" });
        var order = Replace("orders", "o-dec", new JsonObject { ["qty"] = 1 });
        await SendAndWaitAsync(customer, order);
        var stale = Replace("orders", "o-dec", new JsonObject { ["qty"] = 2 }) with { IfMatchVersion = 9 };
        var held = Replace("orders", "o-dec", new JsonObject { ["qty"] = 3 });
        await SendAndWaitAsync(stale, held);
        await Eventually.UntilAsync(async () => (await _pipeline.WriteAsync(stale.WriteId))!.Status == WriteStatus.Parked, "the stale write is parked", Bound);
        Assert.Equal(WriteStatus.Held, (await _pipeline.WriteAsync(held.WriteId))!.Status);
        // The decision's document references a customer whose counter cannot count one more: PostgreSQL refuses it.
        await _pipeline.QueryAsync(db => db.Records
            .Where(r => r.Collection == "customers" && r.Key == "c-dec")
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.ReferenceCount, int.MaxValue)));

        var answer = await _pipeline.ResolveAsync(new ResolveConflict
        {
            WriteId = stale.WriteId,
            ResolutionId = Guid.NewGuid(),
            Action = ResolutionActions.Resubmit,
            Body = new JsonObject { ["qty"] = 2, ["customerId"] = "c-dec" }.ToJsonString(),
            RequestedBy = "test",
        });

        Assert.True(answer.Is(out MassTransit.Response<ResolutionAccepted>? _));
        await Eventually.UntilAsync(
            async () => await _pipeline.QueryAsync(db => db.ConflictSagas.AsNoTracking().AnyAsync(s => s.CorrelationId == stale.WriteId && s.CurrentState == "Failed")),
            "the saga leaves Resolving for Failed",
            Bound);
        var failed = (await _pipeline.WriteAsync(stale.WriteId))!;
        Assert.Equal((WriteStatus.Failed, WriteErrors.StorageRejected), (failed.Status, failed.ErrorType));
        await Eventually.UntilAsync(async () => (await _pipeline.WriteAsync(held.WriteId))!.Status == WriteStatus.Applied, "the held write is released", Bound);
        Assert.Equal([order.WriteId, held.WriteId], (await _pipeline.HistoryAsync("orders", "o-dec")).Select(v => v.WriteId));
    }

    [Fact]
    public async Task A_message_whose_own_key_the_database_refuses_keeps_no_status_and_its_partition_goes_on()
    {
        // The API never sends such a key (it checks keys); a message from elsewhere can carry one, and then not even the
        // write's own row can be stored.
        var tooLong = new string('k', 300);
        var refused = Replace("misc", tooLong, new JsonObject { ["v"] = 1 });
        var partition = _pipeline.Partitions.PartitionOf("misc", tooLong);
        var neighbour = Enumerable.Range(0, 100).Select(i => $"neighbour-{i}").First(key => _pipeline.Partitions.PartitionOf("misc", key) == partition);
        var next = Replace("misc", neighbour, new JsonObject { ["v"] = 2 });

        await _pipeline.SendAsync(refused);
        await SendAndWaitAsync(next);

        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(next.WriteId))!.Status);
        Assert.Null(await _pipeline.WriteAsync(refused.WriteId));
    }
}
