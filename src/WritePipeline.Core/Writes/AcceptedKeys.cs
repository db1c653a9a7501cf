using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace WritePipeline.Writes;

/// <summary>
/// The Idempotency-Keys this API process accepted writes under, with the id, submission time and fingerprint of each
/// (never the body: a repeat carries its own, the same by its fingerprint), so that a repeat is answered (or the write
/// sent again, under its first id) without the database, even while it is away. Bounded
/// (<see cref="ApiOptions.RememberedIdempotencyKeys"/>: while full, new keys are not remembered until a compaction has
/// forgotten the least recently used) and kept no longer than <see cref="IdempotencyOptions.Retention"/> after a
/// write's submission. A key this process forgot is
/// looked up in the database (<see cref="RecordedKeys"/>), and failing that the worker settles it (<see cref="KeyClaim"/>).
/// </summary>
public sealed class AcceptedKeys : IDisposable
{
    /// <summary>Striped, so that two requests of one key in this process agree on one write.</summary>
    readonly Lock[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];
    readonly MemoryCache? _cache;
    readonly TimeSpan _retention;

    public AcceptedKeys(IOptions<ApiOptions> api, IOptions<IdempotencyOptions> idempotency, TimeProvider clock)
    {
        var size = api.Value.RememberedIdempotencyKeys;
        _cache = size == 0 ? null : new MemoryCache(new MemoryCacheOptions { SizeLimit = size, Clock = new CacheClock(clock) });
        _retention = idempotency.Value.Retention;
    }

    /// <summary>The write first accepted under this client's key by this process, if it still remembers it.</summary>
    public Accepted? Find(Guid clientId, string idempotencyKey) =>
        _cache?.Get<Accepted>(CacheKey(clientId, idempotencyKey));

    /// <summary><paramref name="accepted"/>, or the write another request of the same key added first: the one to answer with.</summary>
    public Accepted AddOrFind(Accepted accepted)
    {
        if (_cache is null)
        {
            return accepted;
        }

        var key = CacheKey(accepted.ClientId, accepted.IdempotencyKey);
        lock (_stripes[(key.GetHashCode() & int.MaxValue) % _stripes.Length])
        {
            if (_cache.Get<Accepted>(key) is { } first)
            {
                return first;
            }

            _cache.Set(key, accepted, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = accepted.SubmittedAt + _retention });
            return accepted;
        }
    }

    static string CacheKey(Guid clientId, string idempotencyKey) => clientId.ToString("N") + "/" + idempotencyKey;

    public void Dispose() => _cache?.Dispose();

    /// <summary>A write accepted under a key: who sent it, its id, submission time, fingerprint and partition, and whether the broker has confirmed it.</summary>
    public sealed class Accepted(Guid clientId, string idempotencyKey, Guid writeId, DateTimeOffset submittedAt, string requestHash, int partition)
    {
        volatile bool _confirmed;

        public Guid ClientId { get; } = clientId;

        public string IdempotencyKey { get; } = idempotencyKey;

        public Guid WriteId { get; } = writeId;

        public DateTimeOffset SubmittedAt { get; } = submittedAt;

        public string RequestHash { get; } = requestHash;

        public int Partition { get; } = partition;

        /// <summary>Whether a send of it was confirmed: a repeat is then answered at once, else sent again.</summary>
        public bool Confirmed => _confirmed;

        public void Confirm() => _confirmed = true;
    }

    sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
