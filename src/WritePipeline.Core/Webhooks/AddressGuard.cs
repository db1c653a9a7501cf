using System.Net;
using System.Net.Sockets;

namespace WritePipeline.Webhooks;

/// <summary>
/// Keeps webhook deliveries away from the pipeline's own network (server-side request forgery): unless allowed,
/// no delivery connects to a loopback, private, link-local, shared, multicast or unspecified address. Checked when
/// the connection is made, on every address the name resolves to, so that a name cannot be pointed inside later.
/// </summary>
public sealed class AddressGuard(bool allowPrivateAddresses)
{
    public const int MaxUrlLength = 2000;

    /// <summary>Why <paramref name="url"/> cannot be an endpoint, or null when it can.</summary>
    public string? Refusal(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"'url' must be an absolute http or https URL of at most {MaxUrlLength} characters.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "'url' must use http or https.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "'url' must not carry credentials; the signature authenticates deliveries.";
        }

        if (!allowPrivateAddresses && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var literal) && IsInternal(literal))))
        {
            return "'url' points at a loopback or private address; deliveries go to public addresses only.";
        }

        return null;
    }

    /// <summary>The connect step of the webhook HTTP handler.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"'{context.DnsEndPoint.Host}' does not resolve.");
        }

        if (!allowPrivateAddresses && addresses.FirstOrDefault(IsInternal) is { } blocked)
        {
            throw new HttpRequestException($"'{context.DnsEndPoint.Host}' resolves to {blocked}, an internal address; webhooks are not delivered there.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,   // shared address space (carrier-grade NAT)
            169 => b[1] == 254,                // link-local, including cloud metadata services
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2),
            198 => b[1] is 18 or 19,           // benchmarking
            >= 224 => true,                    // multicast and reserved
            _ => false,
        };
    }
}
