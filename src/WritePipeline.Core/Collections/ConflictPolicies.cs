namespace WritePipeline.Collections;

/// <summary>How a conflict is handled: the submitter is asked by webhook (notify), or an operator decides (park).</summary>
public static class ConflictPolicies
{
    /// <summary>Notify when the submitter has an endpoint subscribed to <c>write.conflicted</c>, otherwise park.</summary>
    public const string Auto = "auto";

    public const string Notify = "notify";

    public const string Park = "park";

    public static bool IsKnown(string? policy) => policy is Auto or Notify or Park;

    /// <summary>
    /// The policy for one conflict: the client's over the collection's. A submitter can only be notified through a
    /// subscribed endpoint, so without one every policy parks: a conflict is never left waiting for nobody.
    /// </summary>
    public static string Choose(string collectionPolicy, string? clientPolicy, bool submitterSubscribed) =>
        (clientPolicy ?? collectionPolicy) switch
        {
            Park => Park,
            _ => submitterSubscribed ? Notify : Park,
        };
}
