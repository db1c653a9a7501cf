using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WritePipeline.Data;

/// <summary>
/// Reads once, at start-up, the <c>idle_in_transaction_session_timeout</c> a session of this process really has,
/// and refuses to run when the pipeline set one and something turned it off (a pooler that drops the connection's
/// options, a server override): the process would look healthy while a host lost mid-transaction could stop a
/// partition for hours. Another value than the configured one is logged as a warning, and so is no timeout at all
/// (the setting at 0 and none on the server); the setting at 0 with one on the server (behind a pooler) is fine.
/// </summary>
/// <remarks>
/// A database that cannot be reached at start-up does not stop the host (the pipeline waits for it in place): the
/// check is made again in the background until it gets an answer, and an override found then stops the process.
/// </remarks>
public sealed class PostgresSessionCheck(
    IServiceScopeFactory scopes,
    IOptions<DatabaseOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<PostgresSessionCheck> logger) : BackgroundService
{
    static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    bool _checkLater;

    TimeSpan Configured => options.Value.IdleInTransactionTimeout;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await CheckAsync(cancellationToken) is { } refusal)
            {
                throw new InvalidOperationException(refusal);
            }
        }
        catch (Exception ex) when (Unreachable(ex))
        {
            logger.LogWarning(ex, "Could not read {Setting} at start-up; trying again every {Interval}", PostgresSessions.IdleInTransactionSetting, RetryInterval);
            _checkLater = true;
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (_checkLater && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryInterval, stoppingToken);
                if (await CheckAsync(stoppingToken) is { } refusal)
                {
                    logger.LogCritical("{Refusal} Stopping", refusal);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (Unreachable(ex))
            {
                logger.LogDebug(ex, "Still cannot read {Setting}", PostgresSessions.IdleInTransactionSetting);
            }
        }
    }

    /// <summary>Logs what is in force; the reason to refuse to run, if any.</summary>
    async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var (effective, source) = await ReadAsync(cancellationToken);
        var verdict = PostgresSessions.Judge(Configured, effective);
        switch (verdict)
        {
            case PostgresSessions.Verdict.Overridden:
                return $"WritePipeline:Database:IdleInTransactionTimeout is {Configured}, but this process's sessions have {PostgresSessions.IdleInTransactionSetting} off (set by {source}): "
                    + "a pooler drops the connection's options or the server overrides them, and a host lost mid-transaction would keep its locks, a partition's lease among them, for hours. "
                    + "Set it for the pipeline's role or database on the server (ALTER ROLE ... SET idle_in_transaction_session_timeout = '10s'), or set IdleInTransactionTimeout to 0 to run without it (docs/operations.md, \"Database\").";
            case PostgresSessions.Verdict.OffByConfiguration:
                logger.LogWarning(
                    "{Setting} is off (WritePipeline:Database:IdleInTransactionTimeout is 0 and the server sets none): a host lost mid-transaction keeps its locks, and may stop a partition, until the server's TCP gives up on it",
                    PostgresSessions.IdleInTransactionSetting);
                break;
            case PostgresSessions.Verdict.Differs:
                logger.LogWarning(
                    "{Setting} is {Effective} (set by {Source}), not WritePipeline:Database:IdleInTransactionTimeout ({Configured}): a takeover after a host loss waits up to Worker:LeaseDuration plus {Effective}",
                    PostgresSessions.IdleInTransactionSetting, PostgresSessions.Format(effective), source, Configured, PostgresSessions.Format(effective));
                break;
            default:
                logger.LogInformation("{Setting} is {Effective} on this process's sessions (set by {Source})", PostgresSessions.IdleInTransactionSetting, PostgresSessions.Format(effective), source);
                break;
        }

        return null;
    }

    async Task<(long Milliseconds, string Source)> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT setting, source FROM pg_settings WHERE name = '{PostgresSessions.IdleInTransactionSetting}'";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (long.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetString(1));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The database is away (refused, timed out, starting up): not a reason to stop the host.</summary>
    static bool Unreachable(Exception exception) =>
        exception is DbException or TimeoutException or SocketException or IOException
        || (exception is not InvalidOperationException { InnerException: null } && exception.InnerException is { } inner && Unreachable(inner));
}
