using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// The conflict saga's endpoint, in one place: its queue, the queue's arguments, its consume topology and its policy.
/// One quorum queue, consumed by every worker (any of them may handle any conflict); webhook resends join it
/// (<see cref="ResendWebhookDeliveryDefinition"/>) and go through the same policy.
/// </summary>
public sealed class ConflictSagaDefinition : SagaDefinition<ConflictState>
{
    public const string QueueName = "write-conflicts";

    /// <summary>
    /// Where every message of the saga is sent: the queue's own exchange, never the queue itself, which a send would
    /// declare again with other arguments (docs/architecture.md, "RabbitMQ behaviours"). Declared with the partitions'
    /// before any send.
    /// </summary>
    public static Uri SendAddress { get; } = new("exchange:" + QueueName);

    /// <summary>
    /// The queue's arguments, as the endpoint declares them and as the API declares the queue before its first 202
    /// (<see cref="QueueDeclaration"/>): brokers already have the queue with these, and refuse a declaration that differs.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> QueueArguments { get; } = new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
    };

    /// <summary>The queue as the topology declares it, in every host.</summary>
    public static QueueDeclaration Queue { get; } = new(QueueName, QueueArguments);

    readonly WorkerOptions _worker;
    readonly ILogger<ConflictSagaDefinition> _logger;

    public ConflictSagaDefinition(IOptions<WorkerOptions> options, ILogger<ConflictSagaDefinition> logger)
    {
        _worker = options.Value;
        _logger = logger;
        EndpointName = QueueName;
        ConcurrentMessageLimit = 8;
    }

    /// <summary>
    /// Failures that pass by themselves: the database unreachable or timing out, a lost race (two messages for one
    /// write, a decision and a timer, handled at once by different workers: the saga row's version lets one commit and
    /// fails the other, which is tried again against the winner's state), the write moving meanwhile, the broker not
    /// taking a send. Anything else (a bug, data the database refuses) would fail the same way every time.
    /// </summary>
    public static bool Passing(Exception exception) =>
        exception is WriteMovedException || TransientFailures.IsTransient(exception) || BrokerFailures.IsPassing(exception);

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<ConflictState> sagaConfigurator, IRegistrationContext context)
    {
        // Saga messages are sent to the queue's exchange, never published: no exchange per message type is bound to it.
        endpointConfigurator.ConfigureConsumeTopology = false;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            foreach (var (name, value) in QueueArguments)
            {
                rabbit.SetQueueArgument(name, value);
            }
        }

        // No message of the pipeline goes to the error queue because the database or the broker was away: a conflict
        // handed over, a decision, a deadline, a resolution carried out would otherwise be lost and the write stuck.
        // So passing failures are retried in memory, without limit, with capped exponential backoff, the message
        // unacknowledged meanwhile (a worker that stops gives it back to the queue). Delayed redelivery is not an
        // option: it needs a broker plugin the pipeline does not require (docs/conflicts.md, "The saga").
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(Passing);
            retry.Exponential(int.MaxValue, _worker.RetryMinimumDelay, _worker.RetryMaximumDelay, _worker.RetryMinimumDelay);
            retry.ConnectRetryObserver(new FailureLog(_logger));
        });

        // Replies and sends leave only after the saga's transaction committed, so nobody hears of a decision that
        // was rolled back.
        endpointConfigurator.UseInMemoryOutbox(context);
        endpointConfigurator.UseConsumeFilter(typeof(WriteLogScopeFilter<>), context);
    }

    /// <summary>Says that a message is failing, and why, while it is retried: at Error once it has failed a few times in a row.</summary>
    sealed class FailureLog(ILogger logger) : IRetryObserver
    {
        public Task PostCreate<T>(RetryPolicyContext<T> context)
            where T : class, PipeContext => Task.CompletedTask;

        public Task PostFault<T>(RetryContext<T> context)
            where T : class, PipeContext
        {
            var race = TransientFailures.Classify(context.Exception) == FailureKind.Race || context.Exception is WriteMovedException;
            var level = race ? LogLevel.Information : context.RetryCount >= 2 ? LogLevel.Error : LogLevel.Warning;
            var consume = context.Context as ConsumeContext;
            var message = consume?.SupportedMessageTypes.FirstOrDefault();
            // The retry runs outside the message's own log scope (WriteLogScopeFilter): this line opens it itself.
            using var scope = consume is not null && WriteIdOf(consume) is { } writeId
                ? logger.BeginScope(new Dictionary<string, object>(1, StringComparer.Ordinal) { ["WriteId"] = writeId })
                : null;
            logger.Log(
                level,
                context.Exception,
                "A conflict saga message ({MessageType}) failed for a passing reason (attempt {Attempt}); retrying in {Delay}",
                message,
                context.RetryAttempt + 1,
                context.Delay);
            return Task.CompletedTask;
        }

        static Guid? WriteIdOf(ConsumeContext consume) =>
            consume.TryGetMessage<WriteConflicted>(out var conflicted) ? conflicted.Message.WriteId
            : consume.TryGetMessage<ResolveConflict>(out var resolve) ? resolve.Message.WriteId
            : consume.TryGetMessage<WriteResolved>(out var resolved) ? resolved.Message.WriteId
            : consume.TryGetMessage<ConflictDecisionDue>(out var due) ? due.Message.WriteId
            : consume.TryGetMessage<ConflictNotificationFailed>(out var failed) ? failed.Message.WriteId
            : consume.TryGetMessage<RestoreConflict>(out var restore) ? restore.Message.WriteId
            : null;

        public Task PreRetry<T>(RetryContext<T> context)
            where T : class, PipeContext => Task.CompletedTask;

        public Task RetryFault<T>(RetryContext<T> context)
            where T : class, PipeContext => Task.CompletedTask;

        public Task RetryComplete<T>(RetryContext<T> context)
            where T : class, PipeContext => Task.CompletedTask;
    }
}
