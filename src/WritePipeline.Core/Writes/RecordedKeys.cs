using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>A write a worker recorded as the holder of an Idempotency-Key: what a repeat of its request is answered with.</summary>
public sealed record RecordedKey(Guid WriteId, string Collection, string Key, string Operation, string Status, DateTimeOffset SubmittedAt, string? RequestHash);

/// <summary>
/// Asks the database which write holds a client's Idempotency-Key, for a repeat this API process does not remember
/// (<see cref="AcceptedKeys"/>). Never in the way of a 202: the question is given <see cref="LookupTimeout"/>, and after
/// a failure none is asked for <see cref="RestAfterFailure"/>; unanswered, the write is sent as new and the worker settles
/// the key (<see cref="KeyClaim"/>).
/// </summary>
public sealed class RecordedKeys(IServiceScopeFactory scopes, IOptions<IdempotencyOptions> options, TimeProvider clock, ILogger<RecordedKeys> logger)
{
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan RestAfterFailure = TimeSpan.FromSeconds(5);

    long _restUntil;

    /// <summary>
    /// The holder of the key (answered, with no holder when none holds it, or the one that
    /// did gave it up to a write submitted <paramref name="submittedAt"/>), or no answer in time.
    /// </summary>
    public async Task<(bool Answered, RecordedKey? Holder)> FindAsync(Guid clientId, string idempotencyKey, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        if (clock.GetTimestamp() < Interlocked.Read(ref _restUntil))
        {
            return (false, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
            var holder = await db.Writes.AsNoTracking()
                .Where(w => w.ClientId == clientId && w.IdempotencyKey == idempotencyKey)
                .Select(w => new { w.Id, w.Collection, w.Key, w.Operation, w.Status, w.SubmittedAt, w.RequestHash })
                .SingleOrDefaultAsync(timeout.Token);
            if (holder is null || KeyClaim.IsReleased(holder.Status, holder.SubmittedAt, submittedAt, options.Value.Retention))
            {
                return (true, null);
            }

            return (true, new RecordedKey(holder.Id, holder.Collection, holder.Key, holder.Operation, holder.Status, holder.SubmittedAt, holder.RequestHash));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _restUntil, clock.GetTimestamp() + (long)(RestAfterFailure.TotalSeconds * clock.TimestampFrequency));
            logger.LogWarning(ex, "Could not look up an Idempotency-Key in time; repeats are sent as new writes for {Rest} and settled by the workers", RestAfterFailure);
            return (false, null);
        }
    }
}
