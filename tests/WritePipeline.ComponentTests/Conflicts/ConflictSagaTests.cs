using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;

namespace WritePipeline.ComponentTests.Conflicts;

/// <summary>The conflict saga's transitions, on MassTransit's harness with the saga persisted in SQLite or PostgreSQL.</summary>
public abstract class ConflictSagaTests(DatabaseProvider provider) : IAsyncLifetime
{
    PartitionConsumerHarness _pipeline = null!;

    // Conflicts detected at times the database keeps less precisely than .NET, as they mostly are.
    public async Task InitializeAsync() => _pipeline = await PartitionConsumerHarness.StartAsync(provider, clock: new SubMicrosecondClock());

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    static ApplyWrite Replace(string key, int sequence, long? ifMatch = null) => new()
    {
        WriteId = NewId.NextGuid(),
        ClientId = Guid.Empty,
        Collection = "customers",
        Key = key,
        Operation = WriteOperations.Replace,
        Body = new JsonObject { ["seq"] = sequence }.ToJsonString(),
        IfMatchVersion = ifMatch,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    static ResolveConflict Decision(Guid writeId, string action, string? reason = null) => new()
    {
        WriteId = writeId,
        ResolutionId = NewId.NextGuid(),
        Action = action,
        Reason = reason,
        RequestedBy = "test",
    };

    async Task<ApplyWrite> ParkedAsync(string key)
    {
        var created = Replace(key, 1);
        await _pipeline.SendAsync(created);
        await UntilAsync(created.WriteId, WriteStatus.Applied);
        var stale = Replace(key, 2, ifMatch: 9);
        await _pipeline.SendAsync(stale);
        await UntilAsync(stale.WriteId, WriteStatus.Parked);
        return stale;
    }

    /// <summary>Records writes as conflicted, each with a conflict of its own, as the worker leaves them before it hands them over.</summary>
    Task<int> ConflictedAsync(params (ApplyWrite Write, DateTimeOffset At)[] writes) => _pipeline.QueryAsync(db =>
    {
        foreach (var (write, at) in writes)
        {
            var row = Write.FromMessage(write, _pipeline.Partitions.PartitionOf(write.Collection, write.Key));
            row.MarkConflicted(WriteErrors.VersionMismatch, "test", at);
            db.Writes.Add(row);
            db.WriteConflicts.Add(new WriteConflict { WriteId = write.WriteId, ConflictId = Guid.NewGuid(), Type = WriteErrors.VersionMismatch, Detail = "test", DetectedAt = at, Changes = "[]" });
        }

        return db.SaveChangesAsync();
    });

    Task UntilAsync(Guid writeId, string status) => Eventually.UntilAsync(
        async () => (await _pipeline.WriteAsync(writeId))?.Status == status,
        $"write {writeId} is {status}");

    Task<ConflictState> SagaAsync(Guid writeId) =>
        _pipeline.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == writeId));

    [Fact]
    public async Task A_conflicted_write_is_parked_by_a_saga_the_database_keeps()
    {
        var stale = await ParkedAsync("k1");

        var saga = await SagaAsync(stale.WriteId);
        Assert.Equal("Parked", saga.CurrentState);
        Assert.Equal(WriteErrors.VersionMismatch, saga.ConflictType);
        Assert.Equal(1, saga.Conflicts);
        Assert.True(await _pipeline.Harness.Consumed.Any<WriteConflicted>(c => c.Context.Message.WriteId == stale.WriteId));
    }

    [Fact]
    public async Task The_same_conflict_handed_over_again_changes_nothing()
    {
        var stale = await ParkedAsync("k1");
        var before = await SagaAsync(stale.WriteId);
        var conflict = await _pipeline.QueryAsync(db => db.WriteConflicts.AsNoTracking().SingleAsync(c => c.WriteId == stale.WriteId));

        var endpoint = await _pipeline.Harness.Bus.GetSendEndpoint(ConflictSagaDefinition.SendAddress);
        await endpoint.Send(new WriteConflicted
        {
            WriteId = stale.WriteId,
            ClientId = stale.ClientId,
            Collection = stale.Collection,
            Key = stale.Key,
            Operation = stale.Operation,
            ConflictType = conflict.Type,
            ConflictId = conflict.ConflictId,
            DetectedAt = conflict.DetectedAt,
        });
        await Eventually.UntilAsync(
            () => Task.FromResult(_pipeline.Harness.Consumed.Select<WriteConflicted>(c => c.Context.Message.WriteId == stale.WriteId).Count() == 2),
            "the repeated event was consumed");

        var after = await SagaAsync(stale.WriteId);
        Assert.Equal(before.Conflicts, after.Conflicts);
        Assert.Equal("Parked", after.CurrentState);
    }

    [Fact]
    public async Task An_accepted_decision_goes_through_the_partition_and_ends_the_saga_applied()
    {
        var stale = await ParkedAsync("k1");

        var response = await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Overwrite));

        Assert.True(response.Is(out Response<ResolutionAccepted>? _));
        await UntilAsync(stale.WriteId, WriteStatus.Applied);
        await Eventually.UntilAsync(async () => (await SagaAsync(stale.WriteId)).CurrentState == "Applied", "the saga ends applied");
        Assert.True(await _pipeline.Harness.Consumed.Any<WriteResolved>(c => c.Context.Message.WriteId == stale.WriteId));
        var history = await _pipeline.HistoryAsync("customers", "k1");
        Assert.Equal([stale.WriteId], history.Skip(1).Select(v => v.WriteId));

        var late = await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Retry));
        Assert.True(late.Is(out Response<ResolutionRefused>? refused));
        Assert.Equal(WriteStatus.Applied, refused.Message.Status);
    }

    [Fact]
    public async Task A_decision_that_conflicts_again_parks_the_write_again()
    {
        var stale = await ParkedAsync("k1");

        Assert.True((await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Retry))).Is(out Response<ResolutionAccepted>? _));

        await Eventually.UntilAsync(
            async () => await SagaAsync(stale.WriteId) is { Conflicts: 2, CurrentState: "Parked" },
            "the saga parks the write again");
        Assert.Equal(WriteStatus.Parked, (await _pipeline.WriteAsync(stale.WriteId))!.Status);
    }

    [Fact]
    public async Task Concurrent_decisions_about_one_write_take_exactly_one()
    {
        var stale = await ParkedAsync("k1");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Discard, $"reason {i}"))));

        Assert.Single(answers, a => a.Is(out Response<ResolutionAccepted>? _));
        await UntilAsync(stale.WriteId, WriteStatus.Discarded);
        await Eventually.UntilAsync(async () => (await SagaAsync(stale.WriteId)).CurrentState == "Discarded", "the saga ends discarded");
    }

    [Fact]
    public async Task A_conflict_handed_over_while_the_database_is_away_is_taken_once_it_is_back()
    {
        // A conflicted write as the worker leaves it before it hands it over.
        var write = Replace("k1", 1, ifMatch: 9);
        await ConflictedAsync((write, DateTimeOffset.UtcNow));
        // More failed attempts than any fixed number of retries would allow (the endpoint's used to stop at 9).
        _pipeline.Outage.FailTimes(write.WriteId, 12);

        var endpoint = await _pipeline.Harness.Bus.GetSendEndpoint(ConflictSagaDefinition.SendAddress);
        await endpoint.Send(new WriteConflicted
        {
            WriteId = write.WriteId,
            ClientId = write.ClientId,
            Collection = write.Collection,
            Key = write.Key,
            Operation = write.Operation,
            ConflictType = WriteErrors.VersionMismatch,
            ConflictId = (await _pipeline.QueryAsync(db => db.WriteConflicts.AsNoTracking().SingleAsync(c => c.WriteId == write.WriteId))).ConflictId,
            DetectedAt = DateTimeOffset.UtcNow,
        });

        await UntilAsync(write.WriteId, WriteStatus.Parked);
        Assert.True(_pipeline.Outage.AttemptsOf(write.WriteId) > 12);
        Assert.Equal("Parked", (await SagaAsync(write.WriteId)).CurrentState);
        Assert.False(await _pipeline.Harness.Published.Any<Fault<WriteConflicted>>(), "the hand-over faulted (to the error queue)");
    }

    [Fact]
    public async Task A_repeated_conflict_event_does_not_restart_a_saga_that_is_resolving()
    {
        var stale = await ParkedAsync("k1");
        var handedOver = _pipeline.Harness.Consumed.Select<WriteConflicted>(c => c.Context.Message.WriteId == stale.WriteId).Single().Context.Message;
        // The decision waits on its partition: the saga stays resolving.
        await _pipeline.StopPartitionsAsync();
        Assert.True((await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Overwrite))).Is(out Response<ResolutionAccepted>? _));
        Assert.Equal("Resolving", (await SagaAsync(stale.WriteId)).CurrentState);

        // The broker delivers the first hand-over again, as it does when its acknowledgement was lost.
        var endpoint = await _pipeline.Harness.Bus.GetSendEndpoint(ConflictSagaDefinition.SendAddress);
        await endpoint.Send(handedOver);
        await Eventually.UntilAsync(
            () => Task.FromResult(_pipeline.Harness.Consumed.Select<WriteConflicted>(c => c.Context.Message.WriteId == stale.WriteId).Count() == 2),
            "the repeated event was consumed");

        var saga = await SagaAsync(stale.WriteId);
        Assert.Equal(("Resolving", 1), (saga.CurrentState, saga.Conflicts));
        Assert.Equal(WriteStatus.Resolving, (await _pipeline.WriteAsync(stale.WriteId))!.Status);
    }

    [Fact]
    public async Task The_sweeper_hands_over_a_conflict_no_saga_took_once_and_only_when_it_is_overdue()
    {
        // Two conflicted writes whose hand-over was lost: one two minutes ago, one just now.
        var (overdue, recent) = (Replace("k1", 1, ifMatch: 9), Replace("k2", 1, ifMatch: 9));
        await ConflictedAsync((overdue, DateTimeOffset.UtcNow.AddMinutes(-2)), (recent, DateTimeOffset.UtcNow));

        Assert.Equal(new SweepResult(1, 0, 0, 0), await _pipeline.SweepAsync());

        await UntilAsync(overdue.WriteId, WriteStatus.Parked);
        var conflict = await _pipeline.QueryAsync(db => db.WriteConflicts.AsNoTracking().SingleAsync(c => c.WriteId == overdue.WriteId));
        Assert.Equal(conflict.ConflictId, (await SagaAsync(overdue.WriteId)).ConflictId);
        Assert.Equal(WriteStatus.Conflicted, (await _pipeline.WriteAsync(recent.WriteId))!.Status);
        Assert.Equal(new SweepResult(0, 0, 0, 0), await _pipeline.SweepAsync());
    }

    [Fact]
    public async Task The_sweeper_finishes_a_saga_left_resolving_after_its_decision_was_applied()
    {
        var stale = await ParkedAsync("k1");
        Assert.True((await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Overwrite))).Is(out Response<ResolutionAccepted>? _));
        await Eventually.UntilAsync(async () => (await SagaAsync(stale.WriteId)).CurrentState == "Applied", "the saga ends applied");
        // As if WriteResolved had been lost two minutes ago: the write applied, its saga still resolving.
        await _pipeline.QueryAsync(async db =>
        {
            await db.ConflictSagas.Where(s => s.CorrelationId == stale.WriteId)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.CurrentState, "Resolving").SetProperty(s => s.ResolvedAt, (DateTimeOffset?)null));
            return await db.Writes.Where(w => w.Id == stale.WriteId)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.CompletedAt, DateTimeOffset.UtcNow.AddMinutes(-2)));
        });

        Assert.Equal(new SweepResult(0, 1, 0, 0), await _pipeline.SweepAsync());

        await Eventually.UntilAsync(async () => await SagaAsync(stale.WriteId) is { CurrentState: "Applied", ResolvedAt: not null }, "the saga ends applied again");
        Assert.Equal(new SweepResult(0, 0, 0, 0), await _pipeline.SweepAsync());
    }

    [Fact]
    public async Task The_sweeper_sends_a_decision_whose_send_was_lost_again_once_it_is_overdue_with_its_resubmitted_document()
    {
        var (lost, recent, finished) = (await ParkedAsync("k1"), await ParkedAsync("k2"), await ParkedAsync("k3"));
        // k3: carried out, but its saga did not hear of it two minutes ago (the sweeper's older duty).
        Assert.True((await _pipeline.ResolveAsync(Decision(finished.WriteId, ResolutionActions.Overwrite))).Is(out Response<ResolutionAccepted>? _));
        await Eventually.UntilAsync(async () => (await SagaAsync(finished.WriteId)).CurrentState == "Applied", "the saga ends applied");
        await _pipeline.QueryAsync(async db =>
        {
            await db.ConflictSagas.Where(s => s.CorrelationId == finished.WriteId).ExecuteUpdateAsync(set => set.SetProperty(s => s.CurrentState, "Resolving"));
            return await db.Writes.Where(w => w.Id == finished.WriteId).ExecuteUpdateAsync(set => set.SetProperty(w => w.CompletedAt, DateTimeOffset.UtcNow.AddMinutes(-2)));
        });

        // k1 and k2: decisions taken and committed, their ApplyResolution lost on the way to the partition.
        await _pipeline.StopPartitionsAsync();
        var document = new JsonObject { ["seq"] = 99, ["fixed"] = true }.ToJsonString();
        var resubmit = Decision(lost.WriteId, ResolutionActions.Resubmit) with { Body = document };
        Assert.True((await _pipeline.ResolveAsync(resubmit)).Is(out Response<ResolutionAccepted>? _));
        Assert.True((await _pipeline.ResolveAsync(Decision(recent.WriteId, ResolutionActions.Overwrite))).Is(out Response<ResolutionAccepted>? _));
        Assert.Equal(2, _pipeline.DrainPartitions().Count);
        // Only k1's decision was taken longer ago than HandoverAfter.
        await _pipeline.QueryAsync(db => db.ConflictSagas.Where(s => s.CorrelationId == lost.WriteId)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ResolutionRequestedAt, DateTimeOffset.UtcNow.AddMinutes(-2))));

        Assert.Equal(new SweepResult(0, 1, 0, 1), await _pipeline.SweepAsync());

        var sent = Assert.Single(_pipeline.DrainPartitions());
        var resolution = Assert.IsType<PartitionMessage.OfResolution>(sent).Resolution;
        Assert.Equal(
            (lost.WriteId, resubmit.ResolutionId, ResolutionActions.Resubmit, document, "customers", "k1"),
            (resolution.WriteId, resolution.ResolutionId, resolution.Action, resolution.Body, resolution.Collection, resolution.Key));
        await Eventually.UntilAsync(async () => (await SagaAsync(finished.WriteId)).CurrentState == "Applied", "the finished saga ends applied again");

        // The partition carries the decision out as it would have the first time.
        await _pipeline.SendAsync(sent);
        await _pipeline.StartPartitionsAsync();
        await UntilAsync(lost.WriteId, WriteStatus.Applied);
        await Eventually.UntilAsync(async () => (await SagaAsync(lost.WriteId)).CurrentState == "Applied", "the saga ends applied");
        var history = await _pipeline.HistoryAsync("customers", "k1");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(document), JsonNode.Parse(history.Last().Document!)), history.Last().Document);
        Assert.Equal(WriteStatus.Resolving, (await _pipeline.WriteAsync(recent.WriteId))!.Status);
        Assert.Equal(new SweepResult(0, 0, 0, 0), await _pipeline.SweepAsync());
    }

    [Fact]
    public async Task A_copy_of_a_decision_that_was_superseded_is_skipped_by_the_partition()
    {
        var stale = await ParkedAsync("k1");
        // The first decision conflicts again (the write's If-Match is still stale): parked for a second one.
        var first = Decision(stale.WriteId, ResolutionActions.Retry);
        Assert.True((await _pipeline.ResolveAsync(first)).Is(out Response<ResolutionAccepted>? _));
        await Eventually.UntilAsync(async () => await SagaAsync(stale.WriteId) is { Conflicts: 2, CurrentState: "Parked" }, "the write is parked again");
        await _pipeline.StopPartitionsAsync();
        Assert.True((await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Overwrite))).Is(out Response<ResolutionAccepted>? _));
        var second = Assert.Single(_pipeline.DrainPartitions());

        // A late copy of the first decision reaches the partition before the second.
        Assert.NotEqual(first.ResolutionId, (await SagaAsync(stale.WriteId)).ResolutionId);
        await _pipeline.SendAsync(PartitionMessage.For(new ApplyResolution
        {
            WriteId = stale.WriteId,
            ResolutionId = first.ResolutionId,
            Collection = stale.Collection,
            Key = stale.Key,
            Action = first.Action,
        }));
        await _pipeline.SendAsync(second);
        await _pipeline.StartPartitionsAsync();

        await UntilAsync(stale.WriteId, WriteStatus.Applied);
        await Eventually.UntilAsync(async () => (await SagaAsync(stale.WriteId)).CurrentState == "Applied", "the saga ends applied");
        Assert.Equal(2, (await SagaAsync(stale.WriteId)).Conflicts);
    }

    [Fact]
    public async Task A_restore_while_the_saga_carries_out_the_discard_is_refused_with_when_to_try_again()
    {
        var stale = await ParkedAsync("k1");
        // The discard waits on its partition: the saga is resolving it.
        await _pipeline.StopPartitionsAsync();
        Assert.True((await _pipeline.ResolveAsync(Decision(stale.WriteId, ResolutionActions.Discard, "withdrawn"))).Is(out Response<ResolutionAccepted>? _));

        var early = await _pipeline.RestoreAsync(stale.WriteId);

        Assert.True(early.Is(out Response<ResolutionRefused>? refused));
        Assert.Equal((ResolutionPolicy.DiscardUnderway, ResolutionPolicy.RestoreRetryAfter), (refused.Message.Reason, refused.Message.RetryAfter));
        await _pipeline.StartPartitionsAsync();
        await Eventually.UntilAsync(async () => (await SagaAsync(stale.WriteId)).CurrentState == "Discarded", "the saga ends discarded");
        Assert.True((await _pipeline.RestoreAsync(stale.WriteId)).Is(out Response<ResolutionAccepted>? _));
        await UntilAsync(stale.WriteId, WriteStatus.Parked);
    }

    [Fact]
    public async Task A_decision_about_a_write_without_a_conflict_is_refused()
    {
        var response = await _pipeline.ResolveAsync(Decision(Guid.NewGuid(), ResolutionActions.Retry));

        Assert.True(response.Is(out Response<ResolutionRefused>? refused));
        Assert.Equal("unknown", refused.Message.Status);
    }
}

public sealed class SqliteConflictSagaTests() : ConflictSagaTests(DatabaseProvider.Sqlite);

public sealed class PostgresConflictSagaTests() : ConflictSagaTests(DatabaseProvider.PostgreSql);
