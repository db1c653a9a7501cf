using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Admin;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>A bulk run whose API process went away is resumed where it stopped by a running one.</summary>
public sealed class BulkResumeTests
{
    [Fact]
    public async Task A_stalled_bulk_run_is_resumed_where_it_stopped()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:BulkActions:ResumeAfter"] = "00:00:02" },
        });
        var (_, http) = await app.CreateClientAsync();
        var parked = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            // A patch of a customer that does not exist: parked (not_found).
            var writeId = await http.PatchAsync("customers", TestKeys.New("resume"), new JsonObject { ["name"] = "nobody" }).AcceptedAsync();
            await http.UntilStatusAsync(writeId, "parked");
            parked.Add(writeId);
        }

        // The run as a process that died after the first write left it: one done, its progress a while ago.
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
                Scope = "3 selected write(s)",
                WriteIds = JsonSerializer.Serialize(parked),
                Total = 3,
                Done = 1,
                Taken = 1,
                StartedAt = startedAt,
                UpdatedAt = startedAt,
            });
            return await db.SaveChangesAsync();
        });
        var viewer = await app.CreateOperatorAsync("viewer");

        JsonObject bulk = [];
        await Eventually.UntilAsync(
            async () => (bulk = (await viewer.GetFromJsonAsync<JsonObject>($"/v1/admin/bulk-actions/{bulkId}"))!)["state"]!.GetValue<string>() == "finished",
            "the stalled run is resumed and finishes");

        Assert.Equal((3, 3, 0), (bulk["done"]!.GetValue<int>(), bulk["taken"]!.GetValue<int>(), bulk["refused"]!.GetValue<int>()));
        // Where it stopped: the first write was "done" already and is left alone; the other two are discarded now.
        Assert.Equal("parked", (await http.GetFromJsonAsync<JsonObject>($"/v1/writes/{parked[0]}"))!["status"]!.GetValue<string>());
        foreach (var writeId in parked.Skip(1))
        {
            await http.UntilStatusAsync(writeId, "discarded");
        }
    }
}
