using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Clients;

public static class ClientsRegistration
{
    /// <summary>In the API host: the clients, their keys, grants and rate limits, and their administration.</summary>
    public static IServiceCollection AddClientsApi(this IServiceCollection services)
    {
        services.AddScoped<ClientRegistry>();
        services.AddScoped<ClientAdministration>();
        services.AddSingleton<ClientRateLimits>();
        services.AddSingleton<ClientChanges>();
        services.AddSingleton<KnownApiKeys>();
        return services;
    }
}
