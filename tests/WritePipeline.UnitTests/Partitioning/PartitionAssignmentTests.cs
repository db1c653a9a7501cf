using WritePipeline.Partitioning;

namespace WritePipeline.UnitTests.Partitioning;

public sealed class PartitionAssignmentTests
{
    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    [InlineData(8, 4)]
    [InlineData(8, 9)]
    [InlineData(64, 5)]
    public void Every_partition_goes_to_exactly_one_live_worker_and_shares_differ_by_at_most_one(int partitions, int workers)
    {
        var ids = Enumerable.Range(0, workers).Select(i => $"host-{1000 + i}-{i:x6}").ToList();
        var shares = ids.Select(id => PartitionAssignment.ShareOf(id, ids, partitions)).ToList();

        Assert.Equal(Enumerable.Range(0, partitions), shares.SelectMany(s => s).Order());
        Assert.True(shares.Max(s => s.Count) - shares.Min(s => s.Count) <= 1);
    }

    [Fact]
    public void Eight_partitions_over_three_workers_are_shared_3_3_2()
    {
        string[] ids = ["c", "a", "b"];
        Assert.Equal([2, 3, 3], ids.Select(id => PartitionAssignment.ShareOf(id, ids, 8).Count).Order());
    }

    [Fact]
    public void Every_worker_computes_the_same_shares_whatever_order_it_reads_the_workers_in()
    {
        string[] ids = ["w-2", "w-1", "w-3"];
        string[] reversed = [.. ids.Reverse()];
        foreach (var id in ids)
        {
            Assert.Equal(PartitionAssignment.ShareOf(id, ids, 8), PartitionAssignment.ShareOf(id, reversed, 8));
        }
    }

    [Fact]
    public void A_worker_the_others_do_not_see_yet_owns_nothing()
    {
        Assert.Empty(PartitionAssignment.ShareOf("new", ["a", "b"], 8));
    }
}
