using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace WritePipeline.Data.Sagas;

/// <summary>One message's view of the saga table, inside the transaction <see cref="DbSagaRepositoryContextFactory{TSaga}"/> opened.</summary>
sealed class DbSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TSaga : class, IVersionedSaga
    where TMessage : class
{
    readonly WritePipelineDbContext _db;
    readonly ConsumeContext<TMessage> _consumeContext;
    readonly ISagaConsumeContextFactory<WritePipelineDbContext, TSaga> _factory;

    public DbSagaRepositoryContext(WritePipelineDbContext db, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<WritePipelineDbContext, TSaga> factory)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    // MassTransit may save from more than one task of a message; one DbContext must not be used concurrently.
    readonly SemaphoreSlim _inUse = new(1);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        var entry = _db.Set<TSaga>().Add(instance);
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
            return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            // Already there (another message created it first): the caller loads it instead.
            entry.State = EntityState.Detached;
            return null!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _db.Set<TSaga>().SingleOrDefaultAsync(s => s.CorrelationId == correlationId, CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => SaveAsync(() =>
    {
        if (_db.Entry(context.Saga).State == EntityState.Detached)
        {
            _db.Set<TSaga>().Add(context.Saga);
        }
    });

    public Task Update(SagaConsumeContext<TSaga> context) => SaveAsync(() => { });

    public Task Delete(SagaConsumeContext<TSaga> context) => SaveAsync(() => _db.Set<TSaga>().Remove(context.Saga));

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = _db.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        entry?.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);

    public void Dispose() => _inUse.Dispose();

    async Task SaveAsync(Action prepare)
    {
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            prepare();
            await _db.SaveChangesAsync(CancellationToken);
        }
        finally
        {
            _inUse.Release();
        }
    }
}

/// <summary>Reads saga instances outside a message (MassTransit's load and query repositories).</summary>
sealed class DbSagaQueryContext<TSaga>(WritePipelineDbContext db, CancellationToken cancellationToken) :
    BasePipeContext(cancellationToken),
    LoadSagaRepositoryContext<TSaga>,
    QuerySagaRepositoryContext<TSaga>
    where TSaga : class, IVersionedSaga
{
    public Task<TSaga> Load(Guid correlationId) =>
        db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(s => s.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
