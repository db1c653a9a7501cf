using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

// The transport and the database are what every host and test set-up chooses first: these stay in the root
// namespace with WritePipelineOptions, so that choosing them needs no feature's namespace.
namespace WritePipeline;

public enum TransportKind
{
    /// <summary>MassTransit's in-memory transport, API and worker in one process. Queued writes die with the process.</summary>
    InMemory,

    /// <summary>RabbitMQ: durable quorum queues, the production transport.</summary>
    RabbitMq,
}

public sealed class TransportOptions
{
    public TransportKind Kind { get; set; } = TransportKind.InMemory;

    [ValidateObjectMembers]
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>How long a submission waits for the broker's confirmation before it answers 503.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in RabbitMq.Validate())
        {
            yield return problem;
        }

        if (SendTimeout <= TimeSpan.Zero)
        {
            yield return "WritePipeline:Transport:SendTimeout must be positive.";
        }
    }
}

public sealed class RabbitMqOptions
{
    /// <summary>
    /// A RabbitMQ.Client connection factory for these settings, for the pipeline's own direct broker calls (not
    /// MassTransit's). Automatic recovery is off: the pipeline's consumers and publishers open their connections and
    /// channels again themselves, so that what is consumed, and from where, is decided in one place.
    /// </summary>
    public RabbitMQ.Client.ConnectionFactory ConnectionFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedHeartbeat = TimeSpan.FromSeconds(10),
        // Per node tried: a node that is down but still routed to must not hold up trying the next one for long.
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// A connection to one of <see cref="Nodes"/>, tried in a new random order each time: after a node is lost, the
    /// processes that reconnect spread over the survivors instead of all trying a dead first node first.
    /// </summary>
    public Task<RabbitMQ.Client.IConnection> ConnectAsync(string clientName, CancellationToken cancellationToken)
    {
        var endpoints = Nodes().Select(node => new RabbitMQ.Client.AmqpTcpEndpoint(node.Host, node.Port)).ToArray();
        Random.Shared.Shuffle(endpoints);
        return ConnectionFactory(clientName).CreateConnectionAsync(endpoints, clientName, cancellationToken);
    }

    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>
    /// The nodes of a RabbitMQ cluster, comma-separated <c>host:port</c> (a host without a port uses
    /// <see cref="Port"/>; no IPv6 literals). When set it wins over <see cref="Host"/> and <see cref="Port"/>.
    /// </summary>
    public string? Hosts { get; set; }

    [Required]
    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>The nodes to connect to: <see cref="Hosts"/> when set, else <see cref="Host"/> and <see cref="Port"/>.</summary>
    /// <exception cref="FormatException">An entry of <see cref="Hosts"/> is not <c>host:port</c> (checked at start-up).</exception>
    public IReadOnlyList<BrokerEndpoint> Nodes()
    {
        if (string.IsNullOrWhiteSpace(Hosts))
        {
            return [new BrokerEndpoint(Host, Port)];
        }

        var (nodes, problems) = ParseHosts(Hosts, Port);
        return problems.Count == 0 ? nodes : throw new FormatException(string.Join(" ", problems));
    }

    /// <summary>The nodes <paramref name="hosts"/> names, and what is wrong with each entry that is not <c>host:port</c>.</summary>
    public static (List<BrokerEndpoint> Nodes, List<string> Problems) ParseHosts(string hosts, int defaultPort)
    {
        var nodes = new List<BrokerEndpoint>();
        var problems = new List<string>();
        foreach (var entry in hosts.Split(',', StringSplitOptions.TrimEntries))
        {
            if (BrokerEndpoint.TryParse(entry, defaultPort) is { } node)
            {
                nodes.Add(node);
            }
            else
            {
                problems.Add($"'{entry}' is not host:port (e.g. rabbit1:5672).");
            }
        }

        return (nodes, problems);
    }

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Hosts))
        {
            yield break;
        }

        var (nodes, problems) = ParseHosts(Hosts, Port);
        foreach (var problem in problems)
        {
            yield return "WritePipeline:Transport:RabbitMq:Hosts: " + problem;
        }

        if (problems.Count == 0 && nodes.Count != nodes.Distinct().Count())
        {
            yield return "WritePipeline:Transport:RabbitMq:Hosts names a node twice.";
        }
    }
}

/// <summary>One RabbitMQ node the pipeline may connect to.</summary>
public sealed record BrokerEndpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";

    /// <summary>
    /// <c>host:port</c>, or <c>host</c> with <paramref name="defaultPort"/>; null when it is neither. IPv6 literals are
    /// refused: MassTransit's cluster configuration splits a node address at every colon.
    /// </summary>
    public static BrokerEndpoint? TryParse(string entry, int defaultPort)
    {
        var parts = entry.Split(':');
        var host = parts[0];
        // Host names (underscores too, as container names have them) and IPv4 addresses.
        if (parts.Length > 2 || host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            return null;
        }

        if (parts.Length == 1)
        {
            return new BrokerEndpoint(host, defaultPort);
        }

        return int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? new BrokerEndpoint(host, port)
            : null;
    }
}
