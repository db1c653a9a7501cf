using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WritePipeline.Clients;

/// <summary>
/// The clients this API process has authenticated, by API key, kept so that a submission needs no database: an entry
/// older than <see cref="FreshFor"/> is still used, and read again in the background (one read per key at a time);
/// while the database is away, the entry stays as it was. A client changed through this process is forgotten at once
/// (<see cref="ClientChanges"/>); other processes see the change at their next read. Only a key this process has never
/// authenticated needs the database (<see cref="KnownApiKeys"/> first, so a flood of unknown keys costs no reads).
/// </summary>
public sealed class ClientsByKey(IServiceScopeFactory scopes, KnownApiKeys knownKeys, ClientChanges changes, TimeProvider clock, ILogger<ClientsByKey> logger)
{
    /// <summary>How long an entry is used without reading it again; a removed key or a changed grant takes this long to reach other processes.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How many clients the process holds (one per key it authenticated, whatever else was sent to it).</summary>
    public int Count => _entries.Count;

    /// <summary>The client holding <paramref name="apiKey"/>, or null when none does; throws when that takes the database and it is away.</summary>
    public async ValueTask<Client?> FindAsync(string apiKey, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(apiKey);
        if (_entries.TryGetValue(hash, out var entry))
        {
            if (clock.GetElapsedTime(entry.ReadAt) > FreshFor && entry.StartRefresh())
            {
                _ = RefreshAsync(hash, apiKey, entry);
            }

            return entry.Client;
        }

        if (!await knownKeys.ContainsAsync(hash, cancellationToken))
        {
            return null;
        }

        var client = await ReadAsync(apiKey, cancellationToken);
        if (client is not null)
        {
            Remember(hash, client);
        }

        return client;
    }

    async Task RefreshAsync(string hash, string apiKey, Entry stale)
    {
        try
        {
            var client = await ReadAsync(apiKey, CancellationToken.None);
            if (client is null)
            {
                // The key is gone: so is its client, here too.
                _entries.TryRemove(new KeyValuePair<string, Entry>(hash, stale));
                stale.Forget?.Dispose();
            }
            else
            {
                Remember(hash, client);
            }
        }
        catch (Exception ex)
        {
            // Kept as it was: the next use after FreshFor tries again.
            stale.RefreshFailed(clock.GetTimestamp());
            logger.LogDebug(ex, "Could not read client {ClientId} again; its entry stays as it was", stale.Client.Id);
        }
    }

    void Remember(string hash, Client client)
    {
        var entry = new Entry(client, clock.GetTimestamp());
        entry.Forget = changes.Watch(client.Id).RegisterChangeCallback(_ => _entries.TryRemove(new KeyValuePair<string, Entry>(hash, entry)), null);
        _entries.AddOrUpdate(hash, entry, (_, replaced) =>
        {
            // One watch per client and key: the one of the entry replaced ends with it.
            replaced.Forget?.Dispose();
            return entry;
        });
    }

    async Task<Client?> ReadAsync(string apiKey, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ClientRegistry>().FindByApiKeyAsync(apiKey, cancellationToken);
    }

    sealed class Entry(Client client, long readAt)
    {
        int _refreshing;
        long _readAt = readAt;

        public Client Client { get; } = client;

        /// <summary>The entry's watch of its client's changes.</summary>
        public IDisposable? Forget { get; set; }

        public long ReadAt => Interlocked.Read(ref _readAt);

        /// <summary>True for the one caller that is to read the entry again.</summary>
        public bool StartRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

        /// <summary>Counts as read now, so the next attempt waits another <see cref="FreshFor"/>.</summary>
        public void RefreshFailed(long at)
        {
            Interlocked.Exchange(ref _readAt, at);
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
