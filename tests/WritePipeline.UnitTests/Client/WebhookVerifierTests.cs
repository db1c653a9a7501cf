using System.Text;
using Microsoft.Extensions.Time.Testing;
using WritePipeline.Client.Webhooks;
using WritePipeline.Webhooks;

namespace WritePipeline.UnitTests.Client;

/// <summary>
/// The client's verifier of webhook deliveries: the Standard Webhooks specification's published vector, and what the
/// pipeline's own signer sends, a secret rotation's two signatures included.
/// </summary>
public class WebhookVerifierTests
{
    // The specification's test vector.
    const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const string VectorTimestamp = "1614265330";
    const string VectorBody = """{"test": 2432232314}""";
    const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    static readonly FakeTimeProvider AtVector = new(DateTimeOffset.FromUnixTimeSeconds(1614265330));

    [Fact]
    public void The_specifications_vector_verifies()
    {
        new WebhookVerifier([VectorSecret], clock: AtVector).Verify(Encoding.UTF8.GetBytes(VectorBody), VectorId, VectorTimestamp, VectorSignature);
    }

    [Theory]
    [InlineData("""{"test": 2432232315}""", VectorId, VectorTimestamp, VectorSignature)]
    [InlineData(VectorBody, "msg_other", VectorTimestamp, VectorSignature)]
    [InlineData(VectorBody, VectorId, "1614265331", VectorSignature)]
    [InlineData(VectorBody, VectorId, VectorTimestamp, "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData(VectorBody, VectorId, VectorTimestamp, "v1,not base64")]
    [InlineData(VectorBody, VectorId, VectorTimestamp, "")]
    [InlineData(VectorBody, VectorId, "soon", VectorSignature)]
    public void A_changed_body_id_timestamp_or_signature_is_refused(string body, string id, string timestamp, string signature)
    {
        var verifier = new WebhookVerifier([VectorSecret], clock: AtVector);

        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Encoding.UTF8.GetBytes(body), id, timestamp, signature));
    }

    [Fact]
    public void A_delivery_older_or_newer_than_the_tolerance_is_refused()
    {
        var body = Encoding.UTF8.GetBytes(VectorBody);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1614265330) + TimeSpan.FromMinutes(5));
        new WebhookVerifier([VectorSecret], clock: clock).Verify(body, VectorId, VectorTimestamp, VectorSignature);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Throws<WebhookVerificationException>(() => new WebhookVerifier([VectorSecret], clock: clock).Verify(body, VectorId, VectorTimestamp, VectorSignature));
        var early = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1614265330) - TimeSpan.FromMinutes(6));
        Assert.Throws<WebhookVerificationException>(() => new WebhookVerifier([VectorSecret], clock: early).Verify(body, VectorId, VectorTimestamp, VectorSignature));
    }

    [Fact]
    public void During_a_rotation_a_receiver_holding_either_secret_verifies_and_one_holding_neither_does_not()
    {
        var (current, previous) = (WebhookSignatures.NewSecret(), WebhookSignatures.NewSecret());
        const string body = """{"type":"write.applied"}""";
        // Both signatures, the previous secret's second: the order the pipeline sends them in.
        var header = WebhookSignatures.Sign(current, "msg_1", 1614265330, body) + " " + WebhookSignatures.Sign(previous, "msg_1", 1614265330, body);
        var bytes = Encoding.UTF8.GetBytes(body);

        new WebhookVerifier([previous], clock: AtVector).Verify(bytes, "msg_1", VectorTimestamp, header);
        new WebhookVerifier([current], clock: AtVector).Verify(bytes, "msg_1", VectorTimestamp, header);
        Assert.Throws<WebhookVerificationException>(() => new WebhookVerifier([WebhookSignatures.NewSecret()], clock: AtVector).Verify(bytes, "msg_1", VectorTimestamp, header));
    }
}
