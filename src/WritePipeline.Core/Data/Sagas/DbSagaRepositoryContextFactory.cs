using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace WritePipeline.Data.Sagas;

/// <summary>
/// Persists saga instances in the pipeline's own database through EF Core, on MassTransit's saga repository
/// interfaces (MassTransit.EntityFrameworkCore is not available here). Scoped: each message gets the consume
/// scope's <see cref="WritePipelineDbContext"/>, so what the saga's activities change in that context (a write's
/// status) commits in the same transaction as the instance itself.
/// </summary>
public sealed class DbSagaRepositoryContextFactory<TSaga>(
    WritePipelineDbContext db,
    ISagaConsumeContextFactory<WritePipelineDbContext, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, IVersionedSaga
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await InTransactionAsync(
            async () =>
            {
                using var repositoryContext = new DbSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory);
                await next.Send(repositoryContext);
            },
            context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await InTransactionAsync(
            async () =>
            {
                var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
                using var repositoryContext = new DbSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory);
                await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
            },
            context.CancellationToken);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbSagaQueryContext<TSaga>(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new DbSagaQueryContext<TSaga>(db, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "writepipeline-ef-core");

    async Task InTransactionAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await work();
        await transaction.CommitAsync(cancellationToken);
    }
}
