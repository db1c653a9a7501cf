using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>
/// A worker SIGKILLed while writes of its partitions wait for their references: what they wait for is in the database,
/// so the worker that takes the partitions over goes on retrying them, and each is applied or conflicted exactly once.
/// </summary>
public sealed class ReferenceGraceTakeoverTests(ITestOutputHelper output)
{
    /// <summary>Long enough for the takeover (lease expiry) and the timers' takeover (three check-ins) to happen within it.</summary>
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task Writes_waiting_on_a_killed_worker_are_applied_or_conflicted_once_by_the_worker_that_takes_over()
    {
        var settings = ReferenceGraceTests.Settings(Grace);
        settings["WritePipeline:Scheduling:CheckinInterval"] = "00:00:02";
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, Overrides = settings });
        await app.UntilReadyAsync();
        await using var doomed = WorkerProcess.Start(app.SharedSettings);
        await using var survivor = WorkerProcess.Start(app.SharedSettings);
        var shares = await app.UntilSharedAsync(doomed, survivor);

        // Both orders on the partitions of the worker to be killed; the customer that arrives, on the other's.
        var map = app.Services.GetRequiredService<PartitionMap>();
        var doomedShare = shares[doomed.Pid];
        var (found, lost) = (TestKeys.Where(map, "orders", "o", doomedShare.Contains), TestKeys.Where(map, "orders", "o", doomedShare.Contains));
        var customer = TestKeys.Where(map, "customers", "c", p => !doomedShare.Contains(p));
        var (_, http) = await app.CreateClientAsync();
        var applied = await http.PutAsync("orders", found, new JsonObject { ["customerId"] = customer }).AcceptedAsync();
        var conflicted = await http.PutAsync("orders", lost, new JsonObject { ["customerId"] = TestKeys.New("nobody") }).AcceptedAsync();
        await http.UntilStatusAsync(applied, "waiting");
        await http.UntilStatusAsync(conflicted, "waiting");

        doomed.Kill();
        var killedAt = Stopwatch.StartNew();
        await app.UntilSharedAsync(survivor);
        output.WriteLine($"partitions {string.Join(",", doomedShare)} taken over after {killedAt.Elapsed.TotalSeconds:0.0}s");
        await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = "Ada" }));

        var appliedStatus = await http.UntilStatusAsync(applied, "applied", "parked", "notified");
        output.WriteLine($"the order whose customer arrived: {appliedStatus["status"]} {killedAt.Elapsed.TotalSeconds:0.0}s after the kill");
        Assert.Equal("applied", appliedStatus["status"]!.GetValue<string>());
        var conflictedStatus = await http.UntilStatusAsync(conflicted, "parked", "notified", "applied");
        Assert.Equal("missing_reference", conflictedStatus["conflict"]?["type"]?.GetValue<string>());

        // Exactly once: one version of the applied order, none of the other, one conflict handed to one saga.
        Assert.Equal([applied], (await app.HistoryAsync("orders", found)).Select(v => v.WriteId));
        Assert.Empty(await app.HistoryAsync("orders", lost));
        var saga = await app.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == conflicted));
        Assert.Equal(1, saga.Conflicts);
        Assert.False(survivor.HasExited, survivor.RecentOutput);
    }
}
