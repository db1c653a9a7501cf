namespace WritePipeline.IntegrationTests;

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

/// <summary>RabbitMQ + PostgreSQL with collections declared for the conflict tests: one that holds on conflict, one that continues.</summary>
public sealed class ConflictsFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with
{
    Overrides = new Dictionary<string, string?>
    {
        ["WritePipeline:Collections:customers:UniqueFields:0"] = "/email",
        ["WritePipeline:Collections:orders:References:/customerId"] = "customers",
        ["WritePipeline:Collections:notes:OnConflict"] = "continue",
    },
});
