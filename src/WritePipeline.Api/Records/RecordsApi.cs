using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Clients;
using WritePipeline.Collections;
using WritePipeline.Data;
using WritePipeline.Problems;

namespace WritePipeline.Records;

/// <summary>One version of a record, as the history lists it.</summary>
public sealed record RecordVersionView(long Version, string Operation, Guid WriteId, DateTimeOffset AppliedAt, JsonNode? Document);

/// <summary>A page of a record's history, oldest first; <see cref="Next"/> is null on the last page.</summary>
public sealed record RecordHistoryPage(string Collection, string Key, IReadOnlyList<RecordVersionView> Items, string? Next);

/// <summary>What reading a record and reading its history both bind: the record's route, the request, and where it is read.</summary>
public readonly record struct RecordRead(
    [FromRoute(Name = "collection")] string Collection,
    [FromRoute(Name = "key")] string Key,
    HttpContext Http,
    CollectionCatalog Collections,
    WritePipelineDbContext Db);

/// <summary>Reading records and their history.</summary>
public static class RecordsApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        var record = app.MapGroup("/v1/collections/{collection}/records/{key}")
            .RequireAuthorization()
            .RequireGrant(CollectionAccess.Read)
            .WithTags("Records")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        record.MapGet("", GetRecord)
            .WithName("GetRecord")
            .WithDescription("The record's current document as stored, with its version as a strong ETag for If-Match. 404 when the record does not exist or was deleted. Needs the r grant on the collection.")
            .WithSummary("The current document of a record, with its ETag")
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/json");
        record.MapGet("/history", GetHistory)
            .WithName("GetRecordHistory")
            .WithDescription("The applied versions of the record, oldest first, each with the write that made it and the document after it; paged with after and limit (next links to the following page). Needs the r grant on the collection.")
            .WithSummary("The applied versions of a record, oldest first, paged");
        return app;
    }

    static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetRecord(
        [AsParameters] RecordRead read)
    {
        var (collection, key, http, collections, db) = read;
        if (CheckNames(collection, key, collections) is { } problem)
        {
            return problem;
        }

        var record = await db.Records.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Collection == collection && r.Key == key, http.RequestAborted);
        if (record is not { Exists: true })
        {
            return RecordProblems.RecordNotFound(collection, key).ToResult();
        }

        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Text(record.Document, "application/json");
    }

    static async Task<Results<Ok<RecordHistoryPage>, ProblemHttpResult>> GetHistory(
        [AsParameters] RecordRead read, long? after, int? limit)
    {
        var (collection, key, http, collections, db) = read;
        if (CheckNames(collection, key, collections) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize || after < 0)
        {
            return ProblemCatalog.InvalidQuery($"limit must be 1 to {MaxPageSize} and after a version number (0 or more).").ToResult();
        }

        var from = after ?? 0;
        var rows = await db.RecordVersions.AsNoTracking()
            .Where(v => v.Collection == collection && v.Key == key && v.Version > from)
            .OrderBy(v => v.Version)
            .Take(pageSize + 1)
            .ToListAsync(http.RequestAborted);
        if (rows.Count == 0 && from == 0)
        {
            return RecordProblems.RecordNotFound(collection, key).ToResult();
        }

        var items = rows.Take(pageSize)
            .Select(v => new RecordVersionView(v.Version, v.Operation, v.WriteId, v.AppliedAt, v.Document is null ? null : JsonNode.Parse(v.Document)))
            .ToList();
        var next = rows.Count > pageSize
            ? $"/v1/collections/{collection}/records/{key}/history?after={items[^1].Version}&limit={pageSize}"
            : null;
        return TypedResults.Ok(new RecordHistoryPage(collection, key, items, next));
    }

    static ProblemHttpResult? CheckNames(string collection, string key, CollectionCatalog collections)
    {
        if (!RecordNames.IsValidCollection(collection) || !RecordNames.IsValidKey(key))
        {
            return ProblemCatalog.InvalidName($"'{collection}/{key}' is not a valid collection name and record key.").ToResult();
        }

        return collections.TryGet(collection, out _) ? null : CollectionProblems.UnknownCollection(collection).ToResult();
    }
}
