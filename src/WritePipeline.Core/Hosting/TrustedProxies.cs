using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace WritePipeline.Hosting;

/// <summary>
/// Forwarded headers (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) apply only to requests from
/// <see cref="ApiOptions.TrustedProxies"/>. The client address they set is what the console's sign-in limit counts
/// per address and what the logs show; the scheme decides whether the HTTPS-only console is served. Anyone can send
/// the headers, so believed from anyone they would let a guesser take a new address for every attempt.
/// </summary>
public static class TrustedProxies
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

    /// <summary>The entries that are neither an IP address nor a network in CIDR notation.</summary>
    public static IEnumerable<string> Invalid(IEnumerable<string> proxies) =>
        proxies.Where(p => !(p.Contains('/', StringComparison.Ordinal) ? System.Net.IPNetwork.TryParse(p, out _) : IPAddress.TryParse(p, out _)));
}
