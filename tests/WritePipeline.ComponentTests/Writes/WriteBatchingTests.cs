using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>That a batch is really taken together: what batching is for is fewer transactions, not only the same outcome.</summary>
public sealed class WriteBatchingTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(32, 4)]
    [InlineData(256, 1)]
    public async Task Consecutive_plain_writes_are_applied_in_one_transaction_per_batch(int maxBatchSize, int transactions)
    {
        await using var harness = await WriteApplierHarness.StartAsync(configure: options => options.Worker.MaxBatchSize = maxBatchSize);
        var writes = Enumerable.Range(1, 100).Select(i => new ApplyWrite
        {
            WriteId = Guid.CreateVersion7(),
            ClientId = Guid.Empty,
            Collection = "undeclared",
            Key = $"k{i}",
            Operation = WriteOperations.Replace,
            Body = new JsonObject { ["n"] = i }.ToJsonString(),
            SubmittedAt = DateTimeOffset.UtcNow,
        }).ToList();
        await harness.RecordAsync(writes, partition: 0);
        harness.Transactions.Reset();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var results = await harness.Applier.ApplyAsync(writes, partition: 0, timeout.Token);

        Assert.Equal(transactions, harness.Transactions.Committed);
        Assert.All(results, r => Assert.Equal(ApplyOutcome.Applied, r.Outcome));
        Assert.Equal(writes.Select(w => w.WriteId), results.Select(r => r.Write!.Id));
        Assert.Equal(100, await harness.QueryAsync(db => db.Records.CountAsync(r => r.Collection == "undeclared" && r.Version == 1)));
    }
}
