using System.Text.Json.Nodes;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Writes;
using Record = WritePipeline.Records.Record;

namespace WritePipeline.UnitTests.Writes;

public class WriteRulesTests
{
    static ApplyWrite Write(string operation, string? body = null, long? ifMatch = null, bool ifNoneMatch = false) => new()
    {
        WriteId = Guid.NewGuid(),
        ClientId = Guid.NewGuid(),
        Collection = "customers",
        Key = "c1",
        Operation = operation,
        Body = body,
        IfMatchVersion = ifMatch,
        IfNoneMatchAny = ifNoneMatch,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    static Record Existing(long version, string? document = """{"name":"Ada","tags":["a"]}""") =>
        new() { Collection = "customers", Key = "c1", Version = version, Document = document };

    [Fact]
    public void A_replace_of_a_missing_record_creates_it()
    {
        var decision = WriteRules.Decide(Write(WriteOperations.Replace, """{"name":"Ada"}"""), null);

        Assert.Equal(new WriteDecision.Apply("""{"name":"Ada"}"""), decision);
    }

    [Fact]
    public void A_patch_merges_into_the_current_document()
    {
        var decision = WriteRules.Decide(Write(WriteOperations.Patch, """{"name":"Ada L.","tags":null}"""), Existing(3));

        var apply = Assert.IsType<WriteDecision.Apply>(decision);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"Ada L."}"""), JsonNode.Parse(apply.Document!)));
    }

    [Fact]
    public void A_delete_of_an_existing_record_empties_it()
    {
        Assert.Equal(new WriteDecision.Apply(null), WriteRules.Decide(Write(WriteOperations.Delete), Existing(2)));
    }

    [Theory]
    [InlineData(WriteOperations.Patch)]
    [InlineData(WriteOperations.Delete)]
    public void Patching_or_deleting_a_missing_record_conflicts_as_not_found(string operation)
    {
        var body = operation == WriteOperations.Patch ? "{}" : null;

        Assert.Equal(WriteErrors.NotFound, ConflictType(WriteRules.Decide(Write(operation, body), null)));
        Assert.Equal(WriteErrors.NotFound, ConflictType(WriteRules.Decide(Write(operation, body), Existing(4, document: null))));
    }

    [Fact]
    public void If_match_on_another_version_conflicts_as_version_mismatch()
    {
        Assert.Equal(WriteErrors.VersionMismatch, ConflictType(WriteRules.Decide(Write(WriteOperations.Replace, "{}", ifMatch: 2), Existing(3))));
        Assert.Equal(WriteErrors.VersionMismatch, ConflictType(WriteRules.Decide(Write(WriteOperations.Replace, "{}", ifMatch: 2), null)));
        Assert.IsType<WriteDecision.Apply>(WriteRules.Decide(Write(WriteOperations.Replace, "{}", ifMatch: 3), Existing(3)));
    }

    [Fact]
    public void If_none_match_any_on_an_existing_record_conflicts_as_already_exists()
    {
        Assert.Equal(WriteErrors.AlreadyExists, ConflictType(WriteRules.Decide(Write(WriteOperations.Replace, "{}", ifNoneMatch: true), Existing(1))));
        Assert.IsType<WriteDecision.Apply>(WriteRules.Decide(Write(WriteOperations.Replace, "{}", ifNoneMatch: true), Existing(5, document: null)));
    }

    [Fact]
    public void An_unknown_operation_fails()
    {
        var failure = Assert.IsType<WriteDecision.Failure>(WriteRules.Decide(Write("upsert", "{}"), null));
        Assert.Equal(WriteErrors.UnknownOperation, failure.Type);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData(null)]
    public void A_body_that_is_not_a_json_object_fails(string? body)
    {
        var failure = Assert.IsType<WriteDecision.Failure>(WriteRules.Decide(Write(WriteOperations.Replace, body), null));
        Assert.Equal(WriteErrors.InvalidBody, failure.Type);
    }

    static readonly CollectionSchema Schema = CollectionSchema.Load(
        "customers", """{"type":"object","required":["name"],"properties":{"age":{"type":"integer","minimum":0}}}""", ".").Schema!;

    [Fact]
    public void A_merge_patch_is_held_to_the_schema_once_merged()
    {
        var broken = WriteRules.Decide(Write(WriteOperations.Patch, """{"name":null,"age":-1}"""), Existing(3), Schema);
        var kept = WriteRules.Decide(Write(WriteOperations.Patch, """{"age":36}"""), Existing(3), Schema);

        var failure = Assert.IsType<WriteDecision.Failure>(broken);
        Assert.Equal(WriteErrors.SchemaViolation, failure.Type);
        Assert.StartsWith("The document does not satisfy the collection's schema: \"\": ", failure.Detail, StringComparison.Ordinal);
        Assert.Contains("; \"/age\": ", failure.Detail, StringComparison.Ordinal);
        Assert.Equal("""{"name":"Ada","tags":["a"],"age":36}""", Assert.IsType<WriteDecision.Apply>(kept).Document);
    }

    [Fact]
    public void A_replace_is_held_to_the_schema_on_the_worker_too()
    {
        var failure = Assert.IsType<WriteDecision.Failure>(WriteRules.Decide(Write(WriteOperations.Replace, """{"age":1}"""), null, Schema));

        Assert.Equal(WriteErrors.SchemaViolation, failure.Type);
    }

    static string ConflictType(WriteDecision decision) => Assert.IsType<WriteDecision.Conflict>(decision).Type;
}
