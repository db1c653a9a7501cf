namespace WritePipeline.IntegrationTests.Support;

/// <summary>Fresh record keys, so that tests sharing an app never meet each other's records.</summary>
public static class TestKeys
{
    public static string New(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A fresh key of <paramref name="collection"/> whose partition satisfies <paramref name="wanted"/>.</summary>
    public static string Where(PartitionMap map, string collection, string prefix, Func<int, bool> wanted)
    {
        while (true)
        {
            var key = New(prefix);
            if (wanted(map.PartitionOf(collection, key)))
            {
                return key;
            }
        }
    }
}
