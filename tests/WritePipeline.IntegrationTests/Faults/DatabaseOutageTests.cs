using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// The database goes away for 30 s (a PostgreSQL server of the test's own, stopped and started again; RabbitMQ stays)
/// while conflicts are being handed over and decisions carried out: nothing ends in an error queue, nothing stays stuck.
/// </summary>
public sealed class DatabaseOutageTests
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Conflicts_and_decisions_in_flight_while_the_database_is_down_all_end_where_they_should()
    {
        await using var postgres = await TestPostgresServer.StartAsync();
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            PostgresServer = postgres.ConnectionString,
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Sweeper:Interval"] = "00:00:02",
                ["WritePipeline:Sweeper:HandoverAfter"] = "00:00:10",
                ["WritePipeline:Scheduling:CheckinInterval"] = "00:00:02",
            },
        });
        await app.UntilReadyAsync();
        var (_, http) = await app.CreateClientAsync();

        // Arrange: parked writes to decide about, and records for new conflicts.
        var decided = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var key = TestKeys.New("d");
            await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }));
            var stale = await http.PutAsync("customers", key, new JsonObject { ["n"] = "decided" }, Api.IfMatch(7)).AcceptedAsync();
            await http.UntilStatusAsync(stale, "parked");
            decided.Add(stale);
        }

        var conflictKeys = Enumerable.Range(0, 30).Select(_ => TestKeys.New("c")).ToList();
        foreach (var key in conflictKeys)
        {
            await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }));
        }

        // Act: decisions and conflicting writes all at once; the database stops while they are on their way.
        var conflicted = new ConcurrentBag<Guid>();
        var answers = new ConcurrentDictionary<Guid, HttpStatusCode>();
        var submissions = conflictKeys.Select(async key =>
        {
            var response = await http.PutAsync("customers", key, new JsonObject { ["n"] = "conflicts" }, Api.IfMatch(7));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                conflicted.Add((await response.JsonAsync()).WriteId());
            }
        }).ToList();
        var decisions = decided.Select(async id => answers[id] = (await http.ResolveAsync(id, "overwrite")).StatusCode).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(conflicted.Count >= 5 || submissions.All(s => s.IsCompleted)), "the first conflicting writes are accepted");
        await postgres.StopAsync();
        var down = Stopwatch.StartNew();
        await Task.WhenAll(submissions.Concat(decisions));
        var inFlight = conflicted.Count;

        // The outage lasts its 30 s whatever the clients saw meanwhile.
        if (Outage - down.Elapsed is { Ticks: > 0 } rest)
        {
            await Task.Delay(rest);
        }

        await postgres.StartAgainAsync();

        // Assert: every accepted conflict reaches its saga and waits for a decision; every decision answered 202 is
        // applied, and one answered 503 was not taken (its write still waits) or was (applied): nothing in between.
        Assert.True(inFlight >= 5, $"only {inFlight} conflicting writes were accepted before the outage");
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(async db =>
            {
                var ids = conflicted.Concat(decided).ToList();
                var waiting = await db.Writes.CountAsync(w => conflicted.Contains(w.Id) && (w.Status == "parked" || w.Status == "notified"));
                var decidedDone = await db.Writes.CountAsync(w => decided.Contains(w.Id) && (w.Status == "applied" || w.Status == "parked"));
                var sagasAtRest = await db.ConflictSagas.CountAsync(s => ids.Contains(s.CorrelationId) && (s.CurrentState == "Parked" || s.CurrentState == "Notified" || s.CurrentState == "Applied"));
                return waiting == conflicted.Count && decidedDone == decided.Count && sagasAtRest == ids.Count;
            }),
            "every conflict waits for a decision and every decision is carried out",
            TimeSpan.FromMinutes(3));

        var statuses = await app.QueryAsync(db => db.Writes.AsNoTracking().Where(w => decided.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.Status));
        Assert.All(decided.Where(id => answers[id] == HttpStatusCode.Accepted), id => Assert.Equal("applied", statuses[id]));
        Assert.All(answers.Values, status => Assert.Contains(status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        var errorQueues = (await app.VirtualHost!.QueuesAsync()).Where(q => q.Queue.EndsWith("_error", StringComparison.Ordinal)).ToList();
        Assert.True(errorQueues.All(q => q.Messages == 0), "messages in error queues: " + string.Join(", ", errorQueues));
    }
}
