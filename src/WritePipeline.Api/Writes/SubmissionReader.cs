using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Problems;
using WritePipeline.Records;

namespace WritePipeline.Writes;

/// <summary>
/// A submission as read from its request: the write to submit, and how many seconds its submitter would rather wait
/// for the outcome than take the receipt (<c>Prefer: wait=N</c>, cut to <see cref="ApiOptions.MaxPreferWaitSeconds"/>;
/// null when none was asked for, <see cref="SubmissionWait"/>).
/// </summary>
public sealed record Submission(WriteRequest Request, int? WaitSeconds);

/// <summary>Reads a submission from an HTTP request, or says which problem it has. Checks run cheapest first.</summary>
public sealed class SubmissionReader(CollectionCatalog collections, IOptions<ApiOptions> options)
{
    public const string JsonMediaType = "application/json";
    public const string MergePatchMediaType = "application/merge-patch+json";

    public (Submission? Submission, ProblemHttpResult? Problem) Read(HttpRequest http, string collection, string key, string operation)
    {
        if (!RecordNames.IsValidCollection(collection))
        {
            return Fail(ProblemCatalog.InvalidName($"'{collection}' is not a valid collection name: lower-case letters, digits, '_' and '-', starting with a letter, at most {RecordNames.MaxCollectionLength} characters.").ToResult());
        }

        if (!RecordNames.IsValidKey(key))
        {
            return Fail(ProblemCatalog.InvalidName($"'{key}' is not a valid record key: letters, digits and . _ ~ : @ -, starting with a letter or digit, at most {RecordNames.MaxKeyLength} characters.").ToResult());
        }

        if (!collections.TryGet(collection, out _))
        {
            return Fail(CollectionProblems.UnknownCollection(collection).ToResult());
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

        if (idempotencyKey is null && options.Value.RequireIdempotencyKey)
        {
            return Fail(WriteProblems.IdempotencyKeyRequired().ToResult());
        }

        string? body = null;
        if (operation != WriteOperations.Delete)
        {
            var expected = operation == WriteOperations.Patch ? MergePatchMediaType : JsonMediaType;
            var (read, bodyProblem) = ReadBody(http, expected);
            if (bodyProblem is not null)
            {
                return Fail(bodyProblem);
            }

            // A patch can only be held to the schema once it is merged into the record, on the worker (WriteRules).
            if (operation == WriteOperations.Replace && collections.SchemaOf(collection)?.Validate(read!) is { Count: > 0 } violations)
            {
                return Fail(CollectionProblems.SchemaViolation(violations).ToResult());
            }

            body = read!.ToReadableJson();
        }

        var request = new WriteRequest
        {
            Collection = collection,
            Key = key,
            Operation = operation,
            Body = body,
            IfMatchVersion = ifMatch,
            IfNoneMatchAny = ifNoneMatchAny,
            IdempotencyKey = idempotencyKey,
        };
        return (new Submission(request, ReadWait(http.Headers, options.Value.MaxPreferWaitSeconds)), null);
    }

    static (Submission?, ProblemHttpResult?) Fail(ProblemHttpResult problem) => (null, problem);

    /// <summary>The wait asked for by <c>Prefer: wait=N</c> (RFC 7240), in seconds, cut to <paramref name="maxSeconds"/>; null when none was asked for.</summary>
    static int? ReadWait(IHeaderDictionary headers, int maxSeconds)
    {
        foreach (var preference in headers["Prefer"].SelectMany(v => (v ?? string.Empty).Split(',')))
        {
            var parts = preference.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Equals("wait", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return Math.Min(seconds, maxSeconds);
            }
        }

        return null;
    }

    static (long? IfMatch, bool IfNoneMatchAny, ProblemHttpResult? Problem) ReadPreconditions(IHeaderDictionary headers)
    {
        long? ifMatch = null;
        var ifMatchValue = headers.IfMatch.ToString();
        if (ifMatchValue.Length > 0)
        {
            if (!ETags.TryParse(ifMatchValue, out var version))
            {
                return (null, false, ProblemCatalog.InvalidHeader($"If-Match must be one strong ETag as returned by GET, e.g. \"3\"; got {ifMatchValue}.").ToResult());
            }

            ifMatch = version;
        }

        var ifNoneMatchValue = headers.IfNoneMatch.ToString();
        if (ifNoneMatchValue.Length > 0 && ifNoneMatchValue.Trim() != "*")
        {
            return (null, false, ProblemCatalog.InvalidHeader("If-None-Match supports only '*' (create only if the record does not exist).").ToResult());
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
            return (null, ProblemCatalog.InvalidHeader($"Idempotency-Key must be 1 to {WriteRequest.MaxIdempotencyKeyLength} printable ASCII characters.").ToResult());
        }

        return (key, null);
    }

    /// <summary>The body, held to the JSON input rules by <see cref="JsonBodies"/> before the endpoint ran.</summary>
    static (JsonObject? Body, ProblemHttpResult? Problem) ReadBody(HttpRequest http, string expectedMediaType)
    {
        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType.Value, expectedMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, ProblemCatalog.UnsupportedMediaType(expectedMediaType).ToResult());
        }

        if (!JsonBodies.TryGet(http.HttpContext, out var node))
        {
            return (null, ProblemCatalog.MalformedJson("The body is empty; send a JSON object.").ToResult());
        }

        if (node is not JsonObject document)
        {
            return (null, ProblemCatalog.InvalidDocument(expectedMediaType == MergePatchMediaType
                ? "A merge patch must be a JSON object (a record's document is always an object)."
                : "A document must be a JSON object.").ToResult());
        }

        return (document, null);
    }
}
