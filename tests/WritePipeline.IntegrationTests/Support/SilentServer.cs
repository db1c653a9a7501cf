using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// A real TCP server on loopback that accepts HTTP requests, reads their headers and never answers: every webhook
/// attempt to it lasts until the sender gives up. Counts the attempts it holds open at once, and notices a delivery
/// (by its <c>webhook-id</c>) being attempted on two connections at the same time.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Dictionary<int, (string Id, Socket Socket)> _open = [];
    readonly HashSet<string> _attempted = [];
    readonly List<string> _overlaps = [];
    readonly Task _accepting;
    int _connections;

    public SilentServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

    /// <summary>Attempts held open now (their headers read).</summary>
    public int Open
    {
        get { lock (_open) { return _open.Count; } }
    }

    /// <summary>The most attempts held open at one moment.</summary>
    public int MostOpen { get; private set; }

    /// <summary>Distinct deliveries attempted so far.</summary>
    public int Deliveries
    {
        get { lock (_open) { return _attempted.Count; } }
    }

    /// <summary>Deliveries that arrived while another attempt of the same delivery was still open.</summary>
    public IReadOnlyList<string> Overlaps
    {
        get { lock (_open) { return [.. _overlaps]; } }
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = HoldAsync(client, Interlocked.Increment(ref _connections));
        }
    }

    async Task HoldAsync(TcpClient client, int connection)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[16 * 1024];
        var received = new StringBuilder();
        try
        {
            int read;
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var id = received.ToString().Split("\r\n").FirstOrDefault(l => l.StartsWith("webhook-id:", StringComparison.OrdinalIgnoreCase))?["webhook-id:".Length..].Trim() ?? "";
            lock (_open)
            {
                ForgetClosed();
                if (_open.Values.Any(o => o.Id == id))
                {
                    _overlaps.Add(id);
                }

                _open[connection] = (id, client.Client);
                _attempted.Add(id);
                MostOpen = Math.Max(MostOpen, _open.Count);
            }

            // Never answer: read (and drop) whatever comes until the sender closes the connection.
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The sender gave up on the attempt, or the test is over.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(connection);
            }
        }
    }

    /// <summary>
    /// Drops the attempts whose sender has already closed the connection. A sender closes an attempt before it starts the
    /// next, but this server's read of that close can complete after the next attempt's headers: without this, the two
    /// would be counted open at once.
    /// </summary>
    void ForgetClosed()
    {
        foreach (var (connection, (_, socket)) in _open.ToList())
        {
            bool closed;
            try
            {
                closed = socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                closed = true;
            }

            if (closed)
            {
                _open.Remove(connection);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
