using System.Diagnostics;
using Npgsql;

namespace WritePipeline.Benchmarks.ApplyOnly;

/// <summary>
/// What recording and applying writes costs with nothing but the database: a plain loop that writes the rows the
/// worker writes for a newly delivered write (the record upserted with its next version, a history row, the write's
/// own row in its final status), as batched raw SQL, one transaction per batch of the worker's batch size. The
/// worker's apply path is held against this.
/// </summary>
/// <remarks>
/// Names are the EF model's (WritePipelineDbContext): tables <c>records</c> (unique on Collection, Key; Version is the
/// concurrency token), <c>record_versions</c> (keyed by Collection, Key, Version) and <c>writes</c>; columns are named
/// after the properties. Every write here is a replace (PUT), so the new document is the write's body.
/// <para>
/// The API records nothing before its 202: the worker adds a write's row when it first takes the message, in the
/// transaction that applies it, already applied. So the loop does the same: it is given the writes
/// (<see cref="BacklogWrites"/>), not their rows, and records each one as it applies it, one INSERT of the row the
/// worker saves.
/// </para>
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

    // The worker's row for a write it takes for the first time: the message's columns, its partition, and its outcome.
    // Recorded once, as the worker's guard has it: a second row of the same id fails on the primary key.
    const string RecordWrite = """
        INSERT INTO writes ("Id", "ClientId", "Collection", "Key", "Partition", "Operation", "Body", "IfNoneMatchAny", "SubmittedAt", "Status", "Version", "CompletedAt")
        SELECT $1, $2, $3, $4, $5, $6, $7, false, $8, 'applied', r."Version", $9
        FROM records r WHERE r."Collection" = $3 AND r."Key" = $4
        """;

    /// <summary>
    /// Records and applies <paramref name="writes"/> in their order (which keeps each key's order), in transactions of
    /// <paramref name="batchSize"/> writes, after a warm-up that does the first <paramref name="warmup"/> writes in a
    /// transaction it rolls back. Returns the time of the measured loop.
    /// </summary>
    public static async Task<TimeSpan> RunAsync(
        string connectionString, IReadOnlyList<BacklogWrite> writes, int batchSize, int warmup, CancellationToken cancellationToken)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
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

    static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BacklogWrite[] batch, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var write in batch)
        {
            commands.BatchCommands.Add(Command(UpsertRecord, write.Collection, write.Key, write.Body, now, write.Id));
            commands.BatchCommands.Add(Command(InsertHistory, write.Collection, write.Key, write.Operation, write.Id, now));
            commands.BatchCommands.Add(Command(
                RecordWrite, write.Id, write.ClientId, write.Collection, write.Key, write.Partition, write.Operation, write.Body, write.SubmittedAt, now));
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
}
