using WritePipeline.Clients;
using WritePipeline.Collections;
using WritePipeline.Records;

namespace WritePipeline.UnitTests.Collections;

public class NamesAndTagsTests
{
    [Theory]
    [InlineData("customers", true)]
    [InlineData("order_lines-2", true)]
    [InlineData("Customers", false)]
    [InlineData("9lives", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    public void Validates_collection_names(string name, bool valid) => Assert.Equal(valid, RecordNames.IsValidCollection(name));

    [Theory]
    [InlineData("c1", true)]
    [InlineData("user@example.com", true)]
    [InlineData("2026-11-25:a.b~c_d", true)]
    [InlineData("-leading-dash", false)]
    [InlineData("has space", false)]
    [InlineData("slash/inside", false)]
    [InlineData("", false)]
    public void Validates_record_keys(string key, bool valid) => Assert.Equal(valid, RecordNames.IsValidKey(key));

    [Fact]
    public void Refuses_keys_longer_than_the_limit()
    {
        Assert.True(RecordNames.IsValidKey(new string('k', RecordNames.MaxKeyLength)));
        Assert.False(RecordNames.IsValidKey(new string('k', RecordNames.MaxKeyLength + 1)));
    }

    [Theory]
    [InlineData("\"7\"", true, 7)]
    [InlineData(" \"12\" ", true, 12)]
    [InlineData("W/\"7\"", false, 0)]
    [InlineData("7", false, 0)]
    [InlineData("\"0\"", false, 0)]
    [InlineData("\"-1\"", false, 0)]
    [InlineData("\"abc\"", false, 0)]
    public void Reads_strong_etags_only(string etag, bool valid, long version)
    {
        Assert.Equal(valid, ETags.TryParse(etag, out var parsed));
        Assert.Equal(version, parsed);
    }

    [Fact]
    public void Round_trips_an_etag() => Assert.True(ETags.TryParse(ETags.For(42), out var v) && v == 42);

    [Fact]
    public void Makes_distinct_api_keys_and_hashes_them_stably()
    {
        var first = ApiKeys.Generate();
        var second = ApiKeys.Generate();

        Assert.StartsWith("wp_", first);
        Assert.NotEqual(first, second);
        Assert.Equal(ApiKeys.Hash(first), ApiKeys.Hash(first));
        Assert.NotEqual(ApiKeys.Hash(first), ApiKeys.Hash(second));
        Assert.Equal(64, ApiKeys.Hash(first).Length);
    }
}
