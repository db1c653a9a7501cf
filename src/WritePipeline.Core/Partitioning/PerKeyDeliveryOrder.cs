using Microsoft.Extensions.Logging;

namespace WritePipeline.Partitioning;

/// <summary>
/// Lets a partition consumer apply different keys concurrently while writes to one key still run one after another,
/// in the order the broker delivered them.
/// </summary>
/// <remarks>
/// MassTransit hands concurrent deliveries to the pipe on separate tasks, so the order in which they reach the
/// consumer is not the delivery order (MassTransit's partitioner, which keys on arrival, was seen to reorder a key's
/// writes). RabbitMQ numbers every delivery on a channel (the delivery tag, 1, 2, 3, ... per channel, one consumer per
/// channel here), so the consumer can restore the order: a delivery is admitted only once every earlier delivery of
/// its channel has been admitted (or passed: a message that never reached the consumer), and admission queues it
/// behind the previous admitted write of the same key. A delivery tag that never shows up would stall its channel,
/// so after <see cref="GapTimeout"/> the missing tags are given up on, with a warning.
/// </remarks>
public sealed class PerKeyDeliveryOrder(ILogger<PerKeyDeliveryOrder> logger, TimeSpan? gapTimeout = null)
{
    /// <summary>How long deliveries wait for a missing earlier tag before it is given up on.</summary>
    public TimeSpan GapTimeout { get; } = gapTimeout ?? TimeSpan.FromSeconds(5);

    const long ForgetAfterMilliseconds = 60 * 60 * 1000;

    readonly Lock _lock = new();
    readonly Dictionary<string, Channel> _channels = new(StringComparer.Ordinal);
    readonly Dictionary<string, Task> _lastOfKey = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until this delivery may run: all earlier deliveries of its channel are admitted and the previous write to
    /// its key has finished. Dispose the turn when the write is done (applied, conflicted or failed).
    /// </summary>
    public async Task<Turn> TakeTurnAsync(string consumerTag, ulong deliveryTag, string key, CancellationToken cancellationToken)
    {
        var admission = Arrive(consumerTag, deliveryTag, key);
        while (true)
        {
            var admitted = await Task.WhenAny(admission, Task.Delay(GapTimeout, cancellationToken));
            if (admitted == admission)
            {
                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Given up before its turn came: when the turn comes, end it at once, so the key is not held for a
                // write nobody will apply.
                _ = admission.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                cancellationToken.ThrowIfCancellationRequested();
            }

            SkipGap(consumerTag);
        }

        var turn = await admission;
        try
        {
            await turn.Previous.WaitAsync(cancellationToken);
        }
        catch
        {
            turn.Dispose();
            throw;
        }

        return turn;
    }

    /// <summary>A delivery that will never reach the consumer (unreadable, not a write) still takes up its tag.</summary>
    public void Pass(string consumerTag, ulong deliveryTag) => _ = Arrive(consumerTag, deliveryTag, key: null);

    Task<Turn> Arrive(string consumerTag, ulong deliveryTag, string? key)
    {
        var arrival = new Arrival(key, new TaskCompletionSource<Turn>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (!_channels.TryGetValue(consumerTag, out var channel))
            {
                // A new consumer is a new channel, whose delivery tags start at 1. Consumers that are gone (the
                // connection was replaced) are forgotten once they have been silent for long: a live partition
                // consumer must never be forgotten, or its count would restart.
                foreach (var gone in _channels.Where(c => c.Value.Waiting.Count == 0 && now - c.Value.LastArrival > ForgetAfterMilliseconds).Select(c => c.Key).ToList())
                {
                    _channels.Remove(gone);
                }

                channel = new Channel();
                _channels[consumerTag] = channel;
            }

            channel.LastArrival = now;

            if (deliveryTag < channel.Next)
            {
                // Already given up on as a gap: admit it now rather than never.
                Admit(arrival);
            }
            else
            {
                channel.Waiting[deliveryTag] = arrival;
                AdmitInOrder(channel);
            }
        }

        return arrival.Admitted.Task;
    }

    void SkipGap(string consumerTag)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(consumerTag, out var channel) && channel.Waiting.Count > 0 && !channel.Waiting.ContainsKey(channel.Next))
            {
                var first = channel.Waiting.Keys.First();
                logger.LogWarning(
                    "Deliveries {From} to {To} of consumer {ConsumerTag} never reached the consumer within {Timeout}; continuing without them",
                    channel.Next,
                    first - 1,
                    consumerTag,
                    GapTimeout);
                channel.Next = first;
                AdmitInOrder(channel);
            }
        }
    }

    void AdmitInOrder(Channel channel)
    {
        while (channel.Waiting.Remove(channel.Next, out var arrival))
        {
            channel.Next++;
            Admit(arrival);
        }
    }

    void Admit(Arrival arrival)
    {
        if (arrival.Key is null)
        {
            arrival.Admitted.TrySetResult(Turn.None);
            return;
        }

        var previous = _lastOfKey.GetValueOrDefault(arrival.Key, Task.CompletedTask);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastOfKey[arrival.Key] = done.Task;
        arrival.Admitted.TrySetResult(new Turn(this, arrival.Key, previous, done));
    }

    void Finish(string key, TaskCompletionSource done)
    {
        lock (_lock)
        {
            if (_lastOfKey.TryGetValue(key, out var last) && last == done.Task)
            {
                _lastOfKey.Remove(key);
            }
        }

        done.TrySetResult();
    }

    sealed record Arrival(string? Key, TaskCompletionSource<Turn> Admitted);

    sealed class Channel
    {
        public ulong Next { get; set; } = 1;

        public long LastArrival { get; set; }

        public SortedDictionary<ulong, Arrival> Waiting { get; } = [];
    }

    /// <summary>A write's turn on its key; disposing it lets the next write to the key run.</summary>
    public sealed class Turn : IDisposable
    {
        internal static readonly Turn None = new(null, null, Task.CompletedTask, null);

        readonly PerKeyDeliveryOrder? _owner;
        readonly string? _key;
        readonly TaskCompletionSource? _done;

        internal Turn(PerKeyDeliveryOrder? owner, string? key, Task previous, TaskCompletionSource? done)
        {
            _owner = owner;
            _key = key;
            Previous = previous;
            _done = done;
        }

        internal Task Previous { get; }

        /// <summary>
        /// Ends the turn. The next write to the key is released only once this one and every one before it have ended,
        /// even when this one ends early (cancelled while it waited).
        /// </summary>
        public void Dispose()
        {
            if (_owner is not null && _key is not null && _done is not null)
            {
                var owner = _owner;
                var key = _key;
                var done = _done;
                Previous.ContinueWith(_ => owner.Finish(key, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
