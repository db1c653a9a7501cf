// The transport and the database are what every host and test set-up chooses first: these stay in the root
// namespace with WritePipelineOptions, so that choosing them needs no feature's namespace.
namespace WritePipeline;

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

    /// <summary>
    /// PostgreSQL only: how long a session of this process may sit idle inside an open transaction before the server
    /// ends it (<c>idle_in_transaction_session_timeout</c>, with TCP keepalives to match, set on every connection). A
    /// host that vanishes mid-transaction (power loss, a frozen VM, a network partition) leaves its session open and
    /// silent, holding its row locks, among them a partition's lease row; this bounds how long the others wait for
    /// it. No transaction of the pipeline waits on the broker or HTTP while open, so it idles only between statements
    /// (milliseconds). Zero leaves the server's own setting (off unless configured), which the start-up check warns of.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (IdleInTransactionTimeout != TimeSpan.Zero && (IdleInTransactionTimeout < TimeSpan.FromSeconds(1) || IdleInTransactionTimeout > TimeSpan.FromHours(1)))
        {
            yield return "WritePipeline:Database:IdleInTransactionTimeout must be 0 (leave it to the server) or from 1 second to 1 hour: shorter ends the pipeline's own transactions between statements, longer leaves a vanished host's locks for that long.";
        }
    }
}
