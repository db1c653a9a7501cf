using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Data;

namespace WritePipeline.Clients;

/// <summary>
/// The hashes of every client's API key, held by each API process, so that a key nobody holds is refused without a
/// query and without remembering it: a flood of random keys costs neither a query each nor memory that grows with it.
/// A key not in the set makes the process read the set again (at most once per <see cref="ClientsOptions.KeyRefreshInterval"/>,
/// one query shared by every request that waits for it), so a key created by another process works at its first use,
/// after a wait of at most that interval.
/// </summary>
public sealed class KnownApiKeys(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ClientsOptions> options) : IDisposable
{
    readonly SemaphoreSlim _reading = new(1, 1);
    readonly Lock _publishing = new();

    // Never changed once published: a change publishes a new set.
    HashSet<string> _hashes = new(StringComparer.Ordinal);
    long? _lastReadStarted;
    long _reads;
    long _misses;

    /// <summary>How often the set was read from the database.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// How many lookups found no key with their hash and so wait for a read of the set. A lookup is counted once it has
    /// taken the time it was asked at: every read that starts after the count moved answers it.
    /// </summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How many key hashes the process holds (one per client, whatever was sent to it).</summary>
    public int Count => Volatile.Read(ref _hashes).Count;

    /// <summary>Whether a client holds the key with this hash, as of a read of the database begun after this call.</summary>
    public async ValueTask<bool> ContainsAsync(string hash, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _hashes).Contains(hash))
        {
            return true;
        }

        var asked = clock.GetTimestamp();
        Interlocked.Increment(ref _misses);
        await _reading.WaitAsync(cancellationToken);
        try
        {
            // A read that began after this request arrived has seen every key created before it: it answers this one too.
            if (_lastReadStarted is not { } last || last <= asked)
            {
                if (_lastReadStarted is { } previous && options.Value.KeyRefreshInterval - clock.GetElapsedTime(previous) is var wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, cancellationToken);
                }

                // Not cancelled with this request: the requests waiting behind it count on the read.
                var started = clock.GetTimestamp();
                await ReadAsync(CancellationToken.None);
                _lastReadStarted = started;
            }
        }
        finally
        {
            _reading.Release();
        }

        return Volatile.Read(ref _hashes).Contains(hash);
    }

    /// <summary>A key this process just created: known at once, without a read.</summary>
    public void Add(string hash)
    {
        lock (_publishing)
        {
            Volatile.Write(ref _hashes, new HashSet<string>(_hashes, StringComparer.Ordinal) { hash });
        }
    }

    public void Dispose() => _reading.Dispose();

    async Task ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var hashes = await db.Clients.AsNoTracking().Select(c => c.ApiKeyHash).ToListAsync(cancellationToken);
        Interlocked.Increment(ref _reads);
        lock (_publishing)
        {
            Volatile.Write(ref _hashes, hashes.ToHashSet(StringComparer.Ordinal));
        }
    }
}
