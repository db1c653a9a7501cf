using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Conflicts.SagaActivities;
using WritePipeline.Data.Sagas;
using WritePipeline.Messaging;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Telemetry;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

public static class ConflictsRegistration
{
    /// <summary>
    /// In every host: the waiting-write gauges, a write's webhooks, where webhook commands go, what a failed
    /// notification means, and the saga's queue, which the topology declares before the first 202.
    /// </summary>
    public static IServiceCollection AddConflicts(this IServiceCollection services)
    {
        services.AddSingleton<IPipelineGauges, WaitingWriteGauges>();
        AddWriteStatusWebhooks(services);
        services.AddSingleton(new WebhookCommandAddress(ConflictSagaDefinition.SendAddress));
        services.AddScoped<IFailedDeliveryHandler, ConflictNotificationFailures>();
        services.AddSingleton(ConflictSagaDefinition.Queue);
        return services;
    }

    /// <summary>
    /// The conflict saga and the webhook resends that share its endpoint, on the bus of every host: the API only sends
    /// and asks; workers consume the endpoint (<see cref="AddConflictsWorker"/>). Persisted by the pipeline's own
    /// repository, in the pipeline's database.
    /// </summary>
    public static IBusRegistrationConfigurator AddConflictSaga(this IBusRegistrationConfigurator bus)
    {
        bus.AddSagaStateMachine<ConflictStateMachine, ConflictState, ConflictSagaDefinition>().InPipelineDatabase();
        bus.AddConsumer<ResendWebhookDeliveryConsumer, ResendWebhookDeliveryDefinition>();
        return bus;
    }

    /// <summary>
    /// On workers: the saga's endpoint and what its activities use (scoped to the message: they share its database
    /// context and transaction), the partitions' side of a conflict (hand-over, decisions carried out, reference
    /// retries), and the timers: the conflict sweeper and the sweep of writes waiting for a reference.
    /// </summary>
    public static IServiceCollection AddConflictsWorker(this IServiceCollection services)
    {
        services.AddHostedEndpoint<ConflictState>();
        services.AddHostedEndpoint<ResendWebhookDeliveryConsumer>();
        services.AddScoped<ConflictWrites>();
        services.AddScoped<ConflictWriteStatus>();
        services.AddScoped<ConflictReports>();
        services.AddScoped<DecisionIsAllowed>();
        services.AddScoped<DecisionDispatch>();
        services.AddSingleton<DecisionFaultPoint>();

        services.AddSingleton<ConflictHandover>();
        services.AddSingleton<ResolutionApplier>();
        services.AddSingleton<ReferenceRetries>();

        services.AddScoped<ConflictSweeper>();
        services.AddRecurringJob<ConflictSweepJob, SweeperOptions>(ConflictSweepJob.Name, o => o.Interval);
        services.AddSweep<ReferenceRetrySweep, ReferenceRetrySweepJob, WorkerOptions>(ReferenceRetrySweepJob.Name, o => o.ReferenceRetryInterval);
        return services;
    }

    /// <summary>
    /// A write's status with the conflict's part, and the webhooks of a write's events, for the apply path and the saga;
    /// tests that host those on the harness add the same.
    /// </summary>
    public static IServiceCollection AddWriteStatusWebhooks(IServiceCollection services)
    {
        WritesRegistration.AddWriteStatus(services);
        services.TryAddScoped<IWriteDecisions, WriteDecisions>();
        services.TryAddScoped<WriteStatusWebhooks>();
        return services;
    }

    /// <summary>In the API host: the decisions submitters and operators take on conflicts.</summary>
    public static IServiceCollection AddConflictsApi(this IServiceCollection services) => services.AddScoped<Decisions>();
}
