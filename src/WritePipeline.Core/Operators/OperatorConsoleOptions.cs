using System.ComponentModel.DataAnnotations;

namespace WritePipeline.Operators;

public sealed class OperatorConsoleOptions
{
    /// <summary>
    /// Send the console's cookies (sign-in, anti-forgery) only over HTTPS, and refuse the console over plain HTTP. On by
    /// default; behind a proxy that ends TLS, list it in <see cref="ApiOptions.TrustedProxies"/> so requests are seen as
    /// HTTPS. Off in Development only, for the quick start on http://localhost.
    /// </summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>Sign-in attempts allowed per minute from one address (against password guessing); more get 429.</summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 10;
}
