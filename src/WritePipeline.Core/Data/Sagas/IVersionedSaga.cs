using MassTransit;

namespace WritePipeline.Data.Sagas;

/// <summary>
/// A saga instance persisted with optimistic concurrency: <see cref="Version"/> is the concurrency token and grows by
/// one with every saved change (<see cref="WritePipelineDbContext"/> bumps it), so of two concurrent updates of one
/// instance the second fails, and its message is retried against the first one's result.
/// </summary>
public interface IVersionedSaga : SagaStateMachineInstance
{
    int Version { get; set; }
}
