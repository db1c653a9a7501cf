using WritePipeline.IntegrationTests.Webhooks;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>One app per test class, booted once (new vhost, new database), shared by its tests.</summary>
public abstract class PipelineAppFixture(PipelineSetup setup) : IAsyncLifetime
{
    public PipelineApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await PipelineApp.StartAsync(setup);
        // Tests that talk to the broker directly need the topology the app declares in the background.
        await App.UntilReadyAsync();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The embedded default: in-memory transport, SQLite file.</summary>
public sealed class EmbeddedSqliteFixture() : PipelineAppFixture(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));

public sealed class RabbitMqSqliteFixture() : PipelineAppFixture(new PipelineSetup(TransportKind.RabbitMq, DatabaseProvider.Sqlite));

public sealed class RabbitMqPostgresFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres);

/// <summary>
/// RabbitMQ + PostgreSQL with collections declared for the conflict tests: one that holds on conflict, one that
/// continues; a missing reference conflicts at once (no reference grace).
/// </summary>
public sealed class ConflictsFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with { Overrides = Collections })
{
    /// <summary>Customers with a unique email, orders referencing them, notes that continue past a conflict.</summary>
    public static Dictionary<string, string?> Collections => new()
    {
        ["WritePipeline:Collections:customers:UniqueFields:0"] = "/email",
        ["WritePipeline:Collections:orders:References:/customerId"] = "customers",
        ["WritePipeline:Collections:orders:ReferenceGrace"] = "00:00:00",
        ["WritePipeline:Collections:notes:OnConflict"] = "continue",
    };
}

/// <summary>RabbitMQ + PostgreSQL with webhooks allowed to loopback and retried within seconds, for the webhook tests.</summary>
public sealed class WebhooksFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with { Overrides = WebhooksFixture.Settings(TimeSpan.FromMinutes(5)) })
{
    public static Dictionary<string, string?> Settings(TimeSpan decisionTimeout) => new()
    {
        ["WritePipeline:Webhooks:AllowPrivateAddresses"] = "true",
        ["WritePipeline:Webhooks:RetrySchedule:0"] = "00:00:01",
        ["WritePipeline:Webhooks:RetrySchedule:1"] = "00:00:01",
        ["WritePipeline:Webhooks:RetrySchedule:2"] = "00:00:01",
        ["WritePipeline:Webhooks:Jitter"] = "0",
        ["WritePipeline:Webhooks:Timeout"] = "00:00:02",
        ["WritePipeline:Conflicts:DecisionTimeout"] = decisionTimeout.ToString(),
        ["WritePipeline:Scheduling:CheckinInterval"] = "00:00:02",
    };
}

/// <summary>Like <see cref="WebhooksFixture"/>, but an endpoint is disabled after failing for two seconds ("days" in production).</summary>
public sealed class FailingEndpointFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with
{
    Overrides = new Dictionary<string, string?>(WebhooksFixture.Settings(TimeSpan.FromMinutes(5)))
    {
        ["WritePipeline:Webhooks:DisableAfterFailingFor"] = "00:00:02",
        ["WritePipeline:Webhooks:RetrySchedule:3"] = "00:00:01",
        ["WritePipeline:Webhooks:RetrySchedule:4"] = "00:00:01",
        ["WritePipeline:Webhooks:RetrySchedule:5"] = "00:00:01",
    },
});

/// <summary>
/// Like <see cref="WebhooksFixture"/>, with production's 15 s per attempt, a short decision deadline, and the delivery
/// slots set as <see cref="WebhookFairnessTests"/> counts on.
/// </summary>
public sealed class WebhookFairnessFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with
{
    Overrides = new Dictionary<string, string?>(WebhooksFixture.Settings(WebhookFairnessTests.DecisionTimeout))
    {
        ["WritePipeline:Webhooks:Timeout"] = "00:00:15",
        ["WritePipeline:Webhooks:MaxEndpointsPerClient"] = WebhookFairnessTests.MaxEndpoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["WritePipeline:Webhooks:DeliverySlots"] = "32",
        ["WritePipeline:Webhooks:SlotsPerClient"] = WebhookFairnessTests.SlotsPerClient.ToString(System.Globalization.CultureInfo.InvariantCulture),
    },
});
