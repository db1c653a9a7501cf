using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>A bulk run whose API process went away is resumed where it stopped by a running one.</summary>
public sealed class BulkResumeTests
{
    [Fact]
    public async Task A_stalled_bulk_run_is_resumed_where_it_stopped()
    {
        await using var app = await StartAsync();
        var (_, http) = await app.CreateClientAsync();
        var parked = await ParkAsync(http, 3, "resume");

        // The run as a process that died after the first write left it: one done, its progress a while ago.
        var bulkId = await StallAsync(app, parked, done: 1, taken: 1, problems: []);

        var bulk = await FinishedAsync(app, bulkId);
        Assert.Equal((3, 3, 0), (bulk.Done, bulk.Taken, bulk.Refused));
        // Where it stopped: the first write was "done" already and is left alone; the other two are discarded now.
        Assert.Equal("parked", (await http.GetFromJsonAsync<JsonObject>($"/v1/writes/{parked[0]}"))!["status"]!.GetValue<string>());
        foreach (var writeId in parked.Skip(1))
        {
            await http.UntilStatusAsync(writeId, "discarded");
        }
    }

    [Fact]
    public async Task A_resumed_bulk_run_keeps_the_problems_it_recorded_before_it_stopped()
    {
        await using var app = await StartAsync();
        var (_, http) = await app.CreateClientAsync();
        var parked = await ParkAsync(http, 2, "resume-problems");

        // Writes that do not exist are refused (not found): one before the interruption, one after it.
        var (goneBefore, goneAfter) = (Guid.NewGuid(), Guid.NewGuid());
        var recorded = new BulkItemOutcome(goneBefore, "not found", "The write no longer exists.");
        var bulkId = await StallAsync(app, [goneBefore, parked[0], goneAfter, parked[1]], done: 1, taken: 0, problems: [recorded]);

        var bulk = await FinishedAsync(app, bulkId);
        Assert.Equal((4, 2, 2), (bulk.Done, bulk.Taken, bulk.Refused));
        Assert.Equal([goneBefore, goneAfter], bulk.Problems.Select(p => p.WriteId));
        Assert.Equal(bulk.Refused, bulk.Problems.Count);
        Assert.Equal(recorded, bulk.Problems[0]);
    }

    static Task<PipelineApp> StartAsync() => PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
    {
        Overrides = new Dictionary<string, string?> { ["WritePipeline:BulkActions:ResumeAfter"] = "00:00:02" },
    });

    static async Task<List<Guid>> ParkAsync(HttpClient http, int count, string keyPrefix)
    {
        var parked = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            // A patch of a customer that does not exist: parked (not_found).
            var writeId = await http.PatchAsync("customers", TestKeys.New(keyPrefix), new JsonObject { ["name"] = "nobody" }).AcceptedAsync();
            await http.UntilStatusAsync(writeId, "parked");
            parked.Add(writeId);
        }

        return parked;
    }

    /// <summary>A discard run as its process left it when it died: part done, its progress a while ago.</summary>
    static async Task<Guid> StallAsync(PipelineApp app, List<Guid> writeIds, int done, int taken, BulkItemOutcome[] problems)
    {
        var startedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        var bulkId = Guid.CreateVersion7();
        await app.QueryAsync(async db =>
        {
            db.BulkActions.Add(new BulkAction
            {
                Id = bulkId,
                Actor = "operator:gone",
                Action = "discard",
                Reason = "cleaning up",
                Scope = $"{writeIds.Count} selected write(s)",
                WriteIds = JsonSerializer.Serialize(writeIds),
                Total = writeIds.Count,
                Done = done,
                Taken = taken,
                Refused = problems.Length,
                Problems = problems.Length == 0 ? null : JsonSerializer.Serialize(problems, JsonSerializerOptions.Web),
                StartedAt = startedAt,
                UpdatedAt = startedAt,
            });
            return await db.SaveChangesAsync();
        });
        return bulkId;
    }

    static async Task<BulkActionView> FinishedAsync(PipelineApp app, Guid bulkId)
    {
        var viewer = await app.CreateOperatorAsync("viewer");
        BulkActionView bulk = null!;
        await Eventually.UntilAsync(
            async () => (bulk = (await viewer.GetFromJsonAsync<BulkActionView>($"/v1/admin/bulk-actions/{bulkId}", JsonSerializerOptions.Web))!).State == BulkActionView.Finished,
            "the stalled run is resumed and finishes");
        return bulk;
    }
}
