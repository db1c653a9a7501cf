using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// The worker's partition consumers on RabbitMQ, for the partitions it holds the lease of (<see cref="PartitionOwnership"/>
/// starts and stops them): one channel and one consumer per partition queue, read strictly in the broker's delivery
/// order, applied in batches, acknowledged after commit. After any broker fault (connection lost, channel closed,
/// consumer cancelled, broker restarted) the partition is consumed again, with backoff, for as long as it is held.
/// </summary>
/// <remarks>
/// Why order holds, by construction (docs/architecture.md, "Per-key order"): the channel's consumer dispatch runs one
/// delivery at a time, in delivery order, and does nothing but append it to this session's inbox; one loop takes
/// what the inbox holds, in that order, applies it and acknowledges it, before it takes more. A session ends with its
/// channel, and a new session begins only after the old loop has finished; what the old one had not acknowledged
/// comes back from the broker first, in order (quorum queues keep unacknowledged messages at their place). Across
/// workers, a partition is consumed under a lease claim: every transaction of the loop is fenced by it
/// (<see cref="PartitionFence"/>), and a new owner's consumer starts only after the old one's lease was given up or
/// expired; single active consumer on the queue keeps a second consumer waiting until the first one's channel is gone.
/// </remarks>
public sealed class RabbitMqPartitionConsumers(
    IOptions<TransportOptions> transport,
    IOptions<WorkerOptions> worker,
    IPartitionBatchProcessor processor,
    PartitionConsumerStates states,
    BrokerTopology topology,
    ILogger<RabbitMqPartitionConsumers> logger) : IPartitionConsumers, IAsyncDisposable
{
    /// <summary>A partition is tried again at least this often while it has no consumer: a broker back is noticed within it.</summary>
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    readonly BrokerConnection _connection = new(transport.Value.RabbitMq, $"writepipeline-worker {Environment.MachineName}/{Environment.ProcessId}");
    readonly Lock _lock = new();
    readonly Dictionary<int, Session> _sessions = [];

    /// <summary>Starts consuming the claim's partition, once any earlier consumer of it in this worker has finished.</summary>
    public void Start(PartitionClaim claim)
    {
        lock (_lock)
        {
            _sessions.TryGetValue(claim.Partition, out var previous);
            var session = new Session(claim);
            session.Task = Task.Run(async () =>
            {
                if (previous is not null)
                {
                    await previous.Task.ConfigureAwait(false);
                    previous.Dispose();
                }

                await ConsumeAsync(session).ConfigureAwait(false);
            });
            _sessions[claim.Partition] = session;
        }

        states.Taken(claim.Partition);
    }

    /// <summary>
    /// Stops consuming a partition gracefully: the batch at hand is applied and acknowledged, then the channel closes
    /// and the broker keeps the rest, in order, for the next owner. Past <paramref name="grace"/> the batch is dropped
    /// (rolled back; the broker gives it back). Returns once nothing of the partition runs here.
    /// </summary>
    public async Task StopAsync(int partition, TimeSpan grace)
    {
        Session? session;
        lock (_lock)
        {
            _sessions.Remove(partition, out session);
        }

        if (session is not null)
        {
            await session.Release.CancelAsync();
            session.Abort.CancelAfter(grace);
            await session.Task;
            session.Dispose();
        }

        states.Left(partition);
    }

    /// <summary>The lease was lost: stops consuming the partition at once, committing nothing more.</summary>
    public void Abort(int partition)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(partition, out var session))
            {
                session.Release.Cancel();
                session.Abort.Cancel();
            }
        }

        states.Left(partition);
    }

    /// <summary>Per partition consumed here: messages the broker delivered to this worker that it has not acknowledged yet.</summary>
    public IReadOnlyList<(int Partition, long Count)> Unacknowledged()
    {
        lock (_lock)
        {
            return [.. _sessions.Values.Select(s => (s.Claim.Partition, s.Unacknowledged))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Session> sessions;
        lock (_lock)
        {
            sessions = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            await session.Abort.CancelAsync();
            await session.Release.CancelAsync();
        }

        await Task.WhenAll(sessions.Select(s => s.Task));
        await _connection.DisposeAsync();
    }

    async Task ConsumeAsync(Session session)
    {
        var partition = session.Claim.Partition;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Partition"] = partition, ["LeaseEpoch"] = session.Claim.Epoch });
        // Every transaction committed from here on, however deep, is checked against this claim.
        using var fence = PartitionFence.Enter(session.Claim);
        var failures = 0;
        var outageStarted = 0L;
        void Subscribed()
        {
            if (failures > 0)
            {
                logger.LogWarning("Partition {Queue} is consumed again, after {Attempts} failed attempts over {Outage}", PartitionMap.QueueName(partition), failures, Stopwatch.GetElapsedTime(outageStarted));
            }

            failures = 0;
        }

        while (!session.Release.IsCancellationRequested)
        {
            try
            {
                await topology.WaitUntilDeclaredAsync(session.Release.Token);
                var reason = await RunSessionAsync(session, Subscribed);
                if (session.Release.IsCancellationRequested)
                {
                    logger.LogInformation("Partition {Queue} given up ({Reason})", PartitionMap.QueueName(partition), reason);
                    return;
                }

                states.Lost(partition, reason);
                logger.LogWarning("Partition {Queue} lost its channel ({Reason}); consuming it again", PartitionMap.QueueName(partition), reason);
            }
            catch (PartitionLeaseLostException ex)
            {
                logger.LogWarning(ex, "Partition {Queue} was taken by another worker; this worker stops consuming it", PartitionMap.QueueName(partition));
                return;
            }
            catch (OperationCanceledException) when (session.Release.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (failures++ == 0)
                {
                    outageStarted = Stopwatch.GetTimestamp();
                }

                states.Lost(partition, ex.Message);
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))));
                // One error per partition per outage, then warnings: a broker away for a minute must not bury the log
                // under a line per partition per attempt. The health check reports the partition meanwhile.
                logger.Log(
                    failures == 1 ? LogLevel.Error : LogLevel.Warning,
                    ex,
                    "Partition {Queue} has no consumer in this worker (attempt {Attempt}); trying again in {Delay}",
                    PartitionMap.QueueName(partition),
                    failures,
                    delay);
                try
                {
                    await Task.Delay(delay, session.Release.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One channel's life: subscribe, then take, apply and acknowledge batches until the channel is gone or the partition is given up. Returns why it ended.</summary>
    async Task<string> RunSessionAsync(Session session, Action subscribed)
    {
        var settings = worker.Value;
        var partition = session.Claim.Partition;
        var queue = PartitionMap.QueueName(partition);
        var broker = await _connection.GetAsync(session.Release.Token);
        await using var channel = await broker.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: 1), session.Release.Token);
        await channel.BasicQosAsync(0, (ushort)Math.Min(settings.PrefetchCount, ushort.MaxValue), global: false, session.Release.Token);

        var inbox = Channel.CreateUnbounded<(ulong Tag, PartitionDelivery Delivery)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // Ends applying: the channel is gone, or the lease was lost (or a stop ran out of grace).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(session.Abort.Token);
        // Ends taking more: the above, or the partition is being given up.
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ended.Token, session.Release.Token);
        var endReason = "given up";
        void End(string reason)
        {
            endReason = reason;
            inbox.Writer.TryComplete();
            try
            {
                ended.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The channel closed as this session was being disposed (its own close): nothing is left to end.
            }
        }

        session.NewChannel();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // Called one delivery at a time, in delivery order (dispatch concurrency 1): the inbox keeps that order.
            var properties = delivery.BasicProperties;
            session.Delivered(delivery.DeliveryTag);
            inbox.Writer.TryWrite((delivery.DeliveryTag, PartitionMessageFormat.Read(properties.Type, properties.MessageId, delivery.Body.ToArray(), PipelineTracing.FromAmqpHeaders(properties.Headers))));
            return Task.CompletedTask;
        };
        consumer.ShutdownAsync += (_, shutdown) =>
        {
            End($"channel closed: {shutdown.ReplyCode} {shutdown.ReplyText}");
            return Task.CompletedTask;
        };
        consumer.UnregisteredAsync += (_, _) =>
        {
            End("consumer cancelled by the broker");
            return Task.CompletedTask;
        };

        await channel.BasicConsumeAsync(queue, autoAck: false, consumer: consumer, cancellationToken: session.Release.Token);
        states.Subscribed(partition);
        subscribed();
        logger.LogInformation("Consuming partition {Queue} (lease epoch {Epoch})", queue, session.Claim.Epoch);

        var batch = new List<PartitionDelivery>(settings.MaxBatchSize);
        try
        {
            while (await inbox.Reader.WaitToReadAsync(done.Token))
            {
                // Whatever has arrived, up to a batch: a lone write is applied at once.
                batch.Clear();
                ulong last = 0;
                while (batch.Count < settings.MaxBatchSize && inbox.Reader.TryRead(out var delivery))
                {
                    batch.Add(delivery.Delivery);
                    last = delivery.Tag;
                }

                await processor.ProcessAsync(partition, batch, ended.Token);
                // Only after the batch committed: a crash before this line gives the batch back, and it is skipped as done.
                await channel.BasicAckAsync(last, multiple: true, ended.Token);
                session.Acknowledged(last);
            }
        }
        catch (Exception ex) when (ex is not PartitionLeaseLostException && done.IsCancellationRequested)
        {
            // The channel went away or the partition is given up: whatever was not acknowledged stays with the broker, in order.
        }

        return endReason;
    }

    sealed class Session(PartitionClaim claim) : IDisposable
    {
        public PartitionClaim Claim { get; } = claim;

        public CancellationTokenSource Release { get; } = new();

        public CancellationTokenSource Abort { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        // Delivery tags count up from 1 on each channel: what was delivered and not yet acknowledged is their difference.
        long _delivered;
        long _acknowledged;

        public long Unacknowledged => Math.Max(0, Volatile.Read(ref _delivered) - Volatile.Read(ref _acknowledged));

        public void NewChannel()
        {
            Volatile.Write(ref _acknowledged, 0);
            Volatile.Write(ref _delivered, 0);
        }

        public void Delivered(ulong tag) => Volatile.Write(ref _delivered, (long)tag);

        public void Acknowledged(ulong tag) => Volatile.Write(ref _acknowledged, (long)tag);

        public void Dispose()
        {
            Release.Dispose();
            Abort.Dispose();
        }
    }
}
