using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>
/// The real app over HTTPS on RabbitMQ + PostgreSQL, and one headless Debian Chromium for the console's browser tests.
/// Each test signs in on a browser context of its own (its own cookies).
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium, installed by infra/services.sh; Playwright never downloads a browser here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    IPlaywright? _playwright;

    public PipelineApp App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>An API client that submits the writes the tests then find in the console.</summary>
    public HttpClient Client { get; private set; } = null!;

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        App = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            ServesBrowser = true,
            Overrides = new Dictionary<string, string?>
            {
                // Invoices reference accounts: an invoice for an account that does not exist yet parks as missing_reference.
                ["WritePipeline:Collections:invoices:References:/accountId"] = "accounts",
                ["WritePipeline:Collections:invoices:ReferenceGrace"] = "00:00:00",
                ["WritePipeline:Collections:accounts:OnConflict"] = "hold",
                ["WritePipeline:Collections:customers:OnConflict"] = "hold",
                ["WritePipeline:OperatorConsole:SecureCookies"] = "true",
                // Every test signs in from 127.0.0.1; the limit against password guessing is tested on its own.
                ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = "1000",
            },
        });
        await App.UntilReadyAsync();
        (_, Client) = await App.CreateClientAsync("console-tests");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // The pipeline works in the background: give pages time to show its results (bulk runs, applied writes).
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh browser context (no cookies) on the console.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress!.ToString(),
            IgnoreHTTPSErrors = true, // the test server's certificate is self-signed
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>A new operator account with <paramref name="role"/>, signed in through the sign-in form.</summary>
    public async Task<IPage> SignedInAsync(string role)
    {
        var (name, password) = await App.CreateOperatorAccountAsync(role);
        return await SignedInAsync(name, password, role);
    }

    /// <summary>A fresh browser signed in as <paramref name="name"/> through the sign-in form.</summary>
    public async Task<IPage> SignedInAsync(string name, string password, string role)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync($"{name} ({role})");
        return page;
    }

    /// <summary>Saves a full-page screenshot under artifacts/screenshots (not committed).</summary>
    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>
    /// A patch with a stale If-Match, produced by the real pipeline: the record is created (version 1), changed
    /// (version 2), then patched "based on version 1", which conflicts and is parked.
    /// </summary>
    public async Task<Guid> ParkedPatchAsync(string collection, string key)
    {
        await Client.AppliedAsync(Client.PutAsync(collection, key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        await Client.AppliedAsync(Client.PatchAsync(collection, key, new JsonObject { ["tier"] = "silver" }));
        var writeId = await Client.PatchAsync(collection, key, new JsonObject { ["name"] = "Ada Lovelace" }, Api.IfMatch(1)).AcceptedAsync();
        await Client.UntilStatusAsync(writeId, "parked");
        return writeId;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Client?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "WritePipeline.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
