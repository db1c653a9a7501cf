using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>The operator console in a real headless Chromium, over HTTPS: signing in, guards, every page, webhooks and operators.</summary>
[Collection(ConsoleInBrowser.Name)]
public sealed class ConsoleBrowserTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task Signs_in_with_secure_cookies_and_refuses_a_wrong_password()
    {
        var (name, password) = await fixture.App.CreateOperatorAccountAsync(OperatorRoles.Viewer);
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/console/writes");
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Unknown name or wrong password.");
        await ConsoleFixture.ScreenshotAsync(page, "sign-in");

        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync($"{name} (viewer)");

        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "wp_console");
        Assert.True(cookie.Secure, "the sign-in cookie is HTTPS-only");
        Assert.True(cookie.HttpOnly, "the sign-in cookie is out of reach of script");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
    }

    [Fact]
    public async Task A_viewer_sees_no_action_and_a_form_posted_anyway_is_refused()
    {
        var writeId = await fixture.ParkedPatchAsync("customers", TestKeys.New("viewer"));
        var page = await fixture.SignedInAsync(OperatorRoles.Viewer);
        await page.GotoAsync($"/console/writes/{writeId}");
        await Expect(page.GetByTestId("viewer-note")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("actions")).ToHaveCountAsync(0);

        // The viewer's own valid anti-forgery token (from the sign-out form), on a forged action form.
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var answer = await PostFormAsync(page, $"/console/writes/{writeId}?handler=Act", new() { ["action"] = "retry", ["__RequestVerificationToken"] = token! });

        Assert.Equal(403, answer.Status);
        Assert.Contains("/console/denied", answer.Url, StringComparison.Ordinal);
        Assert.Equal("parked", (await (await fixture.Client.GetAsync($"/v1/writes/{writeId}")).JsonAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_form_without_its_anti_forgery_token_is_refused()
    {
        var writeId = await fixture.ParkedPatchAsync("customers", TestKeys.New("csrf"));
        var page = await fixture.SignedInAsync(OperatorRoles.Operator);
        await page.GotoAsync($"/console/writes/{writeId}");

        var answer = await PostFormAsync(page, $"/console/writes/{writeId}?handler=Act", new() { ["action"] = "retry" });

        Assert.Equal(400, answer.Status);
        Assert.Equal("parked", (await (await fixture.Client.GetAsync($"/v1/writes/{writeId}")).JsonAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_and_cookies_do_not_cross_between_the_console_and_the_APIs()
    {
        // An API client's key opens no console page: it is sent to sign in.
        using var http = fixture.App.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = fixture.Client.DefaultRequestHeaders.Authorization;
        var response = await http.GetAsync("/console/writes");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/sign-in", response.Headers.Location!.AbsolutePath);

        // A console sign-in opens no admin API endpoint (those take operator tokens only).
        var page = await fixture.SignedInAsync(OperatorRoles.Admin);
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/v1/admin/writes')).status");
        Assert.Equal(401, status);
    }

    [Fact]
    public async Task Every_main_page_renders_and_is_captured()
    {
        // Something on every page: a parked write with a held write behind it (a blocked key).
        var key = TestKeys.New("tour");
        var blocker = await fixture.ParkedPatchAsync("customers", key);
        var held = await fixture.Client.PatchAsync("customers", key, new JsonObject { ["tier"] = "bronze" }).AcceptedAsync();
        await fixture.Client.UntilStatusAsync(held, "held");
        var page = await fixture.SignedInAsync(OperatorRoles.Admin);

        foreach (var (path, name) in new[]
                 {
                     ("/console", "dashboard"), ("/console/writes", "parked-writes-all"), ("/console/groups", "groups-all"),
                     ("/console/blocked-keys", "blocked-keys"), ("/console/archive", "archive-all"), ("/console/bulk", "bulk-actions"),
                     ("/console/audit", "audit-all"), ("/console/webhooks", "webhooks-all"),
                 })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, name);
        }

        await page.GotoAsync("/console/writes?pageNumber=2");
        await Expect(page.Locator(".pager")).ToContainTextAsync("Page 2 of");
        await page.GotoAsync("/console/blocked-keys");
        await Expect(page.GetByTestId("blocked-keys").Locator("tr", new() { HasText = key })).ToContainTextAsync(blocker.ToString());
        await page.GotoAsync("/console");
        await Expect(page.GetByTestId("chart-throughput").Locator("svg polyline")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("chart-queues").Locator("svg rect")).Not.ToHaveCountAsync(0);
        // The partitions and who owns them (the app's own worker holds every lease), as GET /v1/admin/partitions says.
        await Expect(page.GetByTestId("partitions").Locator("tbody tr")).ToHaveCountAsync(8);
        await Expect(page.GetByTestId("partition-0")).Not.ToContainTextAsync("nobody");
        await Expect(page.GetByTestId("workers")).ToContainTextAsync($"pid {Environment.ProcessId}");
    }

    [Fact]
    public async Task Disables_and_enables_a_clients_webhook_endpoint()
    {
        var (clientId, http) = await fixture.App.CreateClientAsync("hooks");
        var created = await http.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/hooks/console", events = new[] { "write.conflicted" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpointId = (await created.JsonAsync())["endpoint"]!["id"]!.GetValue<Guid>();
        var page = await fixture.SignedInAsync(OperatorRoles.Operator);

        await page.GotoAsync($"/console/webhooks?client={clientId}");
        var row = page.Locator($"tr[data-endpoint-id='{endpointId}']");
        await Expect(row).ToContainTextAsync("enabled");
        await ConsoleFixture.ScreenshotAsync(page, "webhooks");
        await row.GetByLabel("Reason to disable").FillAsync("receiver is being migrated");
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToContainTextAsync("disable: done");
        await Expect(row).ToContainTextAsync("receiver is being migrated");

        var endpoint = await (await http.GetAsync($"/v1/webhooks/{endpointId}")).JsonAsync();
        Assert.False(endpoint["enabled"]!.GetValue<bool>());
        await row.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("enabled");
        await page.GotoAsync($"/console/webhooks/{endpointId}");
        await Expect(page.GetByTestId("endpoint-status")).ToHaveTextAsync("enabled");
        await ConsoleFixture.ScreenshotAsync(page, "webhook-endpoint");
    }

    [Fact]
    public async Task An_admin_adds_an_operator_who_signs_in_and_is_signed_out_when_the_role_changes()
    {
        var admin = await fixture.SignedInAsync(OperatorRoles.Admin);
        var name = TestKeys.New("alice");
        await admin.GotoAsync("/console/operators");
        await admin.GetByLabel("Name").FillAsync(name);
        await admin.Locator("form", new() { HasText = "Add" }).Locator("select[name=role]").SelectOptionAsync("viewer");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        var password = await admin.GetByTestId("new-password").TextContentAsync();
        Assert.False(string.IsNullOrEmpty(password));
        await ConsoleFixture.ScreenshotAsync(admin, "operators");

        var alice = await fixture.SignedInAsync(name, password!, OperatorRoles.Viewer);
        // Viewers (and operators) have no business on the operators page.
        var denied = await alice.GotoAsync("/console/operators");
        Assert.Equal(403, denied!.Status);

        var row = admin.Locator($"tr[data-operator='{name}']");
        await row.GetByLabel($"Role of {name}").SelectOptionAsync("operator");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change" }).ClickAsync();
        await Expect(admin.GetByTestId("flash")).ToContainTextAsync("change role: done");

        // Her cookie still says viewer: the next request signs her out instead of trusting it until it expires.
        await alice.GotoAsync("/console");
        Assert.Contains("/console/sign-in", alice.Url, StringComparison.Ordinal);
        var again = await fixture.SignedInAsync(name, password!, OperatorRoles.Operator);

        // New credentials (a compromised account): her open session ends too, and the old password no longer opens one.
        await row.GetByRole(AriaRole.Button, new() { Name = "New password and token" }).ClickAsync();
        var newPassword = await admin.GetByTestId("new-password").TextContentAsync();
        Assert.NotEqual(password, newPassword);
        await again.GotoAsync("/console");
        Assert.Contains("/console/sign-in", again.Url, StringComparison.Ordinal);
        await again.GetByLabel("Name").FillAsync(name);
        await again.GetByLabel("Password").FillAsync(password!);
        await again.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("Unknown name or wrong password.");
    }

    /// <summary>Posts a form from inside the page (same origin, with the page's cookies), following redirects.</summary>
    static async Task<FormAnswer> PostFormAsync(IPage page, string url, Dictionary<string, string> fields) =>
        await page.EvaluateAsync<FormAnswer>(
            "async ([url, fields]) => { const r = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) }); return { status: r.status, url: r.url }; }",
            new object[] { url, fields });

    sealed class FormAnswer
    {
        public int Status { get; set; }

        public string Url { get; set; } = string.Empty;
    }
}