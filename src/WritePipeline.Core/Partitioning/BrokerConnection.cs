using RabbitMQ.Client;

namespace WritePipeline.Partitioning;

/// <summary>
/// One named connection to RabbitMQ, opened on first use and opened again on the first use after it was lost.
/// RabbitMQ.Client's automatic recovery is off: the pipeline's consumers and publishers re-create their channels
/// themselves, so that what is consumed, and from where, is decided in one place (see docs/architecture.md).
/// With several nodes configured (<see cref="RabbitMqOptions.Hosts"/>), each opening tries them in a new random
/// order, so a connection lost with its node is opened again on a surviving one.
/// </summary>
public sealed class BrokerConnection(RabbitMqOptions options, string name) : IAsyncDisposable
{
    readonly SemaphoreSlim _opening = new(1, 1);
    IConnection? _connection;

    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } opened)
            {
                return opened;
            }

            if (_connection is { } lost)
            {
                _connection = null;
                await DisposeQuietlyAsync(lost);
            }

            _connection = await options.ConnectAsync(name, cancellationToken);
            return _connection;
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await DisposeQuietlyAsync(connection);
        }

        _opening.Dispose();
    }

    static async Task DisposeQuietlyAsync(IConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception)
        {
            // A lost connection may fail to close; it is being replaced either way.
        }
    }
}
