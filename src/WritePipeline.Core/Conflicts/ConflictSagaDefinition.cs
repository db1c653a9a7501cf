using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace WritePipeline.Conflicts;

/// <summary>The conflict saga's endpoint policy, in one place.</summary>
public sealed class ConflictSagaDefinition : SagaDefinition<ConflictState>
{
    public ConflictSagaDefinition()
    {
        EndpointName = ConflictTopology.QueueName;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<ConflictState> sagaConfigurator, IRegistrationContext context)
    {
        // Two messages for one write (a decision and a timer, two decisions) may be handled at once by different
        // workers: the saga row's version lets one commit and fails the other, which is tried again against the
        // winner's state. Database outages are retried the same way; past the last interval the message is redelivered.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<DbUpdateException>();
            retry.Handle<System.Data.Common.DbException>();
            retry.Handle<WriteMovedException>();
            retry.Intervals(50, 100, 200, 500, 1000, 2000, 5000, 10000);
        });

        // Replies and sends leave only after the saga's transaction committed, so nobody hears of a decision that
        // was rolled back.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
