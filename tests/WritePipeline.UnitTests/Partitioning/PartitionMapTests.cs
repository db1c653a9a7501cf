using WritePipeline.Partitioning;

namespace WritePipeline.UnitTests.Partitioning;

public class PartitionMapTests
{
    // Pinned values: if the hash ever changes, keys move between partitions on upgrade and writes queued
    // before it can be overtaken by writes queued after it. Changing these numbers is a migration, not a refactor.
    [Theory]
    [InlineData("customers", "c1", 8, 6)]
    [InlineData("customers", "c2", 8, 3)]
    [InlineData("orders", "o-17", 8, 0)]
    [InlineData("orders", "o-17", 16, 8)]
    public void Maps_a_key_to_the_same_partition_in_every_process(string collection, string key, int partitions, int expected)
    {
        Assert.Equal(expected, new PartitionMap(partitions).PartitionOf(collection, key));
    }

    [Fact]
    public void Does_not_confuse_collection_and_key_boundaries()
    {
        Assert.NotEqual(PartitionMap.Hash("ab", "c"), PartitionMap.Hash("a", "bc"));
    }

    [Fact]
    public void Spreads_keys_over_all_partitions()
    {
        var map = new PartitionMap(8);

        var counts = Enumerable.Range(0, 8000)
            .GroupBy(i => map.PartitionOf("customers", "key-" + i))
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(8, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 800, 1200));
    }

    [Fact]
    public void Refuses_zero_partitions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionMap(0));
    }
}
