using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace WritePipeline.Clients;

public sealed class ClientsOptions
{
    /// <summary>
    /// API key of the bootstrap client created in the Development environment only, so the quick start needs
    /// no setup. Ignored in every other environment.
    /// </summary>
    public string? DevelopmentApiKey { get; set; }

    /// <summary>How fast each client may send requests, counted per API process.</summary>
    [ValidateObjectMembers]
    public ClientRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// How often, at most, an API process reads every client's key hash again because it was sent a key it does not
    /// know (a key made by another process, or a guess): a key new to the process waits at most this long at its first
    /// use, and a flood of unknown keys costs one query per interval, not one per key.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (KeyRefreshInterval <= TimeSpan.Zero || KeyRefreshInterval > TimeSpan.FromMinutes(1))
        {
            yield return "WritePipeline:Clients:KeyRefreshInterval must be positive and at most a minute: a new client's key waits that long at its first use.";
        }
    }
}

/// <summary>A token bucket per client: <see cref="PerSecond"/> requests a second on average, bursts up to <see cref="Burst"/>.</summary>
public sealed class ClientRateLimitOptions
{
    /// <summary>Requests a second a client may make on average, per API process; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int PerSecond { get; set; } = 5_000;

    /// <summary>Requests a client may make at once after being quiet (the bucket's size).</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 10_000;
}
