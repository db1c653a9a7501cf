using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Collections;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>
/// A merge patch is held to its collection's schema on the merged document, in the batch path as in the one-at-a-time
/// path: the write ends failed with <c>schema_violation</c>, the record is not changed by it, and the writes around it,
/// of the same key and of others, are applied in the same batch, in order.
/// </summary>
public sealed class SchemaBatchTests
{
    const string Schema = """
        {"type":"object","required":["name"],"properties":{"address":{"type":"object","properties":{"zip":{"type":"string"}}}}}
        """;

    [Theory]
    [InlineData(256, 1)]
    [InlineData(1, 4)]
    public async Task A_patch_that_breaks_the_schema_fails_and_the_writes_around_it_are_applied(int maxBatchSize, int transactions)
    {
        await using var harness = await WriteApplierHarness.StartAsync(configure: options =>
        {
            options.Worker.MaxBatchSize = maxBatchSize;
            options.Collections["people"] = new CollectionOptions { Schema = Schema };
        });
        ApplyWrite[] writes =
        [
            Write("p1", WriteOperations.Replace, new JsonObject { ["name"] = "Ada", ["address"] = new JsonObject { ["zip"] = "10115" } }),
            Write("p1", WriteOperations.Patch, new JsonObject { ["name"] = null, ["address"] = new JsonObject { ["zip"] = 10115 } }),
            Write("p1", WriteOperations.Patch, new JsonObject { ["address"] = new JsonObject { ["zip"] = "10117" } }),
            Write("p2", WriteOperations.Replace, new JsonObject { ["name"] = "Grace" }),
        ];
        await harness.RecordAsync(writes, partition: 0);
        harness.Transactions.Reset();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var results = await harness.Applier.ApplyAsync(writes, partition: 0, timeout.Token);

        Assert.Equal(transactions, harness.Transactions.Committed);
        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Failed, ApplyOutcome.Applied, ApplyOutcome.Applied], results.Select(r => r.Outcome));
        var failed = await harness.QueryAsync(db => db.Writes.AsNoTracking().SingleAsync(w => w.Id == writes[1].WriteId));
        Assert.Equal((WriteStatus.Failed, WriteErrors.SchemaViolation), (failed.Status, failed.ErrorType));
        Assert.Equal(
            "The document does not satisfy the collection's schema: \"\": Required properties [\"name\"] are not present; "
            + "\"/address/zip\": Value is \"integer\" but should be \"string\".",
            failed.ErrorDetail);

        // The failed patch left no version: the next patch was merged into the document as the first write left it.
        var history = await harness.QueryAsync(db => db.RecordVersions.AsNoTracking().Where(v => v.Key == "p1").OrderBy(v => v.Version).ToListAsync());
        Assert.Equal([writes[0].WriteId, writes[2].WriteId], history.Select(v => v.WriteId));
        var record = await harness.QueryAsync(db => db.Records.AsNoTracking().SingleAsync(r => r.Collection == "people" && r.Key == "p1"));
        Assert.Equal((2L, """{"name":"Ada","address":{"zip":"10117"}}"""), (record.Version, record.Document));
    }

    static ApplyWrite Write(string key, string operation, JsonObject body) => new()
    {
        WriteId = Guid.CreateVersion7(),
        ClientId = Guid.Empty,
        Collection = "people",
        Key = key,
        Operation = operation,
        Body = body.ToJsonString(),
        SubmittedAt = DateTimeOffset.UtcNow,
    };
}
