using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using WritePipeline.Admin;
using WritePipeline.Audit;
using WritePipeline.Clients;
using WritePipeline.Conflicts;
using WritePipeline.Dashboard;
using WritePipeline.Operators;
using WritePipeline.Partitioning;
using WritePipeline.Problems;
using WritePipeline.Records;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Hosting;

/// <summary>What the API host adds to the pipeline (<see cref="WritePipelineHosting"/>): the client and admin HTTP APIs.</summary>
public static class WritePipelineApiHosting
{
    /// <summary>The submission API: authentication, problem details, OpenAPI, the write services.</summary>
    public static WebApplicationBuilder AddWritePipelineApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>()
            .Configure<IOptions<ApiOptions>>((forwarded, api) => TrustedProxyHeaders.Configure(forwarded, api.Value.TrustedProxies));
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemResults.Customize);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = Json.ReadableJson.Encoder);
        services.AddExceptionHandler<Json.BadRequests>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        // Binding failures throw in every environment, so that they all answer the same problem (Json.BadRequests).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddOpenApi(openApi => openApi.DescribeWritePipeline());
        services.AddMemoryCache();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, OperatorTokenAuthenticationHandler>(OperatorPolicies.TokenScheme, null);
        services.AddAuthorizationBuilder().AddOperatorPolicies();
        services.AddOperatorsApi();
        services.AddAdminApi();
        services.AddDashboardApi();
        services.AddPartitioningApi();
        services.AddConflictsApi();
        services.AddClientsApi();
        services.AddSingleton<ClientRateLimits>();
        services.AddWritesApi();
        services.AddScoped<SubmissionReader>();
        services.AddScoped<SubmissionWait>();
        services.AddWebhooksApi();
        return builder;
    }

    public static WebApplication MapWritePipelineApi(this WebApplication app)
    {
        // First: everything after it (the sign-in limit, the logs, the console's HTTPS check) sees the client's address.
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<ClientRateLimits.Middleware>();
        app.UseAuthorization();
        app.UseMiddleware<Json.JsonBodies>();
        app.MapOpenApi();
        app.MapWritesApi();
        app.MapResolutionsApi();
        app.MapWebhooksApi();
        app.MapAdminWritesApi();
        app.MapAdminWebhooksApi();
        app.MapAdminAuditApi();
        app.MapAdminOperatorsApi();
        app.MapAdminClientsApi();
        app.MapAdminDashboardApi();
        app.MapAdminPartitionsApi();
        app.MapRecordsApi();
        return app;
    }
}
