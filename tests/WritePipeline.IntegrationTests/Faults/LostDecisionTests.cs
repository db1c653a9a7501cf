using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Conflicts.SagaActivities;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// The worker that took a decision dies between its saga's commit and the send of the decision to the key's partition
/// (the test-only fault point <see cref="DecisionFaultPoint"/> SIGKILLs it there), and comes back only after the
/// decision request has expired on the broker: nothing redelivers the decision, and the sweeper must send it again.
/// </summary>
public sealed class LostDecisionTests(ITestOutputHelper output)
{
    static readonly TimeSpan HandoverAfter = TimeSpan.FromSeconds(5);
    static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    /// <summary>The API's decision request timeout, which is also the request's time-to-live on the broker.</summary>
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_decision_lost_with_the_worker_that_took_it_is_carried_out_and_its_held_writes_applied_in_order_after_a_restart()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Sweeper:HandoverAfter"] = HandoverAfter.ToString(),
                ["WritePipeline:Sweeper:Interval"] = SweepInterval.ToString(),
                // The dead worker's Quartz instance is taken for dead within seconds, so the sweep runs on the new one.
                ["WritePipeline:Scheduling:CheckinInterval"] = "00:00:02",
            },
        });
        await app.UntilReadyAsync();
        await using var doomed = WorkerProcess.Start(new Dictionary<string, string?>(app.SharedSettings) { [DecisionFaultPoint.Variable] = "1" });
        await app.UntilSharedAsync(doomed);

        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("lost");
        var created = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }).AcceptedAsync();
        await http.UntilStatusAsync(created, "applied");
        var stale = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var held = new List<Guid>();
        for (var seq = 1; seq <= 3; seq++)
        {
            held.Add(await http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["seq"] = seq }).AcceptedAsync());
            await http.UntilStatusAsync(held[^1], "held");
        }

        // The saga takes the decision and commits; the worker dies before the decision reaches the partition, so the
        // API never hears back (503: most likely not taken, read the status).
        var asked = Stopwatch.StartNew();
        var resubmitted = new JsonObject { ["name"] = "Ada Lovelace", ["fixed"] = true };
        var answer = await http.ResolveAsync(stale, "resubmit", resubmitted);
        await Api.AssertProblemAsync(answer, HttpStatusCode.ServiceUnavailable, "decision-unavailable");
        await Eventually.UntilAsync(() => Task.FromResult(doomed.HasExited), "the worker kills itself at the fault point");
        Assert.Equal("resolving", (await http.UntilStatusAsync(stale, "resolving"))["status"]!.GetValue<string>());

        // Come back only once the decision request has expired on the broker (its time-to-live is the request
        // timeout, counted from a moment after the API's own): nothing is left to redeliver it. A fixed wait, not a
        // poll: there is nothing to observe until the time has passed.
        var expired = RequestTimeout + TimeSpan.FromSeconds(2) - asked.Elapsed;
        if (expired > TimeSpan.Zero)
        {
            await Task.Delay(expired);
        }

        var restarted = Stopwatch.StartNew();
        await using var worker = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(worker);
        var consuming = restarted.Elapsed;
        // Within a sweep once the worker runs (HandoverAfter has long passed); with room for the new worker's
        // scheduler to take the recurring sweep over from the dead one on a busy machine.
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => db.Writes.CountAsync(w => held.Contains(w.Id) && w.Status == WriteStatus.Applied)) == held.Count,
            "the decision is carried out and the held writes are applied",
            HandoverAfter + SweepInterval + TimeSpan.FromSeconds(30));
        var released = restarted.Elapsed;
        output.WriteLine(
            $"Restart to partitions consumed: {consuming.TotalSeconds:0.0}s; restart to key released: {released.TotalSeconds:0.0}s " +
            $"(HandoverAfter {HandoverAfter.TotalSeconds:0}s, sweep every {SweepInterval.TotalSeconds:0}s, decision taken {asked.Elapsed.TotalSeconds:0.0}s ago)");

        var status = await http.UntilStatusAsync(stale, "applied");
        Assert.Equal(2, status["version"]!.GetValue<long>());
        var history = await app.HistoryAsync("customers", key);
        Assert.Equal([created, stale, .. held], history.Select(v => v.WriteId));
        Assert.True(JsonNode.DeepEquals(resubmitted, JsonNode.Parse(history[1].Document!)), history[1].Document);
        await Eventually.UntilAsync(
            () => app.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == stale && s.CurrentState == "Applied")),
            "the saga ends applied");
        Assert.True(worker.Printed("sending the decision to its partition again"), worker.RecentOutput);
        Assert.False(worker.HasExited, worker.RecentOutput);
    }
}
