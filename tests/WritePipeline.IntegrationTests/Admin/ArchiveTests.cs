using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WritePipeline.Scheduling;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Discarded writes in the archive: restored to where they were, and purged past the retention.</summary>
public abstract class ArchiveTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    [Fact]
    public async Task Restores_a_discarded_write_to_parked_with_its_conflict_and_a_decision_then_applies_it()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        var stale = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, stale, "discard"), HttpStatusCode.BadRequest, "invalid-resolution");
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, stale, "discard", reason: "customer withdrew")).StatusCode);
        await @operator.UntilStatusAtAsync(AdminWrites, stale, "discarded");
        // The partition discards the write; its saga hears of it a moment later, and a restore before that is refused
        // (409, the decision is still being carried out).
        await Eventually.UntilAsync(
            () => App.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == stale && s.CurrentState == "Discarded")),
            "the saga to know the write is discarded");

        var archived = await ArchivedAsync(@operator, stale, "customers", key);
        Assert.NotNull(archived);
        Assert.Equal(("customer withdrew", actor, "version_mismatch"), (Text(archived, "reason"), Text(archived, "discardedBy"), Text(archived, "kind")));
        var discardedAt = archived["discardedAt"]!.GetValue<DateTimeOffset>();
        var retention = App.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Archive.Retention;
        Assert.Equal(discardedAt + retention, archived["purgeAfter"]!.GetValue<DateTimeOffset>());
        Assert.Equal(["restore"], (await GetJsonAsync(@operator, $"{AdminWrites}{stale}/details"))["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        var restored = await RestoreAsync(@operator, stale);

        Assert.Equal(HttpStatusCode.Accepted, restored.StatusCode);
        Assert.Equal(AdminWrites + stale, restored.Headers.Location?.ToString());
        Assert.Equal("parked", Text(await restored.JsonAsync(), "status"));
        var status = await GetJsonAsync(@operator, AdminWrites + stale);
        Assert.Equal("parked", Text(status, "status"));
        Assert.Equal("version_mismatch", Text(status["conflict"], "type"));
        Assert.Contains("rebase", status["actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Null(await ArchivedAsync(@operator, stale, "customers", key));
        await Api.AssertProblemAsync(await RestoreAsync(@operator, stale), HttpStatusCode.Conflict, "resolution-not-allowed");

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, stale, "rebase")).StatusCode);
        Assert.Equal(2, (await http.UntilStatusAsync(stale, "applied"))["version"]!.GetValue<long>());
        var record = await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync();
        Assert.Equal(("Ada L.", "gold"), (Text(record, "name"), Text(record, "tier")));

        Assert.Equal(
            [("write.discard", "invalid"), ("write.discard", "taken"), ("write.restore", "taken"), ("write.restore", "refused"), ("write.rebase", "taken")],
            (await AuditOfAsync(@operator, stale)).Select(e => (Text(e, "action"), Text(e, "outcome"))));
    }

    [Fact]
    public async Task A_restore_while_the_discard_is_still_being_carried_out_says_when_to_try_again_and_is_taken_then()
    {
        var (_, http) = await App.CreateClientAsync();
        var stale = await ParkedAsync(http, TestKeys.New("c"));
        var (_, @operator) = await OperatorAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, stale, "discard", reason: "withdrawn")).StatusCode);
        await Eventually.UntilAsync(
            () => App.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == stale && s.CurrentState == "Discarded")),
            "the saga to know the write is discarded");
        // The moment between the partition discarding the write and its saga hearing of it, held open.
        await SagaStateAsync(stale, "Resolving");

        var early = await RestoreAsync(@operator, stale);

        var problem = await Api.AssertProblemAsync(early, HttpStatusCode.Conflict, "decision-underway");
        Assert.Equal(TimeSpan.FromSeconds(2), early.Headers.RetryAfter?.Delta);
        Assert.Equal("The write's discard is still being carried out; try the restore again in 2 seconds.", Text(problem, "detail"));
        Assert.Equal(("discarded", 2), (Text(problem, "writeStatus"), problem["retryAfterSeconds"]!.GetValue<int>()));

        await SagaStateAsync(stale, "Discarded");
        var again = await RestoreAsync(@operator, stale);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("parked", Text(await again.JsonAsync(), "status"));
        Assert.Equal(
            [("write.discard", "taken"), ("write.restore", "refused"), ("write.restore", "taken")],
            (await AuditOfAsync(@operator, stale)).Select(e => (Text(e, "action"), Text(e, "outcome"))));
    }

    Task<int> SagaStateAsync(Guid writeId, string state) => App.QueryAsync(db =>
        db.ConflictSagas.Where(s => s.CorrelationId == writeId).ExecuteUpdateAsync(set => set.SetProperty(s => s.CurrentState, state)));

    // ---- 10. The archive's retention ----

    /// <summary>The clock <paramref name="ahead"/> of now, as the purge job will see it one day.</summary>
    sealed class ClockAhead(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + ahead;
    }

    async Task PurgeAsync(TimeSpan ahead)
    {
        var job = new ArchivePurgeJob(
            App.Services.GetRequiredService<IServiceScopeFactory>(),
            App.Services.GetRequiredService<IOptions<ArchiveOptions>>(),
            new ClockAhead(ahead),
            NullLogger<ArchivePurgeJob>.Instance);
        // The job reads nothing from its Quartz context.
        await job.Execute(null!, CancellationToken.None);
    }

    [Fact]
    public async Task The_purge_removes_discarded_writes_past_the_retention_with_their_conflict_and_saga_and_keeps_the_audit_log()
    {
        var (_, http) = await App.CreateClientAsync();
        var (keptKey, goneKey) = (TestKeys.New("keep"), TestKeys.New("gone"));
        var kept = await ParkedAsync(http, keptKey);
        var gone = await ParkedAsync(http, goneKey);
        var (_, @operator) = await OperatorAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, gone, "discard", reason: "old")).StatusCode);
        await @operator.UntilStatusAtAsync(AdminWrites, gone, "discarded");
        var retention = App.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Archive.Retention;
        // Workers run it on their own, every PurgeInterval; here it runs now, with the clock moved on.
        Assert.True(await App.Services.GetRequiredService<Timers>().ExistsAsync(ArchivePurgeJob.Name, CancellationToken.None));

        await PurgeAsync(retention - TimeSpan.FromHours(1));

        Assert.NotNull(await ArchivedAsync(@operator, gone, "customers", goneKey));

        await PurgeAsync(retention + TimeSpan.FromHours(1));

        var left = await App.QueryAsync(async db => (
            Writes: await db.Writes.Where(w => w.Id == kept || w.Id == gone).Select(w => w.Id).ToListAsync(),
            Conflicts: await db.WriteConflicts.Where(c => c.WriteId == kept || c.WriteId == gone).Select(c => c.WriteId).ToListAsync(),
            Sagas: await db.ConflictSagas.Where(s => s.CorrelationId == kept || s.CorrelationId == gone).Select(s => s.CorrelationId).ToListAsync(),
            Audit: await db.AuditEntries.Where(e => e.WriteId == gone).Select(e => e.Action).ToListAsync()));
        Assert.Equal([kept], left.Writes);
        Assert.Equal([kept], left.Conflicts);
        Assert.Equal([kept], left.Sagas);
        Assert.Equal(["write.discard"], left.Audit);
        Assert.Null(await ArchivedAsync(@operator, gone, "customers", goneKey));
        await Api.AssertProblemAsync(await @operator.GetAsync(AdminWrites + gone), HttpStatusCode.NotFound, "write-not-found");
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + kept), "status"));
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresArchiveTests(AdminActionsPostgresFixture fixture) : ArchiveTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteArchiveTests(AdminActionsSqliteFixture fixture) : ArchiveTests(fixture);
