namespace WritePipeline.Clients;

/// <summary>How fast one client may send: <paramref name="PerSecond"/> requests a second on average (0: no limit), up to <paramref name="Burst"/> at once.</summary>
public readonly record struct ClientRate(int PerSecond, int Burst)
{
    public const int MaxPerSecond = 1_000_000;
    public const int MaxBurst = 10_000_000;

    /// <summary>The bucket a rate gets when only the rate is given: two seconds' worth.</summary>
    public static int DefaultBurstFor(int perSecond) => (int)Math.Clamp(2L * perSecond, 1, MaxBurst);

    /// <summary>Why a rate cannot be used, or null.</summary>
    public static string? Refusal(int? perSecond, int? burst) =>
        perSecond is null or < 0 or > MaxPerSecond ? $"'perSecond' is a whole number from 0 (no limit) to {MaxPerSecond}."
        : burst is < 1 or > MaxBurst ? $"'burst' is a whole number from 1 to {MaxBurst}."
        : null;

    /// <summary>The client's own rate where it has one, otherwise the configured one.</summary>
    public static ClientRate Of(Client client, ClientRateLimitOptions defaults) =>
        client.RatePerSecond is { } perSecond
            ? new ClientRate(perSecond, client.RateBurst ?? DefaultBurstFor(perSecond))
            : new ClientRate(defaults.PerSecond, defaults.Burst);
}
