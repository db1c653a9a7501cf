using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using WritePipeline.Collections;
using WritePipeline.Hosting;

namespace WritePipeline.UnitTests.Collections;

/// <summary>A collection's JSON Schema: how it is given, what stops start-up, what a violation reports.</summary>
public sealed class CollectionSchemaTests
{
    const string Schema = """
        {
          "type": "object",
          "required": ["sku"],
          "properties": {
            "sku": { "type": "string" },
            "dims": { "type": "object", "properties": { "w": { "type": "number", "exclusiveMinimum": 0 } } },
            "lines": { "type": "array", "items": { "type": "object", "required": ["qty"] } },
            "code": { "anyOf": [{ "type": "string" }, { "type": "integer" }] }
          }
        }
        """;

    static CollectionSchema Load(string setting, string? baseDirectory = null)
    {
        var (schema, problem) = CollectionSchema.Load("products", setting, baseDirectory ?? Directory.GetCurrentDirectory());
        Assert.Null(problem);
        return schema!;
    }

    [Fact]
    public void Every_failing_instance_path_is_listed_with_its_message()
    {
        var violations = Load(Schema).Validate(JsonNode.Parse("""{"dims":{"w":0},"lines":[{"qty":1},{}],"code":"A1"}""")!);

        Assert.Equal(["", "/dims/w", "/lines/1"], violations.Select(v => v.Path));
        Assert.All(violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Message)));
        Assert.Contains("sku", violations[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_branch_that_failed_beside_one_that_passed_is_not_reported()
    {
        // "code" is a string: the integer alternative fails, but the anyOf holds, so nothing about "code" is wrong.
        var violations = Load(Schema).Validate(JsonNode.Parse("""{"code":"A1","dims":{"w":"wide"}}""")!);

        Assert.Equal(["", "/dims/w"], violations.Select(v => v.Path));
    }

    [Fact]
    public void A_document_that_satisfies_the_schema_has_no_violations() =>
        Assert.Empty(Load(Schema).Validate(JsonNode.Parse("""{"sku":"p-1","lines":[{"qty":2}],"code":7}""")!));

    [Fact]
    public void A_schema_may_refer_to_its_own_parts_and_to_itself()
    {
        var tree = Load("""{"$defs":{"name":{"type":"string"}},"properties":{"name":{"$ref":"#/$defs/name"},"kids":{"items":{"$ref":"#"}}}}""");

        Assert.Equal(["/kids/0/kids/1/name"], tree.Validate(JsonNode.Parse("""{"kids":[{"kids":[{},{"name":1}]}]}""")!).Select(v => v.Path));
    }

    [Fact]
    public void A_schema_may_be_given_as_a_file_relative_to_the_content_root()
    {
        var directory = Directory.CreateTempSubdirectory("schema-");
        File.WriteAllText(Path.Combine(directory.FullName, "products.json"), Schema);

        var schema = Load("products.json", directory.FullName);

        Assert.Equal(["/sku"], schema.Validate(JsonNode.Parse("""{"sku":5}""")!).Select(v => v.Path));
    }

    [Theory]
    [InlineData("""{"type": 5}""", "is not a valid JSON Schema")]
    [InlineData("""{"type": "object",""", "is not a valid JSON Schema")]
    [InlineData("""{"properties": {"a": {"minimum": "x"}}}""", "is not a valid JSON Schema")]
    [InlineData("schemas/no-such-file.json", "cannot be read")]
    [InlineData("""{"properties": {"a": {"$ref": "#/$defs/missing"}}}""", "the reference '#/$defs/missing' cannot be resolved")]
    [InlineData("""{"$ref": "https://example.com/customer.json"}""", "cannot be resolved")]
    public void A_schema_that_cannot_be_used_stops_start_up_naming_its_collection(string setting, string why)
    {
        var options = new WritePipelineOptions();
        options.Collections["products"] = new CollectionOptions { Schema = setting };

        var result = new WritePipelineOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("WritePipeline:Collections:products:Schema", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(why, result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new CollectionCatalog(options.Collections));
    }

    [Fact]
    public void A_schema_written_as_an_object_in_the_configuration_stops_start_up()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WritePipeline:Collections:products:Schema:type"] = "object",
            ["WritePipeline:Collections:products:Schema:required:0"] = "sku",
        }).Build();

        var result = new WritePipelineOptionsValidator(configuration: configuration).Validate(null, new WritePipelineOptions());

        Assert.True(result.Failed);
        Assert.Contains("WritePipeline:Collections:products:Schema is a JSON object inside the configuration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_collection_without_a_schema_has_none() =>
        Assert.Null(new CollectionCatalog(CollectionCatalog.Defaults).SchemaOf("customers"));
}
