using System.Collections.Concurrent;
using Microsoft.Extensions.Primitives;

namespace WritePipeline.Clients;

/// <summary>
/// Tells this process's caches that a client changed (its rate, its policy), so the next request sees the change. Other
/// API processes see it at their next read of the client (<see cref="ClientsByKey.FreshFor"/>).
/// </summary>
public sealed class ClientChanges
{
    readonly ConcurrentDictionary<Guid, CancellationTokenSource> _tokens = new();

    /// <summary>A token that fires at the client's next change.</summary>
    public IChangeToken Watch(Guid clientId) => new CancellationChangeToken(_tokens.GetOrAdd(clientId, _ => new CancellationTokenSource()).Token);

    public void Changed(Guid clientId)
    {
        if (_tokens.TryRemove(clientId, out var source))
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
