using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WritePipeline.Testing;

/// <summary>
/// A TCP proxy on a loopback port in front of one server, for one process's connections, that can stop forwarding
/// anything in either direction while keeping every connection open: what a host that loses power, freezes or is
/// cut off by a partition leaves behind. No FIN or RST reaches the server, so it goes on believing its sessions
/// alive until something of its own (a timeout, keepalives) ends them.
/// </summary>
/// <remarks>
/// The proxy's own kernel still acknowledges what the server sends, so the server's TCP keepalives and
/// <c>tcp_user_timeout</c> never fire through it: only the server's idle-in-transaction timeout ends a session that
/// was in a transaction.
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly string _host;
    readonly int _port;
    readonly ConcurrentBag<TcpClient> _sockets = [];
    readonly CancellationTokenSource _stop = new();
    readonly TaskCompletionSource _blackholed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    byte[]? _trigger;
    int _connections;

    TcpProxy(string host, int port)
    {
        _host = host;
        _port = port;
    }

    /// <summary>The loopback port to connect to instead of the server's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Whether the proxy has stopped forwarding.</summary>
    public bool IsBlackholed => _blackholed.Task.IsCompleted;

    public static TcpProxy Start(string host, int port)
    {
        var proxy = new TcpProxy(host, port);
        proxy._listener.Start();
        _ = proxy.AcceptAsync();
        return proxy;
    }

    /// <summary>From now on nothing is forwarded on any connection, and nothing is closed.</summary>
    public void Blackhole() => _blackholed.TrySetResult();

    /// <summary>
    /// Forwards as usual until a client sends bytes containing <paramref name="marker"/> (in one read): those are
    /// forwarded, and from then on nothing more on any connection. Completes when that has happened.
    /// </summary>
    public Task BlackholeAfterAsync(string marker)
    {
        Volatile.Write(ref _trigger, Encoding.UTF8.GetBytes(marker));
        return _blackholed.Task;
    }

    async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _sockets.Add(client);
                Interlocked.Increment(ref _connections);
                _ = ConnectAsync(client);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    async Task ConnectAsync(TcpClient client)
    {
        var server = new TcpClient();
        _sockets.Add(server);
        try
        {
            await server.ConnectAsync(_host, _port, _stop.Token);
        }
        catch (Exception)
        {
            client.Close();
            return;
        }

        _ = PumpAsync(client, server, fromClient: true);
        _ = PumpAsync(server, client, fromClient: false);
    }

    async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.GetStream().ReadAsync(buffer, _stop.Token);
                if (IsBlackholed)
                {
                    // Swallowed, and nothing read any more: both ends stay open and hear nothing.
                    return;
                }

                if (read == 0)
                {
                    to.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                if (fromClient && Volatile.Read(ref _trigger) is { } trigger && buffer.AsSpan(0, read).IndexOf(trigger) >= 0)
                {
                    Blackhole();
                    return;
                }
            }
        }
        catch (Exception) when (IsBlackholed || _stop.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            // One side went away while forwarding: so does the other, as it would without the proxy.
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }
}
