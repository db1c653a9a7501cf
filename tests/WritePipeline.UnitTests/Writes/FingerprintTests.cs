using System.Text.Json.Nodes;
using WritePipeline.Json;
using WritePipeline.Writes;

namespace WritePipeline.UnitTests.Writes;

/// <summary>
/// An Idempotency-Key's fingerprint does not depend on how the body's text escapes characters: a retry sent after
/// bodies began to be kept readably is the same request as the one whose fingerprint was stored before.
/// </summary>
public sealed class FingerprintTests
{
    [Theory]
    [InlineData("Zoë")]
    [InlineData("1+1 <b> & 'x' `y`")]
    [InlineData("say \"hi\" \\ back")]
    [InlineData("plain")]
    public void A_body_hashes_the_same_however_it_is_escaped(string text)
    {
        var document = new JsonObject { ["note"] = text };
        var readable = Request(document.ToReadableJson());
        var escaped = Request(document.ToJsonString());

        Assert.Equal(escaped.Fingerprint(), readable.Fingerprint());
        Assert.NotEqual(Request(new JsonObject { ["note"] = text + "!" }.ToReadableJson()).Fingerprint(), readable.Fingerprint());
    }

    static WriteRequest Request(string body) => new() { Collection = "customers", Key = "c1", Operation = "replace", Body = body, IdempotencyKey = "k" };
}
