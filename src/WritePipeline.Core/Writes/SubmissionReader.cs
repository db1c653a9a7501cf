using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Problems;
using WritePipeline.Records;

namespace WritePipeline.Writes;

/// <summary>Reads a submission from an HTTP request, or says which problem it has. Checks run cheapest first.</summary>
public sealed class SubmissionReader(CollectionCatalog collections, IOptions<WritePipelineOptions> options)
{
    public const string JsonMediaType = "application/json";
    public const string MergePatchMediaType = "application/merge-patch+json";

    public async Task<(WriteRequest? Request, ProblemHttpResult? Problem)> ReadAsync(HttpRequest http, string collection, string key, string operation)
    {
        if (!RecordNames.IsValidCollection(collection))
        {
            return Fail(ProblemCatalog.InvalidName($"'{collection}' is not a valid collection name: lower-case letters, digits, '_' and '-', starting with a letter, at most {RecordNames.MaxCollectionLength} characters."));
        }

        if (!RecordNames.IsValidKey(key))
        {
            return Fail(ProblemCatalog.InvalidName($"'{key}' is not a valid record key: letters, digits and . _ ~ : @ -, starting with a letter or digit, at most {RecordNames.MaxKeyLength} characters."));
        }

        if (!collections.TryGet(collection, out _))
        {
            return Fail(ProblemCatalog.UnknownCollection(collection));
        }

        var (ifMatch, ifNoneMatchAny, preconditionProblem) = ReadPreconditions(http.Headers);
        if (preconditionProblem is not null)
        {
            return Fail(preconditionProblem);
        }

        var (idempotencyKey, keyProblem) = ReadIdempotencyKey(http.Headers);
        if (keyProblem is not null)
        {
            return Fail(keyProblem);
        }

        string? body = null;
        if (operation != WriteOperations.Delete)
        {
            var expected = operation == WriteOperations.Patch ? MergePatchMediaType : JsonMediaType;
            var (read, bodyProblem) = await ReadBodyAsync(http, expected);
            if (bodyProblem is not null)
            {
                return Fail(bodyProblem);
            }

            body = read;
        }

        return (new WriteRequest
        {
            Collection = collection,
            Key = key,
            Operation = operation,
            Body = body,
            IfMatchVersion = ifMatch,
            IfNoneMatchAny = ifNoneMatchAny,
            IdempotencyKey = idempotencyKey,
        }, null);
    }

    static (WriteRequest?, ProblemHttpResult?) Fail(ProblemHttpResult problem) => (null, problem);

    static (long? IfMatch, bool IfNoneMatchAny, ProblemHttpResult? Problem) ReadPreconditions(IHeaderDictionary headers)
    {
        long? ifMatch = null;
        var ifMatchValue = headers.IfMatch.ToString();
        if (ifMatchValue.Length > 0)
        {
            if (!ETags.TryParse(ifMatchValue, out var version))
            {
                return (null, false, ProblemCatalog.InvalidHeader($"If-Match must be one strong ETag as returned by GET, e.g. \"3\"; got {ifMatchValue}."));
            }

            ifMatch = version;
        }

        var ifNoneMatchValue = headers.IfNoneMatch.ToString();
        if (ifNoneMatchValue.Length > 0 && ifNoneMatchValue.Trim() != "*")
        {
            return (null, false, ProblemCatalog.InvalidHeader("If-None-Match supports only '*' (create only if the record does not exist)."));
        }

        return (ifMatch, ifNoneMatchValue.Length > 0, null);
    }

    static (string? Key, ProblemHttpResult? Problem) ReadIdempotencyKey(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue("Idempotency-Key", out var values))
        {
            return (null, null);
        }

        // The draft makes the value a structured-field string ("..."); a bare token is accepted as well.
        var key = values.ToString().Trim();
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
        {
            key = key[1..^1];
        }

        if (key.Length is 0 or > WriteRequest.MaxIdempotencyKeyLength || key.Any(c => c < 0x20 || c > 0x7e))
        {
            return (null, ProblemCatalog.InvalidHeader($"Idempotency-Key must be 1 to {WriteRequest.MaxIdempotencyKeyLength} printable ASCII characters."));
        }

        return (key, null);
    }

    async Task<(string? Body, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest http, string expectedMediaType)
    {
        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType.Value, expectedMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, ProblemCatalog.UnsupportedMediaType(expectedMediaType));
        }

        var limit = options.Value.Api.MaxBodyBytes;
        if (http.ContentLength > limit)
        {
            return (null, ProblemCatalog.PayloadTooLarge(limit));
        }

        using var buffer = new MemoryStream();
        // Pooled: a fresh 16 kB chunk per request was the largest allocation of a submission.
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await http.Body.ReadAsync(chunk, http.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, ProblemCatalog.PayloadTooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).Span);
        }
        catch (JsonException ex)
        {
            return (null, ProblemCatalog.MalformedJson(ex.Message));
        }

        if (node is not JsonObject)
        {
            return (null, ProblemCatalog.InvalidDocument(expectedMediaType == MergePatchMediaType
                ? "A merge patch must be a JSON object (a record's document is always an object)."
                : "A document must be a JSON object."));
        }

        return (node.ToJsonString(), null);
    }
}
