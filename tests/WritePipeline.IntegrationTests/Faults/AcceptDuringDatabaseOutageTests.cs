using System.Diagnostics;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// A 202 needs only the broker: with PostgreSQL stopped for 30 s under load (two worker processes, 120 keys written
/// one write after another, clients that would retry a 503 with the same Idempotency-Key), every submission is
/// accepted at once, and once the database is back every write is applied once, in order per key.
/// </summary>
public sealed class AcceptDuringDatabaseOutageTests(ITestOutputHelper output)
{
    const int Keys = 120;
    const int WritesPerKey = 10;

    [Fact]
    public async Task No_submission_is_refused_while_the_database_is_stopped_and_every_202_is_applied_once_in_order_after()
    {
        await using var postgres = await TestPostgresServer.StartAsync();
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            ServesHttp = true,
            PostgresServer = postgres.ConnectionString,
        });
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, TestKeys.New("dbdown") + "-");

        // About 40 s of writes; the database stops once an eighth of them are in, for 30 s, and comes back while the
        // rest are still being sent.
        var running = load.RunAsync(Keys, WritesPerKey, writesPerSecond: 30);
        await load.UntilSubmittedAsync(Keys * WritesPerKey / 8);
        await postgres.StopAsync();
        var acceptedBefore = load.Submitted;
        // The outage lasts a fixed time on purpose: it is the fault, not a wait for something to happen.
        await Task.Delay(TimeSpan.FromSeconds(30));
        var acceptedDuring = load.Submitted - acceptedBefore;
        await postgres.StartAgainAsync();
        var back = Stopwatch.StartNew();
        await running;

        Assert.Equal((0, 0), (load.Unavailable, load.Dropped));
        Assert.True(acceptedDuring > 0, "no write was submitted while the database was stopped");
        await load.AssertAppliedOnceInOrderAsync(app, clientId, Keys, WritesPerKey, TimeSpan.FromMinutes(3), output);
        output.WriteLine($"PostgreSQL stopped 30 s: {acceptedDuring} writes accepted meanwhile, {load.Unavailable} answered 503; "
            + $"all {Keys * WritesPerKey} applied {back.Elapsed.TotalSeconds:0.0} s after it was back");
    }
}
