using WritePipeline.Collections;
using WritePipeline.Writes.Detection;

namespace WritePipeline.UnitTests.Writes;

/// <summary>Which changes of a record a batch may apply without asking the database to settle a declared constraint.</summary>
public class NothingToEnforceTests
{
    static readonly CollectionCatalog Catalog = new(CollectionCatalog.Defaults);

    [Theory]
    [InlineData(null, """{"name":"Ada"}""", true)]
    [InlineData("""{"name":"Ada"}""", """{"name":"Ada L."}""", true)]
    [InlineData("""{"profile":{"email":"a@x"}}""", """{"profile":{"email":"b@x"}}""", true)] // not the declared /email
    [InlineData("""{"email":"a@x"}""", """{"email":"a@x","name":"Ada"}""", true)]            // the same value kept
    [InlineData(null, """{"email":"a@x"}""", false)]                                          // claimed
    [InlineData("""{"email":"a@x"}""", """{"name":"Ada"}""", false)]                          // released
    [InlineData(null, """{"\u0065mail":"a@x"}""", false)]                                     // an escaped name is still the name
    [InlineData("""{"email":"a@x"}""", null, false)]                                          // a delete counts references
    public void A_customer_change_touches_the_database_only_when_its_unique_values_change(string? before, string? after, bool nothing) =>
        Assert.Equal(nothing, ConstraintEnforcer.HasNothingToEnforce(Catalog, "customers", before, after));

    [Theory]
    [InlineData(null, """{"total":3}""", true)]
    [InlineData(null, """{"customerId":"c1"}""", false)]
    [InlineData("""{"customerId":"c1"}""", """{"customerId":"c1","total":4}""", true)]
    [InlineData("""{"customerId":"c1"}""", """{"customerId":"c2"}""", false)]
    public void An_order_change_touches_the_database_only_when_its_references_change(string? before, string? after, bool nothing) =>
        Assert.Equal(nothing, ConstraintEnforcer.HasNothingToEnforce(Catalog, "orders", before, after));

    [Fact]
    public void A_collection_that_declares_nothing_never_does() =>
        Assert.True(ConstraintEnforcer.HasNothingToEnforce(Catalog, "notes", null, """{"email":"a@x"}"""));
}
