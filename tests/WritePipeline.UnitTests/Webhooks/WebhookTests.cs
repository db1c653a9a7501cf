using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using WritePipeline.Webhooks;

namespace WritePipeline.UnitTests.Webhooks;

public sealed class WebhookTests
{
    [Fact]
    public void Signatures_verify_with_the_standard_webhooks_reference_implementation()
    {
        var secret = WebhookSignatures.NewSecret();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const string body = """{"type":"write.parked","data":{"writeId":"x"}}""";
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "msg_1",
            ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = WebhookSignatures.Sign(secret, "msg_1", timestamp, body),
        };

        new StandardWebhook(secret).Verify(body, headers);
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(secret).Verify(body + " ", headers));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(WebhookSignatures.NewSecret()).Verify(body, headers));
    }

    [Fact]
    public void During_a_rotation_both_secrets_sign_and_after_it_only_the_new_one()
    {
        var now = DateTimeOffset.UtcNow;
        var endpoint = new WebhookEndpoint { Url = "https://example.com", Events = "write.parked", Secret = WebhookSignatures.NewSecret(), PreviousSecret = WebhookSignatures.NewSecret(), PreviousSecretExpiresAt = now.AddHours(1) };

        Assert.Equal(2, WebhookSignatures.Header(endpoint, "msg_1", 1, "{}", now).Split(' ').Length);
        Assert.Single(WebhookSignatures.Header(endpoint, "msg_1", 1, "{}", now.AddHours(2)).Split(' '));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void Internal_addresses_are_recognised(string address) => Assert.True(AddressGuard.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_are_not_internal(string address) => Assert.False(AddressGuard.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://hooks.example.com/in", null)]
    [InlineData("ftp://example.com/x", "http or https")]
    [InlineData("https://user:pw@example.com/x", "credentials")]
    [InlineData("http://127.0.0.1:8080/x", "private")]
    [InlineData("http://localhost/x", "private")]
    [InlineData("not a url", "absolute")]
    public void Endpoint_urls_are_checked_before_they_are_stored(string url, string? refusal)
    {
        var found = new AddressGuard(allowPrivateAddresses: false).Refusal(url);
        if (refusal is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(refusal, found, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(429, 30, 30)]
    [InlineData(503, 7200, 3600)]
    [InlineData(500, 30, null)]
    public void Retry_after_is_honoured_on_429_and_503_and_capped(int status, int seconds, int? expected)
    {
        var attempt = new WebhookAttempt { StatusCode = status, AttemptedAt = DateTimeOffset.UtcNow, RetryAfterHeader = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds)) };

        var wait = attempt.RetryAfter(new WebhookOptions { MaxRetryAfter = TimeSpan.FromHours(1) });

        Assert.Equal(expected is null ? null : TimeSpan.FromSeconds(expected.Value), wait);
    }
}
