using WritePipeline.Collections;
using WritePipeline.Hosting;

namespace WritePipeline.UnitTests;

public class OptionsValidatorTests
{
    readonly WritePipelineOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid() => Assert.True(_validator.Validate(null, new WritePipelineOptions()).Succeeded);

    [Fact]
    public void A_reference_to_an_undeclared_collection_is_refused()
    {
        var options = new WritePipelineOptions();
        options.Collections["orders"] = new CollectionOptions { References = new() { ["/customerId"] = "customers" } };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("'customers', which is not declared", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_policies_and_bad_pointers_are_refused()
    {
        var options = new WritePipelineOptions();
        options.Collections["things"] = new CollectionOptions { UniqueFields = ["email"], ConflictPolicy = "ignore", OnConflict = "skip" };

        var result = _validator.Validate(null, options);

        Assert.Contains("'email' is not a JSON pointer", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ConflictPolicy must be", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("OnConflict must be", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_in_memory_transport_needs_the_worker_in_the_same_process()
    {
        var options = new WritePipelineOptions { Transport = { Kind = TransportKind.InMemory }, Worker = { Enabled = false } };

        Assert.Contains("Worker:Enabled must be true with the InMemory transport", _validator.Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_in_catalog_declares_customers_and_orders()
    {
        var catalog = new CollectionCatalog(new Dictionary<string, CollectionOptions>());

        Assert.True(catalog.TryGet("customers", out var customers));
        Assert.Equal(["/email"], customers.UniqueFields);
        Assert.True(catalog.TryGet("orders", out var orders));
        Assert.Equal("customers", orders.References["/customerId"]);
    }
}
