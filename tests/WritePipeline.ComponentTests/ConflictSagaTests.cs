using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Testing;
using WritePipeline.Writes;

namespace WritePipeline.ComponentTests;

/// <summary>The conflict saga's transitions, on MassTransit's harness with the saga persisted in SQLite or PostgreSQL.</summary>
public abstract class ConflictSagaTests(DatabaseProvider provider) : IAsyncLifetime
{
    PartitionConsumerHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PartitionConsumerHarness.StartAsync(provider);

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

        var endpoint = await _pipeline.Harness.Bus.GetSendEndpoint(ConflictTopology.SendAddress);
        await endpoint.Send(new WriteConflicted
        {
            WriteId = stale.WriteId,
            ClientId = stale.ClientId,
            Collection = stale.Collection,
            Key = stale.Key,
            Operation = stale.Operation,
            ConflictType = conflict.Type,
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
    public async Task A_decision_about_a_write_without_a_conflict_is_refused()
    {
        var response = await _pipeline.ResolveAsync(Decision(Guid.NewGuid(), ResolutionActions.Retry));

        Assert.True(response.Is(out Response<ResolutionRefused>? refused));
        Assert.Equal("unknown", refused.Message.Status);
    }
}

public sealed class SqliteConflictSagaTests() : ConflictSagaTests(DatabaseProvider.Sqlite);

public sealed class PostgresConflictSagaTests() : ConflictSagaTests(DatabaseProvider.PostgreSql);
