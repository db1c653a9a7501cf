using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>The console's Clients page: everyone sees the grants; an admin changes them, in force at once and audited.</summary>
public sealed class ConsoleClientsTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task An_admin_changes_a_clients_grants_which_apply_at_its_next_request()
    {
        var name = TestKeys.New("grants");
        var (_, http) = await fixture.App.CreateClientAsync(name);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PutAsync("customers", TestKeys.New("g"), new JsonObject())).StatusCode);

        var viewer = await fixture.SignedInAsync(OperatorRoles.Viewer);
        await viewer.GotoAsync("/console/clients");
        await Expect(viewer.Locator($"tr[data-client='{name}'] [data-testid=grants]")).ToHaveTextAsync("*:rw");
        await Expect(viewer.GetByLabel($"Grants of {name}")).ToHaveCountAsync(0);

        var admin = await fixture.SignedInAsync(OperatorRoles.Admin);
        await admin.GotoAsync("/console/clients");
        var row = admin.Locator($"tr[data-client='{name}']");
        await row.GetByLabel($"Grants of {name}").FillAsync("customers:r, accounts:rw");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change" }).ClickAsync();
        await Expect(admin.GetByTestId("flash")).ToContainTextAsync("change grants: done");
        await Expect(row.GetByTestId("grants")).ToHaveTextAsync("accounts:rw, customers:r");
        await ConsoleFixture.ScreenshotAsync(admin, "clients");

        await Api.AssertProblemAsync(await http.PutAsync("customers", TestKeys.New("g"), new JsonObject()), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.Accepted, (await http.PutAsync("accounts", TestKeys.New("g"), new JsonObject())).StatusCode);

        await row.GetByLabel($"Grants of {name}").FillAsync("customers:x");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change" }).ClickAsync();
        await Expect(admin.GetByTestId("flash")).ToContainTextAsync("not valid");

        await admin.GotoAsync("/console/audit?action=client.grants");
        await Expect(admin.Locator("table").Filter(new() { HasText = name })).ToContainTextAsync("accounts:rw");
    }
}
