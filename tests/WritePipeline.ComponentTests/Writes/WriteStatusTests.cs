using System.Text.Json.Nodes;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>
/// A write's status is read in one query that joins the conflict feature's part (its saga's decision): a write that
/// never conflicted has none, one whose saga decided shows the decision, and a client sees an operator only as such.
/// </summary>
public sealed class WriteStatusTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_write_shows_its_sagas_decision_only_when_it_had_one(DatabaseProvider provider)
    {
        await using var harness = await WriteApplierHarness.StartAsync(provider);
        var plain = PartitionConsumerHarness.Replace("orders", "o-1", new JsonObject { ["qty"] = 1 });
        var decided = PartitionConsumerHarness.Replace("orders", "o-2", new JsonObject { ["qty"] = 2 });
        await harness.RecordAsync([plain, decided], partition: 0);
        var requestedAt = DateTimeOffset.UtcNow;
        await harness.QueryAsync(db =>
        {
            db.ConflictSagas.Add(new ConflictState
            {
                CorrelationId = decided.WriteId,
                CurrentState = "Resolving",
                ClientId = decided.ClientId,
                Collection = decided.Collection,
                Key = decided.Key,
                Operation = decided.Operation,
                ConflictType = WriteErrors.VersionMismatch,
                DetectedAt = requestedAt,
                Conflicts = 1,
                ResolutionAction = ResolutionActions.Discard,
                ResolutionReason = "stale",
                ResolvedBy = "operator:alice",
                ResolutionRequestedAt = requestedAt,
            });
            return db.SaveChangesAsync();
        });

        var plainStatus = await harness.ReadStatusAsync(plain.WriteId, plain.ClientId);
        var asClient = await harness.ReadStatusAsync(decided.WriteId, decided.ClientId);
        var asOperator = await harness.ReadStatusAsync(decided.WriteId, null);

        Assert.Equal((WriteStatus.Queued, null), (plainStatus!.Status, plainStatus.Resolution));
        Assert.Equal((ResolutionActions.Discard, "stale", "operator"), (asClient!.Resolution!.Action, asClient.Resolution.Reason, asClient.Resolution.By));
        Assert.Equal("operator:alice", asOperator!.Resolution!.By);
        Assert.Null(await harness.ReadStatusAsync(decided.WriteId, Guid.NewGuid()));
    }
}
