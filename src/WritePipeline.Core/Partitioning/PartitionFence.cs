using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace WritePipeline.Partitioning;

/// <summary>The lease a partition's consumer holds: the partition, the worker, and the epoch it took the lease at.</summary>
public sealed record PartitionClaim(int Partition, string Owner, long Epoch);

/// <summary>A transaction of a partition step would have committed after its worker lost the partition's lease.</summary>
public sealed class PartitionLeaseLostException(PartitionClaim claim)
    : Exception($"Partition {claim.Partition} is no longer leased to {claim.Owner} at epoch {claim.Epoch}: nothing was committed.")
{
    public PartitionClaim Claim { get; } = claim;
}

/// <summary>
/// Fences every database transaction a partition's consumer commits. The consumer enters its claim once
/// (<see cref="Enter"/>); from then on, in that flow of work, each transaction first updates the partition's lease
/// row where the owner and epoch are still the claim's, in the same transaction, just before it commits. If another
/// worker took the lease meanwhile the update finds no row and the commit is refused; if not, the row stays locked
/// until the commit, so no other worker can take the lease in between. Writes outside a transaction are refused
/// while a claim is entered (they could not be fenced), and saved changes always get a transaction.
/// </summary>
public sealed class PartitionFence : DbTransactionInterceptor, ISaveChangesInterceptor, IDbCommandInterceptor
{
    static readonly AsyncLocal<PartitionClaim?> Current = new();

    public static readonly PartitionFence Instance = new();

    PartitionFence()
    {
    }

    /// <summary>The claim the work of this flow is fenced by, if any.</summary>
    public static PartitionClaim? Claim => Current.Value;

    /// <summary>Fences every transaction committed in this flow of work (and the work it awaits) by <paramref name="claim"/>.</summary>
    public static IDisposable Enter(PartitionClaim claim)
    {
        var previous = Current.Value;
        Current.Value = claim;
        return new Exit(previous);
    }

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (Current.Value is { } claim && eventData.Context is { } context)
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = FenceSql(context);
            AddParameter(command, "@fence_partition", claim.Partition);
            AddParameter(command, "@fence_owner", claim.Owner);
            AddParameter(command, "@fence_epoch", claim.Epoch);
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new PartitionLeaseLostException(claim);
            }
        }

        return result;
    }

    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) =>
        Current.Value is null
            ? result
            : throw new InvalidOperationException("A partition step must commit asynchronously, so that its lease is checked.");

    ValueTask<InterceptionResult<int>> ISaveChangesInterceptor.SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        if (Current.Value is not null && eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            // A single-statement save would run without a transaction, and so without the fence.
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }

        return ValueTask.FromResult(result);
    }

    ValueTask<InterceptionResult<int>> IDbCommandInterceptor.NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        RefuseUnfenced(command);
        return ValueTask.FromResult(result);
    }

    ValueTask<InterceptionResult<DbDataReader>> IDbCommandInterceptor.ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken)
    {
        RefuseUnfenced(command);
        return ValueTask.FromResult(result);
    }

    static void RefuseUnfenced(DbCommand command)
    {
        if (Current.Value is { } claim && command.Transaction is null && !command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"A step of partition {claim.Partition} tried to write outside a transaction, where its lease cannot be checked.");
        }
    }

    /// <summary>The fence's statement for a model (one per provider in a process), built once: it runs with every partition commit.</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, string> Statements = [];

    static string FenceSql(DbContext context) => Statements.GetValue(context.Model, _ => BuildFenceSql(context));

    static string BuildFenceSql(DbContext context)
    {
        var lease = context.Model.FindEntityType(typeof(PartitionLease))!;
        var table = StoreObjectIdentifier.Table(lease.GetTableName()!, lease.GetSchema());
        var sql = context.GetService<ISqlGenerationHelper>();
        string Column(string property) => sql.DelimitIdentifier(lease.FindProperty(property)!.GetColumnName(table)!);
        var epoch = Column(nameof(PartitionLease.Epoch));
        return $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {epoch} = @fence_epoch "
            + $"WHERE {Column(nameof(PartitionLease.Partition))} = @fence_partition AND {Column(nameof(PartitionLease.Owner))} = @fence_owner AND {epoch} = @fence_epoch";
    }

    static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    sealed class Exit(PartitionClaim? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
