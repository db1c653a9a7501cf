using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Audit;

public static class AuditRegistration
{
    /// <summary>In every host: operators' actions are audited where they are taken, the API and the conflict sagas on the workers.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services) => services.AddScoped<AuditLog>();
}
