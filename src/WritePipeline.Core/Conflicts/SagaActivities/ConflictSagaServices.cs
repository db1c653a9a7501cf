using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Audit;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>The conflict saga's activities and conditions, scoped to the message: they share its database context and transaction.</summary>
public static class ConflictSagaServices
{
    public static IServiceCollection AddConflictSagaActivities(this IServiceCollection services)
    {
        services.AddScoped<ConflictWriteStatus>();
        services.AddScoped<ConflictReports>();
        services.AddScoped<DecisionDispatch>();
        services.AddSingleton<DecisionFaultPoint>();
        // Operators' decisions are audited in the saga's transaction, wherever the saga runs.
        services.AddAudit();

        services.AddScoped<SubmitterIsToBeNotified>();
        services.AddScoped<IsTheWritesConflictNow>();
        services.AddScoped<NoNotificationLeft>();
        services.AddScoped<DecisionIsAllowed>();

        services.AddScoped<RecordConflict>();
        services.AddScoped<NotifySubmitter>();
        services.AddScoped(typeof(ParkWrite<>));
        services.AddScoped<TakeDecision>();
        services.AddScoped<SendDecision>();
        services.AddScoped<RefuseDecision>();
        services.AddScoped<NoteResolution>();
        services.AddScoped<RestoreWrite>();
        services.AddScoped<RefuseRestore>();
        services.AddScoped<FollowSagaState>();
        return services;
    }
}
