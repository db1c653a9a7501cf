namespace WritePipeline.Messaging;

/// <summary>
/// Which failures of a send mean that the broker is away or did not take the message this time (connection lost,
/// channel closed, a publish nacked or returned), so that the step is tried again rather than given up.
/// </summary>
public static class BrokerFailures
{
    public static bool IsPassing(Exception exception) => exception switch
    {
        MassTransit.TransportException or MassTransit.ConnectionException or TimeoutException => true,
        _ when exception.GetType().Namespace?.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) == true => true,
        _ when exception.InnerException is { } inner => IsPassing(inner),
        _ => false,
    };
}
