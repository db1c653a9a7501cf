using Microsoft.AspNetCore.Builder;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Operators;
using WritePipeline.Problems;

namespace WritePipeline.OperatorConsole;

public static class ConsoleRegistration
{
    const string SignInLimit = "console-sign-in";

    /// <summary>The console's pages, its cookie sign-in and anti-forgery, in the API host.</summary>
    public static WebApplicationBuilder AddWritePipelineConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var consoleOptions = builder.Configuration.GetSection(WritePipelineOptions.SectionName).Get<WritePipelineOptions>()?.OperatorConsole ?? new();
        var secure = consoleOptions.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        // Cookies and anti-forgery tokens are protected with a key ring kept in the pipeline's database, so every API
        // process reads what another one wrote (a file per machine would sign operators out on every other process).
        services.AddDataProtection().SetApplicationName("WritePipeline").PersistKeysToDbContext<WritePipelineDbContext>();
        // Password guessing: a few sign-in attempts per minute from one address.
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(SignInLimit, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = consoleOptions.SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter(string.Empty));
        });
        services.AddAuthentication().AddCookie(ConsoleAuthentication.Scheme, cookie => ConsoleAuthentication.Configure(cookie, secure));
        services.AddAuthorizationBuilder().AddConsolePolicies();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ConsoleAuthentication.AntiforgeryCookieName;
            options.Cookie.Path = ConsoleAuthentication.Path;
            options.Cookie.SecurePolicy = secure;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRazorPages(options =>
        {
            // Every page needs a signed-in operator; acting needs more, checked where the action is (ConsolePageModel).
            options.Conventions.AuthorizeFolder("/", ConsolePolicies.View);
            options.Conventions.AuthorizePage("/Operators", ConsolePolicies.Administer);
            options.Conventions.AllowAnonymousToPage("/SignIn");
            options.Conventions.AddPageApplicationModelConvention("/SignIn", page => page.EndpointMetadata.Add(new EnableRateLimitingAttribute(SignInLimit)));
            options.Conventions.AllowAnonymousToPage("/Denied");
        }).AddCookieTempDataProvider(options =>
        {
            options.Cookie.Path = ConsoleAuthentication.Path;
            options.Cookie.SecurePolicy = secure;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        return builder;
    }

    public static WebApplication MapWritePipelineConsole(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<OperatorConsoleOptions>>().Value.SecureCookies)
        {
            // Its cookies are HTTPS-only: over plain HTTP sign-in could not work, so say why instead of failing later.
            // Written here, as the API host writes any problem: the console cannot reference the host that serves it.
            var refusal = ProblemCatalog.Forbidden(
                "The console is served over HTTPS only (WritePipeline:OperatorConsole:SecureCookies). Behind a proxy that ends TLS, list it in WritePipeline:Api:TrustedProxies.");
            app.UseWhen(
                http => http.Request.Path.StartsWithSegments(ConsoleAuthentication.Path) && !http.Request.IsHttps,
                https => https.Run(http => TypedResults.Problem(detail: refusal.Detail, statusCode: refusal.Kind.Status, title: refusal.Kind.Title, type: refusal.Kind.Type)
                    .ExecuteAsync(http)));
        }

        app.UseRateLimiter();
        app.MapRazorPages();
        return app;
    }
}
