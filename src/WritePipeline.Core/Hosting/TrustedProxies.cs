using System.Net;

namespace WritePipeline.Hosting;

/// <summary>
/// Forwarded headers (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) apply only to requests from
/// <see cref="ApiOptions.TrustedProxies"/>. The client address they set is what the console's sign-in limit counts
/// per address and what the logs show; the scheme decides whether the HTTPS-only console is served. Anyone can send
/// the headers, so believed from anyone they would let a guesser take a new address for every attempt. The API host
/// applies them to its forwarded headers (<c>TrustedProxyHeaders</c>); here is what a valid entry is.
/// </summary>
public static class TrustedProxies
{
    /// <summary>The entries that are neither an IP address nor a network in CIDR notation.</summary>
    public static IEnumerable<string> Invalid(IEnumerable<string> proxies) =>
        proxies.Where(p => !(p.Contains('/', StringComparison.Ordinal) ? System.Net.IPNetwork.TryParse(p, out _) : IPAddress.TryParse(p, out _)));
}
