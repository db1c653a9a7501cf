using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Telemetry;

namespace WritePipeline.Webhooks;

/// <summary>
/// Runs this worker's webhook attempts in its delivery slots (<see cref="WebhookSlots"/>: <c>Webhooks:DeliverySlots</c>
/// at once, <c>Webhooks:SlotsPerClient</c> of them per client, clients in turn), never on a Quartz thread: an attempt's
/// timer only hands the delivery over, so decision deadlines and the other timers never wait behind a receiver.
/// <para>
/// A delivery handed over is claimed in the database first: its <see cref="WebhookDelivery.NextAttemptAt"/> is moved
/// <see cref="ClaimDuration"/> ahead, and moved on every third of that while the delivery waits or is attempted here
/// (only while its attempts are still those it was claimed with, so the attempt's own outcome is never overwritten).
/// Its timer is gone once it has fired, so the claim is what keeps <see cref="WebhookSweepJob"/> from arming it again
/// while it waits; when this worker dies, the claim lapses and the sweeper arms it for another worker. A worker that
/// stops gives its claims back (due now) for the same.
/// </para>
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(1);

    readonly IServiceScopeFactory _scopes;
    readonly TimeProvider _clock;
    readonly ILogger<WebhookDispatcher> _logger;
    readonly WebhookSlots _slots;
    readonly HashSet<Task> _attempts = [];
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _gate = new();
    bool _stopped;

    public WebhookDispatcher(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger)
    {
        (_scopes, _clock, _logger) = (scopes, clock, logger);
        _slots = new WebhookSlots(options.Value.DeliverySlots, options.Value.SlotsPerClient);
    }

    /// <summary>Deliveries waiting for a slot, and being attempted, now.</summary>
    public (int Waiting, int Attempting) Load()
    {
        lock (_gate)
        {
            return (_slots.Waiting, _slots.Attempting);
        }
    }

    /// <summary>
    /// Claims a delivery whose attempt is due and queues it for a slot; returns at once. False when the delivery does not
    /// exist (yet: the transaction that records it may not have committed).
    /// </summary>
    public async Task<bool> HandOverAsync(Guid deliveryId, ActivityContext trace, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Held here already: it is attempted once it has a slot. A stopping worker takes nothing more; the sweeper
            // gives what is due to another.
            if (_slots.Holds(deliveryId) || _stopped)
            {
                return true;
            }
        }

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null)
        {
            return false;
        }

        if (delivery.Status != WebhookDeliveryStatus.Pending)
        {
            return true;
        }

        delivery.NextAttemptAt = _clock.GetUtcNow() + ClaimDuration;
        await db.SaveChangesAsync(cancellationToken);
        lock (_gate)
        {
            _slots.Add(new WebhookHandover(delivery.Id, delivery.ClientId, delivery.Attempts, trace));
            StartAttempts();
        }

        return true;
    }

    /// <summary>Moves the claims of the deliveries held here on, every third of their duration.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ClaimDuration / 3, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ClaimAsync(Held(), _clock.GetUtcNow() + ClaimDuration, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "Could not extend the claims of the webhook deliveries held here; the next round tries again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Ends the attempts under way (they are not recorded) and gives every claim back, due now.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] attempts;
        lock (_gate)
        {
            _stopped = true;
            attempts = [.. _attempts];
        }

        await _stopping.CancelAsync();
        try
        {
            await base.StopAsync(cancellationToken);
            await Task.WhenAll(attempts).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's time to stop ran out (other services took it): the claims are given back all the same, or
            // another worker would wait for them to lapse.
        }

        var held = Held();
        if (held.Count > 0)
        {
            await ClaimAsync(held, _clock.GetUtcNow(), CancellationToken.None);
            _logger.LogInformation("Gave back {Count} webhook deliveries that were waiting for a slot", held.Count);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _stopping.Dispose();
    }

    List<WebhookHandover> Held()
    {
        lock (_gate)
        {
            return [.. _slots.Held];
        }
    }

    /// <summary>Starts an attempt in every slot the rule lets be taken. Under the lock.</summary>
    void StartAttempts()
    {
        while (!_stopped && _slots.Next() is { } delivery)
        {
            var attempt = Task.Run(() => AttemptAsync(delivery));
            _attempts.Add(attempt);
            _ = attempt.ContinueWith(
                done =>
                {
                    lock (_gate)
                    {
                        _attempts.Remove(done);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    async Task AttemptAsync(WebhookHandover delivery)
    {
        var cancellationToken = _stopping.Token;
        try
        {
            using var span = PipelineTracing.StartWebhookDelivery(delivery.Trace, delivery.DeliveryId);
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<WebhookSender>().AttemptAsync(delivery.DeliveryId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The attempt of webhook delivery {DeliveryId} failed; it is attempted again once its claim has lapsed", delivery.DeliveryId);
        }
        finally
        {
            lock (_gate)
            {
                // Still held after a stop: its claim is given back (unless the attempt moved it on).
                if (!_stopped)
                {
                    _slots.Done(delivery);
                    StartAttempts();
                }
            }
        }
    }

    async Task ClaimAsync(IReadOnlyCollection<WebhookHandover> deliveries, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        foreach (var sameAttempts in deliveries.GroupBy(d => d.Attempts))
        {
            foreach (var chunk in sameAttempts.Select(d => d.DeliveryId).Chunk(500))
            {
                await db.WebhookDeliveries
                    .Where(d => chunk.Contains(d.Id) && d.Attempts == sameAttempts.Key && d.Status == WebhookDeliveryStatus.Pending)
                    .ExecuteUpdateAsync(set => set.SetProperty(d => d.NextAttemptAt, until), cancellationToken);
            }
        }
    }
}
