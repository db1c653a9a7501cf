namespace WritePipeline.Webhooks;

/// <summary>A delivery handed to the slots: its client, the attempts it had when claimed, and the trace its attempt belongs to.</summary>
public sealed record WebhookHandover(Guid DeliveryId, Guid ClientId, int Attempts, System.Diagnostics.ActivityContext Trace = default);

/// <summary>
/// The rule of the delivery slots, without any I/O: at most <c>total</c> attempts at once, at most <c>perClient</c> of
/// them for one client, and the clients with deliveries waiting served in turn (round-robin), each client's deliveries
/// in the order they came. So a client whose receivers never answer holds <c>perClient</c> slots at most and waits for
/// its own; another client's delivery takes a free slot at once, or, when every slot is taken, the next one freed after
/// one slot for each client ahead of it in turn. A delivery is held once: handed over again while it waits or is being
/// attempted (a repeated timer, the sweeper), it is not queued a second time, so its attempts stay one after another.
/// Not thread-safe: its owner (<see cref="WebhookDispatcher"/>) locks.
/// </summary>
public sealed class WebhookSlots(int total, int perClient)
{
    readonly Dictionary<Guid, WebhookHandover> _held = [];
    readonly Dictionary<Guid, Queue<WebhookHandover>> _waiting = [];
    readonly Queue<Guid> _turns = new();
    readonly Dictionary<Guid, int> _attemptingPerClient = [];

    /// <summary>Deliveries being attempted now.</summary>
    public int Attempting { get; private set; }

    /// <summary>Deliveries waiting for a slot.</summary>
    public int Waiting => _held.Count - Attempting;

    /// <summary>Every delivery held: waiting or being attempted.</summary>
    public IReadOnlyCollection<WebhookHandover> Held => _held.Values;

    public bool Holds(Guid deliveryId) => _held.ContainsKey(deliveryId);

    /// <summary>Queues the delivery behind its client's others; false when it is held already.</summary>
    public bool Add(WebhookHandover delivery)
    {
        if (!_held.TryAdd(delivery.DeliveryId, delivery))
        {
            return false;
        }

        if (!_waiting.TryGetValue(delivery.ClientId, out var queue))
        {
            _waiting[delivery.ClientId] = queue = new Queue<WebhookHandover>();
            _turns.Enqueue(delivery.ClientId);
        }

        queue.Enqueue(delivery);
        return true;
    }

    /// <summary>The delivery to attempt now, in a slot it then holds until <see cref="Done"/>; null when no waiting client may take a slot.</summary>
    public WebhookHandover? Next()
    {
        for (var looked = 0; Attempting < total && looked < _turns.Count; looked++)
        {
            var client = _turns.Dequeue();
            var attempting = _attemptingPerClient.GetValueOrDefault(client);
            if (attempting >= perClient)
            {
                _turns.Enqueue(client);
                continue;
            }

            var queue = _waiting[client];
            var next = queue.Dequeue();
            if (queue.Count > 0)
            {
                _turns.Enqueue(client);
            }
            else
            {
                _waiting.Remove(client);
            }

            _attemptingPerClient[client] = attempting + 1;
            Attempting++;
            return next;
        }

        return null;
    }

    /// <summary>The attempt of a delivery <see cref="Next"/> gave is over: its slot is free, and the delivery no longer held.</summary>
    public void Done(WebhookHandover delivery)
    {
        _held.Remove(delivery.DeliveryId);
        Attempting--;
        if (--_attemptingPerClient[delivery.ClientId] == 0)
        {
            _attemptingPerClient.Remove(delivery.ClientId);
        }
    }
}
