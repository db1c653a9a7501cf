using WritePipeline.Clients;

namespace WritePipeline.UnitTests.Clients;

public sealed class CollectionGrantsTests
{
    [Theory]
    [InlineData("customers:r", "customers", CollectionAccess.Read, true)]
    [InlineData("customers:r", "customers", CollectionAccess.Write, false)]
    [InlineData("customers:r", "orders", CollectionAccess.Read, false)]
    [InlineData("customers:rw", "customers", CollectionAccess.Write, true)]
    [InlineData("*:r,orders:w", "orders", CollectionAccess.Read | CollectionAccess.Write, true)]
    [InlineData("*:r,orders:w", "customers", CollectionAccess.Write, false)]
    [InlineData("*:rw", "anything", CollectionAccess.Write, true)]
    [InlineData("", "customers", CollectionAccess.Read, false)]
    public void A_client_holds_what_its_grants_give_together(string stored, string collection, CollectionAccess access, bool allowed) =>
        Assert.Equal(allowed, CollectionGrants.FromStored(stored).Allows(collection, access));

    [Theory]
    [InlineData("customers")]
    [InlineData("customers:x")]
    [InlineData("Customers:r")]
    [InlineData(":r")]
    [InlineData("customers:")]
    [InlineData(null)]
    public void A_grant_that_is_not_collection_colon_access_is_refused(string? grant)
    {
        var (grants, refusal) = CollectionGrants.Parse([grant]);

        Assert.Null(grants);
        Assert.Contains("is not a grant", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Grants_are_listed_merged_and_in_order_and_stored_as_listed()
    {
        var (grants, _) = CollectionGrants.Parse(["orders:r", "customers:w", "orders:w", "*:r"]);

        Assert.Equal(["*:r", "customers:w", "orders:rw"], grants!.List());
        Assert.Equal("*:r,customers:w,orders:rw", grants.ToString());
        Assert.Equal(grants.List(), CollectionGrants.FromStored(grants.ToString()).List());
    }
}
