using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Partitioning;

namespace WritePipeline.Hosting;

public static class MessagingRegistration
{
    /// <summary>
    /// MassTransit on the configured transport (the conflict saga, requests, every message but the partitions'), the
    /// partition queues, and the topology. What a process consumes is its worker registrations' (AddWritePipelineWorker).
    /// </summary>
    public static IServiceCollection AddWritePipelineMessaging(this IServiceCollection services, WritePipelineOptions options)
    {
        services.AddSingleton<BrokerTopology>();
        services.AddMassTransit(bus => ConfigureBus(bus, options));
        services.AddPartitionQueues(options.Transport.Kind);

        if (options.Transport.Kind == TransportKind.InMemory)
        {
            services.AddHostedService<InMemoryTransportStartup>();
        }
        else
        {
            services.AddHostedService<RabbitMqTopologyDeclarer>();
            services.AddHealthChecks().AddCheck<BrokerQueues.HealthCheck>("partition-queues", tags: ["ready"]);
        }

        return services;
    }

    /// <summary>The bus as the hosts configure it; tests hand the same registration to MassTransit's test harness.</summary>
    public static void ConfigureBus(IBusRegistrationConfigurator bus, WritePipelineOptions options)
    {
        bus.AddConflictSaga();

        // Decisions are taken by the conflict saga, wherever workers run; the API asks it and waits for its answer.
        bus.AddRequestClient<ResolveConflict>(ConflictSagaDefinition.SendAddress, RequestTimeout.After(s: 10));
        bus.AddRequestClient<RestoreConflict>(ConflictSagaDefinition.SendAddress, RequestTimeout.After(s: 10));

        switch (options.Transport.Kind)
        {
            case TransportKind.InMemory:
                bus.UsingInMemory((context, cfg) => context.ConfigureHostedEndpoints(cfg));
                break;
            case TransportKind.RabbitMq:
                bus.UsingRabbitMq((context, cfg) =>
                {
                    var rabbit = options.Transport.RabbitMq;
                    var nodes = rabbit.Nodes();
                    cfg.Host(nodes[0].Host, (ushort)nodes[0].Port, rabbit.VirtualHost, host =>
                    {
                        host.Username(rabbit.Username);
                        host.Password(rabbit.Password);
                        // A 202 means the broker has the write: every send waits for the publisher confirm.
                        host.PublisherConfirmation = true;
                        if (nodes.Count > 1)
                        {
                            // MassTransit then connects to the next node in turn each time it (re)connects.
                            host.UseCluster(cluster =>
                            {
                                foreach (var node in nodes)
                                {
                                    cluster.Node(node.ToString());
                                }
                            });
                        }
                    });
                    context.ConfigureHostedEndpoints(cfg);
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Transport.Kind, "Unknown transport.");
        }
    }

    /// <summary>
    /// The in-memory transport creates its queues with the bus, in this process, so there is nothing to declare:
    /// the topology counts as declared at start. And the operator is warned what this mode does not survive.
    /// </summary>
    sealed class InMemoryTransportStartup(BrokerTopology topology, ILogger<InMemoryTransportStartup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning(
                "Running on the in-memory transport: queued writes live only in this process and are lost if it crashes. "
                + "Set WritePipeline:Transport:Kind to RabbitMq for durable queues.");
            topology.MarkDeclared();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
