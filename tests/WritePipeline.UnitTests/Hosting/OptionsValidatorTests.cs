using WritePipeline.Collections;
using WritePipeline.Hosting;

namespace WritePipeline.UnitTests.Hosting;

public class OptionsValidatorTests
{
    readonly WritePipelineOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid() => Assert.True(_validator.Validate(null, new WritePipelineOptions()).Succeeded);

    [Fact]
    public void Trusted_proxies_must_be_addresses_or_networks()
    {
        var options = new WritePipelineOptions();
        options.Api.TrustedProxies = ["10.0.0.5", "10.1.0.0/16", "::1", "proxy.internal", "10.0.0.0/99"];

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("'proxy.internal' is neither", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'10.0.0.0/99' is neither", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("'10.1.0.0/16'", result.FailureMessage, StringComparison.Ordinal);
    }

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
        options.Collections["things"] = new CollectionOptions
        {
            UniqueFields = ["email", "/a~2b"],
            References = new() { ["/owner~"] = "things" },
            ConflictPolicy = "ignore",
            OnConflict = "skip",
        };

        var result = _validator.Validate(null, options);

        Assert.Contains("'email' is not a JSON pointer", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'/a~2b' is not a JSON pointer", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'/owner~' is not a JSON pointer", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ConflictPolicy must be", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("OnConflict must be", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_reference_grace_is_refused_and_zero_is_allowed()
    {
        var options = new WritePipelineOptions();
        options.Collections["customers"] = new CollectionOptions { ReferenceGrace = TimeSpan.Zero };
        options.Collections["orders"] = new CollectionOptions { References = new() { ["/customerId"] = "customers" }, ReferenceGrace = TimeSpan.FromSeconds(-1) };

        var result = _validator.Validate(null, options);

        Assert.Contains("orders:ReferenceGrace must not be negative", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("customers:ReferenceGrace", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_in_memory_transport_needs_the_worker_in_the_same_process()
    {
        var options = new WritePipelineOptions { Transport = { Kind = TransportKind.InMemory }, Worker = { Enabled = false } };

        Assert.Contains("Worker:Enabled must be true with the InMemory transport", _validator.Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Broker_hosts_are_read_as_host_port_and_win_over_host_and_port()
    {
        var rabbit = new RabbitMqOptions { Host = "ignored", Port = 5673, Hosts = "rabbit1:5681, 10.0.0.2:5682,rabbit_3" };

        Assert.True(_validator.Validate(null, new WritePipelineOptions { Transport = { RabbitMq = rabbit } }).Succeeded);
        Assert.Equal(
            [new BrokerEndpoint("rabbit1", 5681), new BrokerEndpoint("10.0.0.2", 5682), new BrokerEndpoint("rabbit_3", 5673)],
            rabbit.Nodes());
        Assert.Equal([new BrokerEndpoint("ignored", 5673)], new RabbitMqOptions { Host = "ignored", Port = 5673 }.Nodes());
        // An empty setting (an environment variable set to nothing) means no cluster, not a bad entry.
        var unset = new RabbitMqOptions { Host = "single", Hosts = " " };
        Assert.True(_validator.Validate(null, new WritePipelineOptions { Transport = { RabbitMq = unset } }).Succeeded);
        Assert.Equal([new BrokerEndpoint("single", 5672)], unset.Nodes());
    }

    [Theory]
    [InlineData("rabbit1:5672,", "''")]
    [InlineData("rabbit1:port", "'rabbit1:port'")]
    [InlineData("rabbit1:70000", "'rabbit1:70000'")]
    [InlineData(":5672", "':5672'")]
    [InlineData("::1:5672", "'::1:5672'")]
    [InlineData("[::1]:5672", "'[::1]:5672'")]
    [InlineData("rabbit 1:5672", "'rabbit 1:5672'")]
    [InlineData("amqp://rabbit1:5672", "'amqp://rabbit1:5672'")]
    public void A_bad_broker_host_stops_the_start_naming_the_entry(string hosts, string named)
    {
        var options = new WritePipelineOptions { Transport = { RabbitMq = { Hosts = hosts } } };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"WritePipeline:Transport:RabbitMq:Hosts: {named} is not host:port", result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => options.Transport.RabbitMq.Nodes());
    }

    [Fact]
    public void A_broker_node_named_twice_is_refused() =>
        Assert.Contains(
            "Hosts names a node twice",
            _validator.Validate(null, new WritePipelineOptions { Transport = { RabbitMq = { Hosts = "rabbit1:5672,rabbit1" } } }).FailureMessage,
            StringComparison.Ordinal);

    [Fact]
    public void The_built_in_catalog_declares_customers_and_orders()
    {
        var catalog = new CollectionCatalog(new Dictionary<string, CollectionOptions>());

        Assert.True(catalog.TryGet("customers", out var customers));
        Assert.Equal(["/email"], customers.UniqueFields);
        Assert.True(catalog.TryGet("orders", out var orders));
        Assert.Equal("customers", orders.References["/customerId"]);
    }

    [Fact]
    public void A_client_cannot_be_given_more_delivery_slots_than_there_are()
    {
        var options = new WritePipelineOptions { Webhooks = { DeliverySlots = 4, SlotsPerClient = 8 } };

        Assert.Contains("SlotsPerClient no more than DeliverySlots", _validator.Validate(null, options).FailureMessage, StringComparison.Ordinal);
        Assert.True(_validator.Validate(null, new WritePipelineOptions { Webhooks = { DeliverySlots = 8, SlotsPerClient = 8 } }).Succeeded);
        Assert.True(_validator.Validate(null, new WritePipelineOptions { Webhooks = { MaxEndpointsPerClient = 0 } }).Failed);
    }
}
