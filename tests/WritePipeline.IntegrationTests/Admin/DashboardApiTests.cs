using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WritePipeline.Dashboard;
using WritePipeline.Data;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>
/// The operators' dashboard figures, counted per minute by each database's own SQL. Each subclass has an app of its
/// own and only <see cref="Counts_the_writes_in_the_minutes_they_happened_and_the_waiting_ones_now"/> submits writes,
/// so its counts are exact; a test here that submits writes too would break that.
/// </summary>
public abstract class DashboardApiTests(PipelineAppFixture fixture)
{
    protected PipelineApp App { get; } = fixture.App;

    protected async Task<JsonObject> DashboardAsync(string query = "")
    {
        var viewer = await App.CreateOperatorAsync("viewer");
        var response = await viewer.GetAsync("/v1/admin/dashboard" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    [Fact]
    public async Task Counts_the_writes_in_the_minutes_they_happened_and_the_waiting_ones_now()
    {
        var started = MinuteOf(DateTimeOffset.UtcNow);
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("dash");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));
        await http.AppliedAsync(http.PutAsync("customers", key + "-b", new JsonObject { ["name"] = "Bea" }));
        var create = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*")).AcceptedAsync();
        var missing = await http.PatchAsync("customers", key + "-none", new JsonObject { ["name"] = "x" }).AcceptedAsync();
        var createdAt = (await http.UntilStatusAsync(create, "parked"))["submittedAt"]!.GetValue<DateTimeOffset>();
        await http.UntilStatusAsync(missing, "parked");
        var behind = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Cy" }).AcceptedAsync();
        await http.UntilStatusAsync(behind, "held");

        var dashboard = await DashboardAsync();
        var ended = MinuteOf(DateTimeOffset.UtcNow);

        var minutes = dashboard["minutes"]!.AsArray().Select(m => m!.AsObject()).ToList();
        Assert.Equal(PipelineMetrics.DefaultMinutes, dashboard["windowMinutes"]!.GetValue<int>());
        Assert.Equal(PipelineMetrics.DefaultMinutes, minutes.Count);
        var last = minutes[^1]["minute"]!.GetValue<DateTimeOffset>();
        Assert.InRange(last, started, ended);
        Assert.Equal(Enumerable.Range(0, minutes.Count).Select(i => last.AddMinutes(i + 1 - minutes.Count)), minutes.Select(m => m["minute"]!.GetValue<DateTimeOffset>()));

        // Five submitted, two applied, two conflicted (and parked), one held behind a conflict.
        Assert.Equal((5, 2, 2), (Total(dashboard, "accepted"), Total(dashboard, "applied"), Total(dashboard, "conflicted")));
        var during = minutes.Where(m => m["minute"]!.GetValue<DateTimeOffset>() >= started).ToList();
        Assert.Equal((5, 2, 2), (Sum(during, "accepted"), Sum(during, "applied"), Sum(during, "conflicted")));
        Assert.Equal((5, 2, 2), (Sum(minutes, "accepted"), Sum(minutes, "applied"), Sum(minutes, "conflicted")));
        Assert.Equal(0.5, dashboard["conflictRate"]!.GetValue<double>(), 10);

        Assert.Equal((2, 1, 0), (Total(dashboard, "parked"), Total(dashboard, "held"), Total(dashboard, "failed")));
        Assert.Equal(createdAt, dashboard["oldestWaitingSubmittedAt"]!.GetValue<DateTimeOffset>());
        Assert.True(dashboard["oldestWaitingAgeSeconds"]!.GetValue<double>() > 0);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1440)]
    public async Task The_window_is_as_many_minutes_as_asked_ending_with_the_current_one(int window)
    {
        var before = MinuteOf(DateTimeOffset.UtcNow);
        var dashboard = await DashboardAsync($"?minutes={window}");
        var after = MinuteOf(DateTimeOffset.UtcNow);

        Assert.Equal(window, dashboard["windowMinutes"]!.GetValue<int>());
        var minutes = dashboard["minutes"]!.AsArray().Select(m => m!["minute"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(window, minutes.Count);
        Assert.InRange(minutes[^1], before, after);
        Assert.Equal(minutes[^1].AddMinutes(1 - window), minutes[0]);
    }

    [Fact]
    public async Task Only_operators_read_it_and_api_client_keys_get_401()
    {
        var (_, client) = await App.CreateClientAsync();

        await Api.AssertProblemAsync(await client.GetAsync("/v1/admin/dashboard"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await App.CreateClient().GetAsync("/v1/admin/dashboard"), HttpStatusCode.Unauthorized, "unauthorized");
        var viewer = await App.CreateOperatorAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/v1/admin/dashboard")).StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(1441)]
    [InlineData(100000)]
    public async Task A_window_out_of_5_to_1440_minutes_is_a_400_problem(int minutes)
    {
        var viewer = await App.CreateOperatorAsync("viewer");

        await Api.AssertProblemAsync(await viewer.GetAsync($"/v1/admin/dashboard?minutes={minutes}"), HttpStatusCode.BadRequest, "invalid-query");
    }

    static DateTimeOffset MinuteOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    static int Total(JsonObject dashboard, string name) => dashboard[name]!.GetValue<int>();

    static int Sum(IEnumerable<JsonObject> minutes, string name) => minutes.Sum(m => m[name]!.GetValue<int>());
}

public sealed class DashboardPostgresFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres);

public sealed class DashboardSqliteFixture() : PipelineAppFixture(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));

public sealed class PostgresDashboardApiTests(DashboardPostgresFixture fixture) : DashboardApiTests(fixture), IClassFixture<DashboardPostgresFixture>
{
    [Fact]
    public async Task Lists_every_partition_queue_then_the_conflict_queue_with_their_consumers()
    {
        var partitions = App.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Partitions;

        var dashboard = await DashboardAsync();

        Assert.Null(dashboard["queuesUnavailableReason"]);
        var queues = dashboard["queues"]!.AsArray().Select(q => q!.AsObject()).ToList();
        Assert.Equal(partitions + 1, queues.Count);
        Assert.Equal(
            Enumerable.Range(0, partitions).Select(p => ((int?)p, PartitionMap.QueueName(p))).Append((null, WritePipeline.Conflicts.ConflictSagaDefinition.QueueName)),
            queues.Select(q => (q["partition"]?.GetValue<int>(), q["queue"]!.GetValue<string>())));
        Assert.All(queues, q => Assert.True(q["consumers"]!.GetValue<long>() >= 1, $"{q["queue"]} has a consumer"));
        Assert.All(queues, q => Assert.True(q["ready"]!.GetValue<long>() >= 0));
    }

    [Fact]
    public async Task A_broker_that_cannot_be_asked_leaves_the_queues_out_with_a_reason_and_the_rest_in()
    {
        var unreachable = new WritePipelineOptions
        {
            Partitions = 2,
            Transport = new TransportOptions { Kind = TransportKind.RabbitMq, RabbitMq = new RabbitMqOptions { Host = "127.0.0.1", Port = 1 } },
        };
        await using var scope = App.Services.CreateAsyncScope();
        var metrics = new PipelineMetrics(
            scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>(), TimeProvider.System, new BrokerQueues(Options.Create(unreachable.Transport), new PartitionMap(unreachable.Partitions), [ConflictSagaDefinition.Queue], NullLogger<BrokerQueues>.Instance));

        var watch = Stopwatch.StartNew();
        var snapshot = await metrics.ReadAsync(PipelineMetrics.MinMinutes, CancellationToken.None);

        Assert.Null(snapshot.Queues);
        Assert.False(string.IsNullOrWhiteSpace(snapshot.QueuesUnavailableReason));
        Assert.Equal(PipelineMetrics.MinMinutes, snapshot.Minutes.Count);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}

public sealed class EmbeddedSqliteDashboardApiTests(DashboardSqliteFixture fixture) : DashboardApiTests(fixture), IClassFixture<DashboardSqliteFixture>
{
    [Fact]
    public async Task The_in_memory_transport_has_no_queue_depths_and_says_so()
    {
        var dashboard = await DashboardAsync();

        Assert.Null(dashboard["queues"]);
        Assert.Contains("in-memory", dashboard["queuesUnavailableReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
