using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Clients;

public static class ClientsRegistration
{
    /// <summary>In the API host: the clients, their keys and grants, and their administration (the host adds the rate limits).</summary>
    public static IServiceCollection AddClientsApi(this IServiceCollection services)
    {
        services.AddScoped<ClientRegistry>();
        services.AddScoped<ClientAdministration>();
        services.AddSingleton<ClientChanges>();
        services.AddSingleton<KnownApiKeys>();
        services.AddSingleton<ClientsByKey>();
        return services;
    }
}
