using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace WritePipeline.Hosting;

/// <summary>The forwarded headers the API believes: only from <see cref="ApiOptions.TrustedProxies"/> (<see cref="TrustedProxies"/>).</summary>
public static class TrustedProxyHeaders
{
    /// <summary>
    /// Sets the forwarded headers options from the configured proxies, over ASP.NET Core's own defaults (loopback) and
    /// over ASPNETCORE_FORWARDEDHEADERS_ENABLED (which, on its own, would trust every address).
    /// </summary>
    public static void Configure(ForwardedHeadersOptions forwarded, IReadOnlyList<string> proxies)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            if (proxy.Contains('/', StringComparison.Ordinal))
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
            else
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        }

        // With no known proxy at all the middleware would believe every sender: then it must do nothing.
        forwarded.ForwardedHeaders = proxies.Count == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // Through a chain of trusted proxies, back to the first address that is not one of them.
        forwarded.ForwardLimit = null;
    }

}
