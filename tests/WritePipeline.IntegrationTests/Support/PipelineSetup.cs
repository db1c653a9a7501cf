using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>Which real parts an app under test runs on.</summary>
public sealed record PipelineSetup(TransportKind Transport, DatabaseProvider Database, bool HostsWorker = true)
{
    /// <summary>Serve over real HTTPS on a loopback port (Kestrel, a self-signed certificate), for a browser to open.</summary>
    public bool ServesBrowser { get; init; }

    /// <summary>Serve over real, plain HTTP on a loopback port (Kestrel), for tests that go through sockets.</summary>
    public bool ServesHttp { get; init; }

    /// <summary>On the three-node cluster of infra/rabbitmq-cluster.sh (<see cref="BrokerCluster"/>, started by the test) instead of the default node.</summary>
    public bool OnCluster { get; init; }

    /// <summary>Settings that override the defaults, e.g. a broker port where nothing listens.</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>The PostgreSQL server to create the database on, when not the machine's shared one (a <see cref="TestPostgresServer"/>).</summary>
    public string? PostgresServer { get; init; }

    /// <summary>The hosting environment the API runs in.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>Services added after the app's own, e.g. an exporter that keeps what the app records.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public static readonly PipelineSetup RabbitMqPostgres = new(TransportKind.RabbitMq, DatabaseProvider.PostgreSql);
}
