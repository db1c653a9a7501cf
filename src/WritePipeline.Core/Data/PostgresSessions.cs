using System.Globalization;
using Npgsql;

namespace WritePipeline.Data;

/// <summary>
/// The PostgreSQL session settings that bound how long a vanished host's transaction keeps its locks
/// (docs/operations.md, "Database"). They travel in the connection string's <c>Options</c> (<c>-c name=value</c>),
/// which the server applies once per physical connection, at its start: no statement and no round trip of their own.
/// </summary>
public static class PostgresSessions
{
    public const string IdleInTransactionSetting = "idle_in_transaction_session_timeout";

    /// <summary>
    /// <paramref name="connectionString"/> with the idle-in-transaction timeout and TCP keepalives to match put before
    /// whatever <c>Options</c> it already has, so that an operator's own <c>-c</c> of the same name wins. Zero adds nothing.
    /// </summary>
    /// <remarks>
    /// The timeout ends a session whose host went silent between two statements of a transaction. The keepalives and
    /// <c>tcp_user_timeout</c> end one whose peer is gone altogether (no FIN ever came) while it sat idle outside a
    /// transaction or while its answer could not be delivered, within about twice the timeout; without them the kernel
    /// keeps such a connection for hours.
    /// </remarks>
    public static string WithSessionSettings(string connectionString, TimeSpan idleInTransactionTimeout)
    {
        if (idleInTransactionTimeout <= TimeSpan.Zero)
        {
            return connectionString;
        }

        var seconds = Math.Max(1, (int)idleInTransactionTimeout.TotalSeconds);
        string[] settings =
        [
            $"{IdleInTransactionSetting}={Milliseconds(idleInTransactionTimeout)}",
            $"tcp_keepalives_idle={seconds}",
            $"tcp_keepalives_interval={Math.Max(1, seconds / 3)}",
            "tcp_keepalives_count=3",
            $"tcp_user_timeout={Milliseconds(2 * idleInTransactionTimeout)}",
        ];
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var ours = string.Join(' ', settings.Select(s => "-c " + s));
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? ours : ours + " " + builder.Options;
        return builder.ConnectionString;
    }

    /// <summary>What start-up makes of the timeout a session of this process actually has.</summary>
    public enum Verdict
    {
        /// <summary>The configured timeout is in force, or none is configured and the server has one (a pooler's way).</summary>
        InForce,

        /// <summary>Another value than the pipeline's is in force (an operator's <c>-c</c>, a server override): a takeover waits for that one.</summary>
        Differs,

        /// <summary>The pipeline sets none and the server has none: a vanished host's locks last until TCP gives up.</summary>
        OffByConfiguration,

        /// <summary>The pipeline set one and something (a pooler that drops the options, a server override) turned it off.</summary>
        Overridden,
    }

    /// <param name="configured">The pipeline's setting (zero: none).</param>
    /// <param name="effectiveMilliseconds">What the session reports (zero: off).</param>
    public static Verdict Judge(TimeSpan configured, long effectiveMilliseconds) =>
        (configured > TimeSpan.Zero, effectiveMilliseconds) switch
        {
            (true, 0) => Verdict.Overridden,
            (false, 0) => Verdict.OffByConfiguration,
            (true, var ms) when ms == Milliseconds(configured) => Verdict.InForce,
            (true, _) => Verdict.Differs,
            (false, _) => Verdict.InForce,
        };

    static long Milliseconds(TimeSpan value) => (long)value.TotalMilliseconds;

    internal static string Format(long milliseconds) => milliseconds == 0 ? "off" : TimeSpan.FromMilliseconds(milliseconds).ToString("c", CultureInfo.InvariantCulture);
}
