using System.Text.Json.Nodes;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Partitioning;

public sealed class PartitionConsumerTests : IAsyncLifetime
{
    PartitionConsumerHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PartitionConsumerHarness.StartAsync();

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    static ApplyWrite Replace(string key, JsonObject document, string collection = "customers") => PartitionConsumerHarness.Replace(collection, key, document);

    static ApplyWrite Sequenced(string key, int sequence) => Replace(key, new JsonObject { ["seq"] = sequence });

    [Fact]
    public async Task Writes_to_one_key_are_applied_in_the_order_they_were_sent()
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"k{i}").ToArray();
        var writes = Enumerable.Range(1, 30).SelectMany(seq => keys.Select(key => Sequenced(key, seq))).ToList();

        foreach (var write in writes)
        {
            await _pipeline.SendAsync(write);
        }

        await _pipeline.UntilFinalAsync([.. writes.Select(w => w.WriteId)]);
        foreach (var key in keys)
        {
            var history = await _pipeline.HistoryAsync("customers", key);
            Assert.Equal(Enumerable.Range(1, 30), history.Select(v => JsonNode.Parse(v.Document!)!["seq"]!.GetValue<int>()));
            Assert.Equal(Enumerable.Range(1, 30).Select(v => (long)v), history.Select(v => v.Version));
        }
    }

    [Fact]
    public async Task A_write_retried_after_a_passing_failure_is_not_overtaken()
    {
        var first = Sequenced("held", 1);
        var second = Sequenced("held", 2);
        var elsewhere = Sequenced("free", 1);
        _pipeline.Outage.FailTimes(first.WriteId, 3);

        await _pipeline.SendAsync(first);
        await _pipeline.SendAsync(second);
        await _pipeline.SendAsync(elsewhere);
        await _pipeline.UntilFinalAsync(first.WriteId, second.WriteId, elsewhere.WriteId);

        var history = await _pipeline.HistoryAsync("customers", "held");
        Assert.Equal([first.WriteId, second.WriteId], history.Select(v => v.WriteId));
        Assert.Equal(4, _pipeline.Outage.AttemptsOf(first.WriteId));
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(first.WriteId))!.Status);
    }

    [Fact]
    public async Task A_write_that_fails_every_time_for_an_unexpected_reason_ends_failed_and_the_writes_behind_it_are_applied()
    {
        var broken = Sequenced("broken", 1);
        var after = Sequenced("broken", 2);
        var partition = _pipeline.Partitions.PartitionOf("customers", "broken");
        var neighbour = Sequenced(Enumerable.Range(0, 100).Select(i => $"beside-{i}").First(key => _pipeline.Partitions.PartitionOf("customers", key) == partition), 1);
        await _pipeline.RecordAsync(broken, after, neighbour);
        var recorded = _pipeline.Outage.AttemptsOf(broken.WriteId);
        _pipeline.Outage.Break(broken.WriteId);
        await _pipeline.SendAsync(broken);
        await _pipeline.SendAsync(after);
        await _pipeline.SendAsync(neighbour);
        await _pipeline.UntilFinalAsync(broken.WriteId, after.WriteId, neighbour.WriteId);

        var status = (await _pipeline.WriteAsync(broken.WriteId))!;
        Assert.Equal(WriteStatus.Failed, status.Status);
        Assert.Equal(WriteErrors.ProcessingError, status.ErrorType);
        Assert.Equal($"Simulated: a bug in applying write {broken.WriteId}.", status.ErrorDetail);
        Assert.Equal([after.WriteId], (await _pipeline.HistoryAsync("customers", "broken")).Select(v => v.WriteId));
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(neighbour.WriteId))!.Status);
        // Worker:MaxProcessingAttempts (5) alone, plus the attempt of the batch it may have arrived in.
        Assert.InRange(_pipeline.Outage.AttemptsOf(broken.WriteId) - recorded, 5, 6);
        // The write's end is one error; its attempts before that are warnings.
        Assert.Equal(1, _pipeline.Log.Errors);
    }

    [Fact]
    public async Task A_redelivered_write_is_applied_once()
    {
        var write = Sequenced("once", 1);
        var later = Sequenced("once", 2);

        await _pipeline.SendAsync(write);
        await _pipeline.SendAsync(write);
        await _pipeline.SendAsync(later);
        // The copy sits between the two writes of one key, so it has been consumed once 'later' is final.
        await _pipeline.UntilFinalAsync(write.WriteId, later.WriteId);

        var history = await _pipeline.HistoryAsync("customers", "once");
        Assert.Equal([write.WriteId, later.WriteId], history.Select(v => v.WriteId));
    }

    [Fact]
    public async Task A_write_with_an_unknown_operation_ends_failed_with_the_reason()
    {
        var write = Sequenced("odd", 1) with { Operation = "upsert" };

        await _pipeline.SendAsync(write);
        await _pipeline.UntilFinalAsync(write.WriteId);

        var status = await _pipeline.WriteAsync(write.WriteId);
        Assert.Equal(WriteStatus.Failed, status!.Status);
        Assert.Equal(WriteErrors.UnknownOperation, status.ErrorType);
        Assert.Empty(await _pipeline.HistoryAsync("customers", "odd"));
    }

    [Fact]
    public async Task A_write_whose_precondition_fails_is_conflicted_and_leaves_the_record_alone()
    {
        var create = Sequenced("guarded", 1);
        var stale = Sequenced("guarded", 2) with { IfMatchVersion = 7 };

        await _pipeline.SendAsync(create);
        await _pipeline.SendAsync(stale);
        await _pipeline.UntilFinalAsync(create.WriteId, stale.WriteId);

        var status = await _pipeline.WriteAsync(stale.WriteId);
        Assert.Contains(status!.Status, new[] { WriteStatus.Conflicted, WriteStatus.Parked });
        Assert.Equal(WriteErrors.VersionMismatch, status.ErrorType);
        Assert.Equal([create.WriteId], (await _pipeline.HistoryAsync("customers", "guarded")).Select(v => v.WriteId));
    }
    [Fact]
    public async Task A_stale_write_whose_body_is_not_json_ends_conflicted_and_its_partition_goes_on()
    {
        // Only a message not sent by the API carries such a body; its failed precondition is decided before the body is read.
        var create = Sequenced("unreadable", 1);
        var stale = Sequenced("unreadable", 2) with { Body = "not json", IfMatchVersion = 7 };
        var partition = _pipeline.Partitions.PartitionOf("customers", "unreadable");
        var neighbour = Enumerable.Range(0, 100).Select(i => $"neighbour-{i}").First(key => _pipeline.Partitions.PartitionOf("customers", key) == partition);
        var next = Sequenced(neighbour, 1);

        await _pipeline.SendAsync(create);
        await _pipeline.SendAsync(stale);
        await _pipeline.SendAsync(next);
        await _pipeline.UntilFinalAsync(create.WriteId, stale.WriteId, next.WriteId);

        var status = await _pipeline.WriteAsync(stale.WriteId);
        Assert.Contains(status!.Status, new[] { WriteStatus.Conflicted, WriteStatus.Parked });
        Assert.Equal(WriteErrors.VersionMismatch, status.ErrorType);
        Assert.Equal(WriteStatus.Applied, (await _pipeline.WriteAsync(next.WriteId))!.Status);
    }
}
