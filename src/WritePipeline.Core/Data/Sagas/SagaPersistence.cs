using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;

namespace WritePipeline.Data.Sagas;

public static class SagaPersistence
{
    /// <summary>Persists <typeparamref name="TSaga"/> in the pipeline's database with <see cref="DbSagaRepositoryContextFactory{TSaga}"/>.</summary>
    public static ISagaRegistrationConfigurator<TSaga> InPipelineDatabase<TSaga>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TSaga : class, IVersionedSaga
    {
        saga.Repository(repository =>
        {
            repository.RegisterSagaRepository<TSaga, WritePipelineDbContext, SagaConsumeContextFactory<WritePipelineDbContext, TSaga>, DbSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, DbSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterLoadSagaRepository<TSaga, DbSagaRepositoryContextFactory<TSaga>>();
        });
        return saga;
    }
}
