using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;

namespace WritePipeline.Writes;

/// <summary>
/// The Idempotency-Key of a write its first delivery records: who holds the key (<see cref="KeyClaim"/> decides what
/// that comes to), and the row recorded with the key or without it.
/// </summary>
public sealed partial class WriteApplier
{
    /// <summary>
    /// The holders of <paramref name="keys"/>, by the key asked for. A holder the database matched to a key that differs
    /// from it (SQL Server's default collation ignores case) holds that key as far as the unique index is concerned,
    /// so it is that key's holder here too.
    /// </summary>
    async Task<Dictionary<(Guid, string), Write>> LoadKeyHoldersAsync(Guid clientId, List<string> keys, CancellationToken cancellationToken)
    {
        var holders = await db.Writes.Where(w => w.ClientId == clientId && w.IdempotencyKey != null && keys.Contains(w.IdempotencyKey)).ToListAsync(cancellationToken);
        var byKey = new Dictionary<(Guid, string), Write>();
        foreach (var key in keys)
        {
            var holder = holders.FirstOrDefault(h => h.IdempotencyKey == key)
                ?? holders.FirstOrDefault(h => string.Equals(h.IdempotencyKey, key, StringComparison.OrdinalIgnoreCase));
            if (holder is not null)
            {
                byKey[(clientId, key)] = holder;
            }
        }

        return byKey;
    }

    KeyClaim? ClaimOf(ApplyWrite message, Dictionary<(Guid, string), Write> keyHolders) =>
        KeyClaim.Of(
            message,
            message.IdempotencyKey is { } key ? keyHolders.GetValueOrDefault((message.ClientId, key)) : null,
            idempotency.Value.Retention);

    /// <summary>
    /// Adds a write its first delivery records. Its Idempotency-Key goes with it only when it takes the key (from a
    /// released holder, in this transaction); a duplicate or a reuse keeps none.
    /// </summary>
    void Record(Write write, KeyClaim? claim, Dictionary<(Guid, string), Write> keyHolders)
    {
        switch (claim)
        {
            case KeyClaim.Takes { Released: var released }:
                released?.GiveUpIdempotencyKey();
                keyHolders[(write.ClientId, write.IdempotencyKey!)] = write;
                break;
            case not null:
                write.GiveUpIdempotencyKey();
                break;
        }

        db.Writes.Add(write);
    }

    /// <summary>
    /// The write's row, reloaded in a transaction of its own (<see cref="WriteTurn.RowFor"/>). A new write still takes its
    /// Idempotency-Key, as it did when its turn was decided; if another write took the key in between, the attempt is
    /// lost to that race and is tried again from the start.
    /// </summary>
    async Task<Write> LoadExpectedAsync(ApplyWrite message, int partition, string expectedStatus, CancellationToken cancellationToken)
    {
        var (write, isNew) = WriteTurn.RowFor(message, await db.Writes.SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken), partition, expectedStatus);
        if (isNew)
        {
            var keyHolders = message.IdempotencyKey is { } key
                ? await LoadKeyHoldersAsync(message.ClientId, [key], cancellationToken)
                : [];
            var claim = ClaimOf(message, keyHolders);
            if (claim is not (null or KeyClaim.Takes))
            {
                throw new DbUpdateConcurrencyException($"Idempotency-Key of write {message.WriteId} was taken by another write since its turn was decided.");
            }

            Record(write, claim, keyHolders);
        }

        return write;
    }
}
