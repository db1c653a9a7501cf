using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.UnitTests.Writes;

public class WriteRequestTests
{
    static readonly WriteRequest Original = new()
    {
        Collection = "customers",
        Key = "c1",
        Operation = WriteOperations.Replace,
        Body = """{"name":"Ada"}""",
        IdempotencyKey = "k1",
    };

    [Fact]
    public void The_same_request_has_the_same_fingerprint() =>
        Assert.Equal(Original.Fingerprint(), (Original with { }).Fingerprint());

    [Fact]
    public void Any_difference_changes_the_fingerprint()
    {
        var variants = new[]
        {
            Original with { Body = """{"name":"Eve"}""" },
            Original with { Key = "c2" },
            Original with { Collection = "orders" },
            Original with { Operation = WriteOperations.Patch },
            Original with { IfMatchVersion = 1 },
            Original with { IfNoneMatchAny = true },
        };

        Assert.All(variants, variant => Assert.NotEqual(Original.Fingerprint(), variant.Fingerprint()));
    }
}
