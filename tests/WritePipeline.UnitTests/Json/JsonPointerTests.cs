using System.Text.Json.Nodes;
using WritePipeline.Json;

namespace WritePipeline.UnitTests.Json;

/// <summary>The JSON pointers of declared fields and of document differences, at the edges of RFC 6901.</summary>
public class JsonPointerTests
{
    static readonly JsonNode Document = JsonNode.Parse("""
        {"a/b": 1, "m~n": 2, "~1": 3, "": 4, "0": 5, "list": [10, 11], "deep": {"x": {"y": 6}}, "nothing": null}
        """)!;

    [Theory]
    [InlineData("/a~1b", "1")]
    [InlineData("/m~0n", "2")]
    [InlineData("/~01", "3")]
    [InlineData("/", "4")]
    [InlineData("/0", "5")]
    [InlineData("/list/1", "11")]
    [InlineData("/deep/x/y", "6")]
    public void Resolves_escaped_empty_and_numeric_names_and_array_indexes(string path, string expected)
    {
        Assert.Equal(expected, JsonPointer.Resolve(Document, path)!.ToJsonString());
    }

    [Fact]
    public void The_empty_pointer_is_the_whole_document()
    {
        Assert.Same(Document, JsonPointer.Resolve(Document, ""));
    }

    [Theory]
    [InlineData("/missing")]
    [InlineData("/list/2")]
    [InlineData("/list/-")]
    [InlineData("/list/-/x")]
    [InlineData("/list/01")] // RFC 6901: an array index has no leading zero.
    [InlineData("/a~2b")] // ~ escapes only 0 and 1.
    [InlineData("/list/x")]
    [InlineData("/deep/x/y/z")]
    [InlineData("/nothing")]
    [InlineData("/a/b")]
    public void Finds_nothing_where_there_is_no_value(string path)
    {
        Assert.Null(JsonPointer.Resolve(Document, path));
    }

    [Fact]
    public void A_missing_document_has_nothing_anywhere()
    {
        Assert.Null(JsonPointer.Resolve(null, "/a"));
    }

    [Theory]
    [InlineData("", "a", "/a")]
    [InlineData("/x", "a/b", "/x/a~1b")]
    [InlineData("/x", "m~n", "/x/m~0n")]
    [InlineData("/x", "~1", "/x/~01")]
    [InlineData("/x", "", "/x/")]
    public void Append_escapes_tilde_before_slash(string path, string token, string expected)
    {
        Assert.Equal(expected, JsonPointer.Append(path, token));
    }

    [Fact]
    public void An_appended_name_resolves_back_to_its_value()
    {
        foreach (var name in new[] { "a/b", "m~n", "~1", "", "0" })
        {
            Assert.Equal(Document[name]!.ToJsonString(), JsonPointer.Resolve(Document, JsonPointer.Append("", name))!.ToJsonString());
        }
    }
}
