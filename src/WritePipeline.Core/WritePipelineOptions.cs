using System.ComponentModel.DataAnnotations;
using WritePipeline.Collections;

namespace WritePipeline;

/// <summary>Everything the pipeline reads from configuration, bound from the <c>WritePipeline</c> section.</summary>
public sealed class WritePipelineOptions
{
    public const string SectionName = "WritePipeline";

    /// <summary>
    /// Number of partitions. Fixed for the life of a deployment: a key's partition is its hash modulo this
    /// number, so changing it while writes are queued would move keys between queues and break their order.
    /// </summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 8;

    public TransportOptions Transport { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    public WorkerOptions Worker { get; set; } = new();

    public ApiOptions Api { get; set; } = new();

    public ClientsOptions Clients { get; set; } = new();

    public OperatorsOptions Operators { get; set; } = new();

    public ConflictOptions Conflicts { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    public SchedulingOptions Scheduling { get; set; } = new();

    public ArchiveOptions Archive { get; set; } = new();

    public OperatorConsoleOptions OperatorConsole { get; set; } = new();

    public BulkActionOptions BulkActions { get; set; } = new();

    public SweeperOptions Sweeper { get; set; } = new();

    public IdempotencyOptions Idempotency { get; set; } = new();

    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Declared collections by name. When none are configured, <see cref="CollectionCatalog.Defaults"/> apply.</summary>
    public Dictionary<string, CollectionOptions> Collections { get; set; } = new(StringComparer.Ordinal);
}

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

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>How long a submission waits for the broker's confirmation before it answers 503.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
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

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts (the embedded default does; production runs <c>migrate</c>).</summary>
    public bool MigrateOnStartup { get; set; }
}

public sealed class WorkerOptions
{
    /// <summary>Whether this process consumes the partitions. The embedded default hosts API and worker together.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Messages a partition consumer holds at hand (RabbitMQ prefetch). At least twice <see cref="MaxBatchSize"/> keeps
    /// the next batch arriving while one is applied.
    /// </summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 512;

    /// <summary>
    /// Most consecutive writes of one partition applied in one database transaction. A batch never waits to fill: it
    /// takes what has arrived, so a lone write is applied at once. 1 applies one write per transaction.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>First wait before a write that failed for a passing reason (database unreachable) is tried again.</summary>
    public TimeSpan RetryMinimumDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between attempts; a write is retried in place until it succeeds or the worker stops.</summary>
    public TimeSpan RetryMaximumDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a partition's lease lasts without being renewed, and how long a silent worker counts as alive: a killed
    /// worker's partitions are taken over by the others after about this long (plus one <see cref="HeartbeatInterval"/>).
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a worker says it is alive, renews its leases, and takes or gives up partitions (at most a third of <see cref="LeaseDuration"/>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping worker lets its partitions finish the batch at hand before it drops them (the broker gives them back).</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a write <c>waiting</c> for a record it references is tried again within its grace
    /// (<see cref="Collections.CollectionOptions.ReferenceGrace"/>): the delay between the parent's arrival and the
    /// child's apply, at most. A retry the partition did not take within five of these is sent again.
    /// </summary>
    public TimeSpan ReferenceRetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class ApiOptions
{
    /// <summary>Largest request body (document or patch) accepted, in bytes; larger bodies get 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Seconds a client is told to wait (Retry-After) before polling a write that is not final.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The longest <c>Prefer: wait=N</c> a submission is held open for (longer requests are cut to this).</summary>
    [Range(0, 300)]
    public int MaxPreferWaitSeconds { get; set; } = 30;

    /// <summary>
    /// Messages waiting on one partition's queue beyond which new submissions to that partition answer 503
    /// <c>backlog-full</c> (other partitions keep accepting): a backlog that grows without bound only delays every
    /// write behind it. Read from the broker about once a second.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxPartitionBacklog { get; set; } = 100_000;

    /// <summary>
    /// The reverse proxies (addresses like <c>10.0.0.5</c> or networks like <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed: from them a request's client address and scheme
    /// are the forwarded ones. None by default: the headers are then ignored from everyone, since anyone can send them.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public sealed class ClientsOptions
{
    /// <summary>
    /// API key of the bootstrap client created in the Development environment only, so the quick start needs
    /// no setup. Ignored in every other environment.
    /// </summary>
    public string? DevelopmentApiKey { get; set; }

    /// <summary>How fast each client may send requests, counted per API process.</summary>
    public ClientRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// How often, at most, an API process reads every client's key hash again because it was sent a key it does not
    /// know (a key made by another process, or a guess): a key new to the process waits at most this long at its first
    /// use, and a flood of unknown keys costs one query per interval, not one per key.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>A token bucket per client: <see cref="PerSecond"/> requests a second on average, bursts up to <see cref="Burst"/>.</summary>
public sealed class ClientRateLimitOptions
{
    /// <summary>Requests a second a client may make on average, per API process; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int PerSecond { get; set; } = 5_000;

    /// <summary>Requests a client may make at once after being quiet (the bucket's size).</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 10_000;
}

public sealed class ConflictOptions
{
    /// <summary>How long a notified submitter has to decide before the write is parked for an operator.</summary>
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromHours(24);
}

public sealed class WebhookOptions
{
    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about a day and a day and a half.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>
    /// Waits between attempts: after the first failure the first wait, and so on; when they run out the delivery has
    /// failed. Unset means <see cref="DefaultRetrySchedule"/> (configuration adds to a list rather than replacing it).
    /// </summary>
    public List<TimeSpan>? RetrySchedule { get; set; }

    public IReadOnlyList<TimeSpan> Retries => RetrySchedule is { Count: > 0 } schedule ? schedule : DefaultRetrySchedule;

    /// <summary>Each wait is stretched or shrunk by up to this fraction, so that retries of many deliveries spread out.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>The longest Retry-After (on 429 or 503) that is honoured as it is; longer ones are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(10);

    /// <summary>An endpoint whose deliveries have all been failing for this long is disabled.</summary>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>After a secret rotation, how long the previous secret keeps signing too.</summary>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The API's public address, to make the links in payloads absolute (e.g. https://writes.example.com); relative when unset.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Deliver to loopback, private and link-local addresses. Off in production (server-side request forgery).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How much of a receiver's response body each attempt keeps, for operators.</summary>
    [Range(0, 64 * 1024)]
    public int ResponseExcerptLength { get; set; } = 1024;

    /// <summary>Endpoints one client may have, disabled ones included: each owes a delivery per event, and their attempts share the slots.</summary>
    [Range(1, 1000)]
    public int MaxEndpointsPerClient { get; set; } = 10;

    /// <summary>Webhook attempts one worker runs at once (each may wait <see cref="Timeout"/> for its receiver).</summary>
    [Range(1, 1024)]
    public int DeliverySlots { get; set; } = 32;

    /// <summary>
    /// Of <see cref="DeliverySlots"/>, how many one client's attempts may hold at once: a client whose receivers do not
    /// answer keeps its own deliveries waiting, and leaves the other slots to everyone else.
    /// </summary>
    [Range(1, 1024)]
    public int SlotsPerClient { get; set; } = 4;
}

public sealed class SchedulingOptions
{
    /// <summary>How many timers one worker runs at once. Webhook attempts do not count: their timers only hand them to the delivery slots.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>How often a worker tells the cluster it is alive; a worker silent for three of these has its timers taken over.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class OperatorsOptions
{
    /// <summary>
    /// Password of the <c>dev-operator</c> admin created in the Development environment only (with
    /// <see cref="DevelopmentToken"/> as its admin API token). Ignored in every other environment.
    /// </summary>
    public string? DevelopmentPassword { get; set; }

    public string? DevelopmentToken { get; set; }

    /// <summary>Wrong passwords in a row after which an operator's sign-in is locked (against guessing one account from many addresses).</summary>
    [Range(1, 1000)]
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long a locked sign-in stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>The conflict sweeper: a Quartz job on the workers that finishes steps of conflicts whose message was lost.</summary>
public sealed class SweeperOptions
{
    /// <summary>How often the sweeper looks (once in the cluster of workers).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a step of a conflict may be in flight before the sweeper takes it for lost and does it again: a
    /// conflicted write no saga took, a carried-out decision its saga did not hear of, a deadline that did not fire.
    /// Doing one again is harmless (the saga recognises repeats), so this only keeps the sweeper from racing the message.
    /// </summary>
    public TimeSpan HandoverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A write still <c>queued</c> this long after it was recorded is checked: if its message never reached its
    /// partition (the API died before the broker confirmed it; no 202 was given), it ends <c>rejected</c>. At least three
    /// times <see cref="TransportOptions.SendTimeout"/>, so the API has long given up on its send.
    /// </summary>
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>How long Idempotency-Keys are kept for replays.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// An Idempotency-Key is released (free for a new write; the write row stays) once its write is final (or was
    /// rejected) and was submitted longer ago than this. At least 24 hours.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the release job (Quartz, on workers, once in the cluster) looks.</summary>
    public TimeSpan ReleaseInterval { get; set; } = TimeSpan.FromHours(1);
}

public sealed class ArchiveOptions
{
    /// <summary>How long a discarded write stays in the archive, restorable, before it is purged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the purge job looks for discarded writes past <see cref="Retention"/>.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}

public sealed class OperatorConsoleOptions
{
    /// <summary>
    /// Send the console's cookies (sign-in, anti-forgery) only over HTTPS, and refuse the console over plain HTTP. On by
    /// default; behind a proxy that ends TLS, list it in <see cref="ApiOptions.TrustedProxies"/> so requests are seen as
    /// HTTPS. Off in Development only, for the quick start on http://localhost.
    /// </summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>Sign-in attempts allowed per minute from one address (against password guessing); more get 429.</summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 10;
}

public sealed class BulkActionOptions
{
    /// <summary>
    /// A bulk run that made no progress for this long is taken to have lost its process (each write takes seconds at
    /// most) and is resumed, where it stopped, by an API process that is running.
    /// </summary>
    public TimeSpan ResumeAfter { get; set; } = TimeSpan.FromMinutes(1);
}
