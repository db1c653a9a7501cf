using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Problems;

namespace WritePipeline.OperatorConsole;

public static class ConsoleRegistration
{
    /// <summary>The console's pages, its cookie sign-in and anti-forgery, in the API host.</summary>
    public static WebApplicationBuilder AddWritePipelineConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var consoleOptions = builder.Configuration.GetSection(WritePipelineOptions.SectionName).Get<WritePipelineOptions>()?.OperatorConsole ?? new();
        var secure = consoleOptions.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
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
            options.Conventions.AllowAnonymousToPage("/SignIn");
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
        if (app.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.OperatorConsole.SecureCookies)
        {
            // Its cookies are HTTPS-only: over plain HTTP sign-in could not work, so say why instead of failing later.
            app.UseWhen(
                http => http.Request.Path.StartsWithSegments(ConsoleAuthentication.Path) && !http.Request.IsHttps,
                https => https.Run(http => ProblemCatalog.Forbidden(
                    "The console is served over HTTPS only (WritePipeline:OperatorConsole:SecureCookies). Behind a proxy that ends TLS, set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true.")
                    .ExecuteAsync(http)));
        }

        app.MapRazorPages();
        return app;
    }
}
