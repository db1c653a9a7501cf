using System.Diagnostics;
using Npgsql;

namespace WritePipeline.Benchmarks.ApplyOnly;

/// <summary>
/// What applying writes costs with nothing but the database: a plain loop that writes the rows applying a write
/// writes (the record upserted with its next version, a history row, the write's final status), as batched raw SQL,
/// one transaction per batch of the worker's batch size. The worker's apply path is held against this.
/// </summary>
/// <remarks>
/// Names are the EF model's (WritePipelineDbContext): tables <c>records</c> (unique on Collection, Key; Version is the
/// concurrency token), <c>record_versions</c> (keyed by Collection, Key, Version) and <c>writes</c>; columns are named
/// after the properties. Every write here is a replace (PUT), so the new document is the write's body.
/// </remarks>
public static class TightLoop
{
    const string UpsertRecord = """
        INSERT INTO records ("Collection", "Key", "Version", "Document", "UpdatedAt", "LastWriteId", "ReferenceCount")
        VALUES ($1, $2, 1, $3, $4, $5, 0)
        ON CONFLICT ("Collection", "Key") DO UPDATE
        SET "Version" = records."Version" + 1, "Document" = EXCLUDED."Document", "UpdatedAt" = EXCLUDED."UpdatedAt", "LastWriteId" = EXCLUDED."LastWriteId"
        """;

    const string InsertHistory = """
        INSERT INTO record_versions ("Collection", "Key", "Version", "Document", "Operation", "WriteId", "AppliedAt")
        SELECT "Collection", "Key", "Version", "Document", $3, $4, $5 FROM records WHERE "Collection" = $1 AND "Key" = $2
        """;

    // Only from 'queued', as the worker's exactly-once guard does.
    const string CompleteWrite = """
        UPDATE writes SET "Status" = 'applied', "Version" = r."Version", "CompletedAt" = $3
        FROM records r
        WHERE writes."Id" = $4 AND writes."Status" = 'queued' AND r."Collection" = $1 AND r."Key" = $2
        """;

    /// <summary>
    /// Applies every queued write of the database in submission order (which keeps each key's order), in transactions
    /// of <paramref name="batchSize"/> writes, after a warm-up that applies the first <paramref name="warmup"/> writes
    /// in a transaction it rolls back. Returns the time of the measured loop.
    /// </summary>
    public static async Task<TimeSpan> RunAsync(string connectionString, int batchSize, int warmup, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var writes = await LoadQueuedAsync(data, cancellationToken);
        await using var connection = await data.OpenConnectionAsync(cancellationToken);

        if (warmup > 0)
        {
            await using var rehearsal = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var batch in writes.Take(warmup).Chunk(batchSize))
            {
                await ApplyAsync(connection, rehearsal, batch, cancellationToken);
            }

            await rehearsal.RollbackAsync(cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        foreach (var batch in writes.Chunk(batchSize))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ApplyAsync(connection, transaction, batch, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return clock.Elapsed;
    }

    static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, QueuedWrite[] batch, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var write in batch)
        {
            if (write.Operation != "replace")
            {
                throw new InvalidOperationException($"The tight loop applies replaces only; write {write.Id} is a {write.Operation}.");
            }

            commands.BatchCommands.Add(Command(UpsertRecord, write.Collection, write.Key, write.Body, now, write.Id));
            commands.BatchCommands.Add(Command(InsertHistory, write.Collection, write.Key, write.Operation, write.Id, now));
            commands.BatchCommands.Add(Command(CompleteWrite, write.Collection, write.Key, now, write.Id));
        }

        await commands.ExecuteNonQueryAsync(cancellationToken);
        foreach (var command in commands.BatchCommands)
        {
            if (command.RecordsAffected != 1)
            {
                throw new InvalidOperationException($"A tight-loop statement changed {command.RecordsAffected} rows, not 1: {command.CommandText}");
            }
        }
    }

    static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    static async Task<List<QueuedWrite>> LoadQueuedAsync(NpgsqlDataSource data, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand("""
            SELECT "Id", "Collection", "Key", "Operation", "Body" FROM writes WHERE "Status" = 'queued' ORDER BY "SubmittedAt", "Id"
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var writes = new List<QueuedWrite>();
        while (await reader.ReadAsync(cancellationToken))
        {
            writes.Add(new QueuedWrite(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return writes;
    }

    /// <summary>Copies the <c>writes</c> rows of one database into another migrated the same way (same columns, same order).</summary>
    public static async Task CopyWritesAsync(string fromConnectionString, string toConnectionString, CancellationToken cancellationToken)
    {
        await using var source = new NpgsqlConnection(fromConnectionString);
        await using var target = new NpgsqlConnection(toConnectionString);
        await source.OpenAsync(cancellationToken);
        await target.OpenAsync(cancellationToken);
        await using var reader = await source.BeginRawBinaryCopyAsync("COPY writes TO STDOUT (FORMAT BINARY)", cancellationToken);
        await using var writer = await target.BeginRawBinaryCopyAsync("COPY writes FROM STDIN (FORMAT BINARY)", cancellationToken);
        await reader.CopyToAsync(writer, cancellationToken);
    }

    sealed record QueuedWrite(Guid Id, string Collection, string Key, string Operation, string? Body);
}
