using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WritePipeline.Applying;
using WritePipeline.Conflicts;
using WritePipeline.Conflicts.SagaActivities;
using WritePipeline.Contracts;
using WritePipeline.Data.Sagas;
using WritePipeline.Partitioning;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Hosting;

public static class MessagingRegistration
{
    /// <summary>
    /// MassTransit on the configured transport (the conflict saga, requests, every message but the partitions'), and
    /// the partition queues, with their consumers where this process is a worker.
    /// </summary>
    public static IServiceCollection AddWritePipelineMessaging(this IServiceCollection services, WritePipelineOptions options)
    {
        services.AddSingleton<BrokerTopology>();
        services.AddMassTransit(bus => ConfigureBus(bus, options));
        AddConsumerServices(services, options.Transport.Kind);

        if (options.Transport.Kind == TransportKind.InMemory)
        {
            services.AddHostedService<InMemoryTransportStartup>();
        }
        else
        {
            services.AddHostedService<RabbitMqTopologyDeclarer>();
            services.AddHealthChecks().AddCheck<BrokerQueues.HealthCheck>("partition-queues", tags: ["ready"]);
        }

        if (options.Worker.Enabled)
        {
            if (options.Transport.Kind == TransportKind.InMemory)
            {
                services.AddHostedService<InMemoryPartitionConsumers>();
            }
            else
            {
                // The partitions are shared with the other workers through leases; this worker consumes only its own.
                services.AddSingleton(new WorkerIdentity());
                services.AddSingleton<PartitionLeaseStore>();
                services.AddSingleton<RabbitMqPartitionConsumers>();
                services.AddSingleton<IPartitionConsumers>(provider => provider.GetRequiredService<RabbitMqPartitionConsumers>());
                services.AddHostedService<PartitionOwnership>();
            }

            services.AddHealthChecks().AddCheck<PartitionConsumerStates.HealthCheck>("partition-consumers", tags: ["ready"]);
        }

        return services;
    }

    /// <summary>
    /// The partition queues, what the partition consumers and the conflict saga use; tests that host them without a
    /// host add the same (and start <see cref="InMemoryPartitionConsumers"/> themselves).
    /// </summary>
    public static IServiceCollection AddConsumerServices(IServiceCollection services, TransportKind transport)
    {
        if (transport == TransportKind.InMemory)
        {
            services.AddSingleton<InMemoryPartitionQueues>();
            services.AddSingleton<IPartitionQueues>(provider => provider.GetRequiredService<InMemoryPartitionQueues>());
        }
        else
        {
            services.AddSingleton<RabbitMqPartitionQueues>();
            services.AddSingleton<IPartitionQueues>(provider => provider.GetRequiredService<RabbitMqPartitionQueues>());
        }

        services.AddSingleton<PartitionConsumerStates>();
        services.AddSingleton<IPartitionBatchProcessor, PartitionProcessor>();
        services.AddMetrics();
        services.TryAddSingleton<Telemetry.PipelineMeter>();
        services.AddSingleton<WriteBatchApplier>();
        services.AddSingleton<FailedWrites>();
        services.AddSingleton<InPlaceRetry>();
        services.AddSingleton<ResolutionApplier>();
        services.AddSingleton<ReferenceRetries>();
        services.AddSingleton<ConflictHandover>();
        services.AddScoped<WriteApplier>();
        services.AddScoped<UnreadableWrites>();
        services.AddScoped<UnconfirmedWrites>();
        services.AddScoped<ConstraintEnforcer>();
        services.AddScoped<ConflictWrites>();
        return services;
    }

    /// <summary>The bus as the hosts configure it; tests hand the same registration to MassTransit's test harness.</summary>
    public static void ConfigureBus(IBusRegistrationConfigurator bus, WritePipelineOptions options)
    {
        if (options.Worker.Enabled)
        {
            bus.AddSagaStateMachine<ConflictStateMachine, ConflictState, ConflictSagaDefinition>().InPipelineDatabase();
            // With the saga, not before: its activities need the worker's services (timers), which API-only hosts lack.
            bus.AddConflictSagaActivities();
            bus.AddConsumer<Webhooks.ResendWebhookDeliveryConsumer>().ExcludeFromConfigureEndpoints();
        }

        // Decisions are taken by the conflict saga, wherever workers run; the API asks it and waits for its answer.
        bus.AddRequestClient<ResolveConflict>(ConflictTopology.SendAddress, RequestTimeout.After(s: 10));
        bus.AddRequestClient<RestoreConflict>(ConflictTopology.SendAddress, RequestTimeout.After(s: 10));

        switch (options.Transport.Kind)
        {
            case TransportKind.InMemory:
                bus.UsingInMemory((context, cfg) => ConfigureEndpoints(context, cfg, options));
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
                    ConfigureEndpoints(context, cfg, options);
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Transport.Kind, "Unknown transport.");
        }
    }

    static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator cfg, WritePipelineOptions options)
    {
        if (options.Worker.Enabled)
        {
            ConflictEndpoint.Configure(context, cfg);
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
