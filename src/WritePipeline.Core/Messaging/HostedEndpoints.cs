using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Messaging;

/// <summary>
/// A saga or consumer whose receive endpoint this process consumes. The bus of every host knows every saga and
/// consumer (MassTransit takes its registrations once, with the bus), so that the API can send to them and ask them;
/// only the worker registrations say which endpoints a process consumes, and a host without any (the API alone)
/// consumes nothing on the bus. Each endpoint's queue and policy are its definition's.
/// </summary>
public sealed record HostedEndpoint(Type Hosts);

public static class HostedEndpoints
{
    public static IServiceCollection AddHostedEndpoint<T>(this IServiceCollection services)
        where T : class => services.AddSingleton(new HostedEndpoint(typeof(T)));

    /// <summary>The receive endpoints of the sagas and consumers this process hosts, as their definitions set them.</summary>
    public static void ConfigureHostedEndpoints<T>(this IBusRegistrationContext context, IReceiveConfigurator<T> bus)
        where T : IReceiveEndpointConfigurator
    {
        var hosted = context.GetServices<HostedEndpoint>().Select(endpoint => endpoint.Hosts).ToArray();
        if (hosted.Length > 0)
        {
            context.ConfigureEndpoints(bus, null, filter => filter.Include(hosted));
        }
    }
}
