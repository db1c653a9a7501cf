using System.Text.Json.Nodes;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.UnitTests.Writes;

public sealed class ConflictSnapshotTests
{
    static readonly CollectionOptions Customers = new() { UniqueFields = ["/email", "/ids/tax"], References = new() { ["/accountId"] = "accounts" } };

    static JsonNode? Doc(string? json) => json is null ? null : JsonNode.Parse(json);

    [Fact]
    public void Unique_values_are_compact_json_and_absent_or_null_fields_hold_nothing()
    {
        var values = DocumentConstraints.UniqueValuesOf(Customers, Doc("""{"email": "a@b.c", "ids": {"tax": 42}}"""));

        Assert.Equal([new UniqueFieldValue("/email", "\"a@b.c\""), new UniqueFieldValue("/ids/tax", "42")], values);
        Assert.Empty(DocumentConstraints.UniqueValuesOf(Customers, Doc("""{"email": null}""")));
        Assert.Empty(DocumentConstraints.UniqueValuesOf(Customers, Doc(null)));
    }

    [Fact]
    public void Long_unique_values_are_stored_as_a_hash_that_fits_the_index()
    {
        var value = Assert.Single(DocumentConstraints.UniqueValuesOf(Customers, Doc(new JsonObject { ["email"] = new string('x', 1000) }.ToJsonString()))).Value;

        Assert.StartsWith("sha256:", value, StringComparison.Ordinal);
        Assert.True(value.Length <= DocumentConstraints.MaxStoredValueLength);
    }

    [Fact]
    public void References_name_their_target_or_mark_a_value_that_cannot_be_a_key()
    {
        Assert.Equal(new DocumentReference("/accountId", "accounts", "a-1", "\"a-1\""), Assert.Single(DocumentConstraints.ReferencesOf(Customers, Doc("""{"accountId": "a-1"}"""))));
        Assert.Equal("7", Assert.Single(DocumentConstraints.ReferencesOf(Customers, Doc("""{"accountId": 7}"""))).Key);
        Assert.Null(Assert.Single(DocumentConstraints.ReferencesOf(Customers, Doc("""{"accountId": {"x": 1}}"""))).Key);
        Assert.Null(Assert.Single(DocumentConstraints.ReferencesOf(Customers, Doc("""{"accountId": "has space"}"""))).Key);
        Assert.Empty(DocumentConstraints.ReferencesOf(Customers, Doc("""{"accountId": null}""")));
    }

    [Theory]
    [InlineData("/a~1b", "x")]
    [InlineData("/m~0n", "y")]
    [InlineData("/list/1", "z")]
    public void Json_pointers_follow_rfc_6901(string path, string expected) =>
        Assert.Equal(expected, JsonPointer.Resolve(JsonNode.Parse("""{"a/b": "x", "m~n": "y", "list": ["w", "z"]}"""), path)!.GetValue<string>());

    [Fact]
    public void The_difference_lists_each_changed_leaf_with_both_values()
    {
        var changes = DocumentDiff.Between(
            JsonNode.Parse("""{"name": "Ada", "address": {"city": "London", "zip": "N1"}, "tags": [1]}"""),
            JsonNode.Parse("""{"name": "Ada", "address": {"city": "Paris"}, "tags": [1, 2], "new": true}"""));

        Assert.Equal(["/address/city", "/address/zip", "/new", "/tags"], changes.Select(c => c.Path));
        Assert.Equal("London", changes[0].Current!.GetValue<string>());
        Assert.Equal("Paris", changes[0].Attempted!.GetValue<string>());
        Assert.Null(changes[1].Attempted);
        Assert.Null(changes[2].Current);
    }

    [Fact]
    public void A_conflicted_patch_shows_the_patch_applied_to_the_current_document()
    {
        var write = new ApplyWrite
        {
            WriteId = Guid.NewGuid(),
            ClientId = Guid.NewGuid(),
            Collection = "customers",
            Key = "c1",
            Operation = WriteOperations.Patch,
            Body = """{"name": "Ada L."}""",
            IfMatchVersion = 1,
            SubmittedAt = DateTimeOffset.UnixEpoch,
        };
        var current = new WritePipeline.Records.Record { Collection = "customers", Key = "c1", Version = 2, Document = """{"name":"Ada","tier":"gold"}""" };

        var snapshot = ConflictSnapshots.Capture(write, current, new WriteDecision.Conflict(WriteErrors.VersionMismatch, "stale"), DateTimeOffset.UnixEpoch);

        Assert.Equal(2, snapshot.CurrentVersion);
        Assert.Equal(1, snapshot.BasedOnVersion);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"Ada L.","tier":"gold"}"""), JsonNode.Parse(snapshot.AttemptedDocument!)));
        Assert.Equal("/name", JsonNode.Parse(snapshot.Changes)!.AsArray().Single()!["path"]!.GetValue<string>());
    }
    [Fact]
    public void A_conflicted_replace_whose_body_is_not_json_is_recorded_without_an_attempted_document()
    {
        // A message not sent by the API can carry any body; with a failed precondition it conflicts before its body is read.
        var write = new ApplyWrite
        {
            WriteId = Guid.NewGuid(),
            ClientId = Guid.NewGuid(),
            Collection = "customers",
            Key = "c1",
            Operation = WriteOperations.Replace,
            Body = "not json",
            IfMatchVersion = 1,
            SubmittedAt = DateTimeOffset.UnixEpoch,
        };
        var current = new WritePipeline.Records.Record { Collection = "customers", Key = "c1", Version = 2, Document = """{"name":"Ada"}""" };

        var snapshot = ConflictSnapshots.Capture(write, current, new WriteDecision.Conflict(WriteErrors.VersionMismatch, "stale"), DateTimeOffset.UnixEpoch);

        Assert.Null(snapshot.AttemptedDocument);
        Assert.Equal("""{"name":"Ada"}""", snapshot.CurrentDocument);
    }
}
