using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WritePipeline.Operators;

public static class OperatorsRegistration
{
    /// <summary>In the API host: operator accounts, their passwords and their administration.</summary>
    public static IServiceCollection AddOperatorsApi(this IServiceCollection services)
    {
        services.TryAddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<Operator>, Microsoft.AspNetCore.Identity.PasswordHasher<Operator>>();
        services.AddSingleton<OperatorPasswords>();
        services.AddScoped<OperatorRegistry>();
        services.AddScoped<OperatorAdministration>();
        return services;
    }
}
