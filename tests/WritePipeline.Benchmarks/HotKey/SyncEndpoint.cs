using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WritePipeline.Benchmarks.HotKey;

/// <summary>
/// The plain synchronous way to take a merge patch, for hot_key to hold the pipeline against: a minimal API on
/// loopback in the benchmark process, with its own small DbContext and table. A PATCH names the version its client
/// read (If-Match); the endpoint reads the record, answers 409 when the version moved on, else applies the patch and
/// saves with optimistic concurrency (the version is the concurrency token), answering 409 when it lost that race.
/// </summary>
public sealed class SyncEndpoint : IAsyncDisposable
{
    readonly WebApplication _app;
    int _conflicts;

    SyncEndpoint(WebApplication app) => _app = app;

    /// <summary>A client of the endpoint with room for <c>connections</c> requests at once.</summary>
    public HttpClient Http { get; private set; } = new();

    /// <summary>409s answered so far.</summary>
    public int Conflicts => Volatile.Read(ref _conflicts);

    public static async Task<SyncEndpoint> StartAsync(string connectionString, int connections)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDbContext<SyncDbContext>(options => options.UseNpgsql(connectionString));
        var app = builder.Build();

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SyncDbContext>().Database.EnsureCreatedAsync();
        }

        var endpoint = new SyncEndpoint(app);
        app.MapGet("/records/{key}", GetAsync);
        app.MapPatch("/records/{key}", (string key, HttpContext context, SyncDbContext db) => endpoint.PatchAsync(key, context, db));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        endpoint.Http.Dispose();
        endpoint.Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(60),
        };
        return endpoint;
    }

    /// <summary>Creates a record (version 0) to patch.</summary>
    public async Task SeedAsync(string key, string document)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SyncDbContext>();
        db.Records.Add(new SyncRecord { Key = key, Document = document, Version = 0 });
        await db.SaveChangesAsync();
    }

    public async Task<(long Version, string Document)?> ReadAsync(string key)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<SyncDbContext>().Records.AsNoTracking().SingleOrDefaultAsync(r => r.Key == key);
        return record is null ? null : (record.Version, record.Document);
    }

    static async Task<IResult> GetAsync(string key, HttpContext context, SyncDbContext db)
    {
        var record = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.Key == key, context.RequestAborted);
        if (record is null)
        {
            return Results.NotFound();
        }

        context.Response.Headers.ETag = $"\"{record.Version}\"";
        return Results.Text(record.Document, "application/json");
    }

    async Task<IResult> PatchAsync(string key, HttpContext context, SyncDbContext db)
    {
        if (!long.TryParse(context.Request.Headers.IfMatch.ToString().Trim('"'), out var read))
        {
            return Results.StatusCode(StatusCodes.Status428PreconditionRequired);
        }

        var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var record = await db.Records.SingleOrDefaultAsync(r => r.Key == key, context.RequestAborted);
        if (record is null)
        {
            return Results.NotFound();
        }

        if (record.Version != read)
        {
            return Conflict();
        }

        record.Document = MergePatch.Apply(JsonNode.Parse(record.Document), patch)!.ToJsonString();
        record.Version++;
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Conflict();
        }

        context.Response.Headers.ETag = $"\"{record.Version}\"";
        return Results.Text(record.Document, "application/json");
    }

    IResult Conflict()
    {
        Interlocked.Increment(ref _conflicts);
        return Results.StatusCode(StatusCodes.Status409Conflict);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}

public sealed class SyncRecord
{
    public required string Key { get; set; }

    public required string Document { get; set; }

    public long Version { get; set; }
}

public sealed class SyncDbContext(DbContextOptions<SyncDbContext> options) : DbContext(options)
{
    public DbSet<SyncRecord> Records => Set<SyncRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<SyncRecord>(record =>
        {
            record.ToTable("sync_records");
            record.HasKey(r => r.Key);
            record.Property(r => r.Version).IsConcurrencyToken();
        });
}

/// <summary>JSON merge patch (RFC 7396): objects merge member by member, null removes a member, anything else replaces.</summary>
public static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }

        var document = target as JsonObject ?? new JsonObject();
        foreach (var (name, change) in changes)
        {
            if (change is null)
            {
                document.Remove(name);
            }
            else if (change is JsonObject && document[name] is JsonObject inner)
            {
                Apply(inner, change);
            }
            else
            {
                document[name] = Apply(null, change);
            }
        }

        return document;
    }
}
