using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WritePipeline.Audit;

public static class AuditRegistration
{
    /// <summary>
    /// In every host: operators' actions are audited where they are taken, the API and the conflict sagas on the workers.
    /// Safe to call twice: the saga's registration calls it too, for hosts (and harnesses) that add only the saga.
    /// </summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.TryAddScoped<AuditLog>();
        return services;
    }
}
