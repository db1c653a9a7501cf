using System.Diagnostics;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// Publishes partition messages with RabbitMQ.Client: persistent, <c>mandatory</c> (an unroutable message comes back
/// as an error instead of being confirmed and dropped), each awaited until the broker confirms it. Concurrent sends
/// share a few channels, so their publishes go out back to back and their confirms arrive together. Nothing is sent
/// before the topology is declared (<see cref="RabbitMqTopologyDeclarer"/>).
/// </summary>
public sealed class RabbitMqPartitionQueues(IOptions<TransportOptions> transport, BrokerTopology topology) : IPartitionQueues, IAsyncDisposable
{
    const int Channels = 4;

    readonly BrokerConnection _connection = new(transport.Value.RabbitMq, "writepipeline-publisher");
    readonly IChannel?[] _channels = new IChannel?[Channels];
    readonly SemaphoreSlim _opening = new(1, 1);
    int _next;

    public async Task SendAsync(int partition, PartitionMessage message, CancellationToken cancellationToken)
    {
        await topology.WaitUntilDeclaredAsync(cancellationToken);
        var (type, body) = PartitionMessageFormat.Encode(message);
        using var span = PartitionSpans.StartSend(partition, message);
        var properties = new BasicProperties
        {
            MessageId = message.WriteId.ToString(),
            Type = type,
            ContentType = PartitionMessageFormat.ContentType,
            Persistent = true,
            // The write's trace goes on where it is applied. Without a span of ours (tracing off here), the request's
            // own context still travels, so that a worker that traces continues the caller's trace.
            Headers = PipelineTracing.AmqpHeaders(span ?? Activity.Current),
        };

        var slot = (int)((uint)Interlocked.Increment(ref _next) % Channels);
        var channel = await ChannelAsync(slot, cancellationToken);
        try
        {
            // With confirmation tracking on, this returns once the broker confirmed the message, and throws when it
            // returned it (unroutable) or refused it.
            await channel.BasicPublishAsync(PartitionMap.QueueName(partition), string.Empty, mandatory: true, properties, body, cancellationToken);
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            // A closed channel is replaced at the next send. So is one the broker nacked a publish on: on RabbitMQ 3.10,
            // a channel that published to a quorum queue while it was electing a new leader went on being refused for
            // that queue for about 20 s, while new channels were confirmed (docs/architecture.md, "RabbitMQ behaviours").
            if ((!channel.IsOpen || ex is PublishException { IsReturn: false })
                && Interlocked.CompareExchange(ref _channels[slot], null, channel) == channel
                && channel.IsOpen)
            {
                _ = RetireAsync(channel);
            }

            throw;
        }
    }

    /// <summary>Closes a channel taken out of use once the publishes still waiting on it have had their time to be confirmed.</summary>
    async Task RetireAsync(IChannel channel)
    {
        try
        {
            await Task.Delay(transport.Value.SendTimeout);
            await channel.DisposeAsync();
        }
        catch (Exception)
        {
            // Its connection may be gone already; the channel is out of use either way.
        }
    }

    async Task<IChannel> ChannelAsync(int slot, CancellationToken cancellationToken)
    {
        if (_channels[slot] is { IsOpen: true } open)
        {
            return open;
        }

        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_channels[slot] is { IsOpen: true } opened)
            {
                return opened;
            }

            var connection = await _connection.GetAsync(cancellationToken);
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            _channels[slot] = channel;
            return channel;
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            if (channel is not null)
            {
                try
                {
                    await channel.DisposeAsync();
                }
                catch (Exception)
                {
                    // Closing anyway.
                }
            }
        }

        await _connection.DisposeAsync();
        _opening.Dispose();
    }
}
