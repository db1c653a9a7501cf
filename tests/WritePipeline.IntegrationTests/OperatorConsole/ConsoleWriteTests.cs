using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using WritePipeline.Testing;
using static Microsoft.Playwright.Assertions;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>Parked writes in the operator console, in a real headless Chromium: found, read, edited, retried, discarded and restored.</summary>
[Collection(ConsoleInBrowser.Name)]
public sealed class ConsoleWriteTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task Finds_a_parked_write_and_reads_its_difference()
    {
        var key = TestKeys.New("diff");
        var writeId = await fixture.ParkedPatchAsync("customers", key);
        var page = await fixture.SignedInAsync(OperatorRoles.Viewer);

        await page.GotoAsync("/console/writes");
        await page.GetByLabel("Search key and document").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByTestId("total")).ToHaveTextAsync("1");
        await ConsoleFixture.ScreenshotAsync(page, "parked-writes");
        await page.GetByRole(AriaRole.Link, new() { Name = $"customers / {key}" }).ClickAsync();

        Assert.EndsWith($"/console/writes/{writeId}", page.Url, StringComparison.Ordinal);
        await Expect(page.GetByTestId("write-status")).ToHaveTextAsync("parked");
        await Expect(page.GetByTestId("based-on")).ToHaveTextAsync("1");
        // The current record (version 2) beside the patch applied to it: only the name differs.
        var changed = page.GetByTestId("diff").Locator("tr.changed");
        await Expect(changed).ToHaveCountAsync(1);
        await Expect(changed.Locator("td.left")).ToContainTextAsync("\"name\": \"Ada\"");
        await Expect(changed.Locator("td.right")).ToContainTextAsync("\"name\": \"Ada Lovelace\"");
        await Expect(page.GetByTestId("diff").Locator("tr.same", new() { HasText = "\"tier\": \"silver\"" })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("timeline")).ToContainTextAsync("version_mismatch");
        await ConsoleFixture.ScreenshotAsync(page, "write");
    }

    [Fact]
    public async Task Edits_and_retries_a_write_and_sees_it_applied()
    {
        var key = TestKeys.New("edit");
        var writeId = await fixture.ParkedPatchAsync("customers", key);
        var page = await fixture.SignedInAsync(OperatorRoles.Operator);
        await page.GotoAsync($"/console/writes/{writeId}");

        var editor = page.GetByTestId("editor");
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Retry with this patch" });
        await editor.FillAsync("{ \"name\": ");
        await Expect(page.GetByTestId("json-status")).ToContainTextAsync("Not JSON");
        await Expect(send).ToBeDisabledAsync();
        await editor.FillAsync("{ \"name\": \"Ada King\" }");
        await Expect(page.GetByTestId("json-status")).ToHaveTextAsync("Valid JSON.");
        await send.ClickAsync();

        await Expect(page.GetByTestId("flash")).ToContainTextAsync("resubmit: taken");
        await UntilShownAsync(page, "applied");
        var record = await (await fixture.Client.GetAsync(Api.RecordPath("customers", key))).JsonAsync();
        Assert.Equal("Ada King", record["name"]!.GetValue<string>());
        Assert.Equal("silver", record["tier"]!.GetValue<string>());
        await Expect(page.GetByTestId("timeline")).ToContainTextAsync("write.resubmit");
    }

    [Fact]
    public async Task Retries_a_whole_group_once_the_referenced_records_exist()
    {
        // Three invoices for accounts that do not exist yet: parked as missing_reference, one group.
        var accounts = Enumerable.Range(0, 3).Select(_ => TestKeys.New("acct")).ToList();
        var invoices = new List<Guid>();
        foreach (var account in accounts)
        {
            invoices.Add(await fixture.Client.PutAsync("invoices", TestKeys.New("inv"), new JsonObject { ["accountId"] = account, ["total"] = 10 }).AcceptedAsync());
        }

        foreach (var invoice in invoices)
        {
            await fixture.Client.UntilStatusAsync(invoice, "parked");
        }

        foreach (var account in accounts)
        {
            await fixture.Client.AppliedAsync(fixture.Client.PutAsync("accounts", account, new JsonObject { ["name"] = account }));
        }

        var page = await fixture.SignedInAsync(OperatorRoles.Operator);
        await page.GotoAsync("/console/groups");
        var group = page.Locator("tr[data-group='invoices/missing_reference']");
        await Expect(group.Locator("td.num")).ToHaveTextAsync("3");
        await ConsoleFixture.ScreenshotAsync(page, "groups");
        await group.GetByLabel("Action for the group").SelectOptionAsync("retry");
        await group.GetByRole(AriaRole.Button, new() { Name = "Apply to group" }).ClickAsync();

        Assert.Contains("/console/bulk/", page.Url, StringComparison.Ordinal);
        await Expect(page.GetByTestId("bulk-state")).ToHaveTextAsync("finished");
        await Expect(page.GetByTestId("bulk-taken")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("bulk-refused")).ToHaveTextAsync("0");
        await ConsoleFixture.ScreenshotAsync(page, "bulk");
        foreach (var invoice in invoices)
        {
            await fixture.Client.UntilStatusAsync(invoice, "applied");
        }
    }

    [Fact]
    public async Task Discards_a_write_and_restores_it_from_the_archive()
    {
        var key = TestKeys.New("discard");
        var writeId = await fixture.ParkedPatchAsync("customers", key);
        var page = await fixture.SignedInAsync(OperatorRoles.Operator);
        await page.GotoAsync($"/console/writes/{writeId}");

        await page.GetByLabel("Reason to discard").FillAsync("superseded by a later change");
        await page.GetByRole(AriaRole.Button, new() { Name = "discard", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToContainTextAsync("discard: taken");
        await UntilShownAsync(page, "discarded");

        // The write shows discarded a moment before its saga hears of it; a restore in that moment (held open here) is
        // told when to try again.
        await Eventually.UntilAsync(
            () => fixture.App.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == writeId && s.CurrentState == "Discarded")),
            "the saga to know the write is discarded");
        await SagaStateAsync(writeId, "Resolving");
        await page.GotoAsync("/console/archive?key=" + key);
        var row = page.Locator($"tr[data-write-id='{writeId}']");
        await Expect(row).ToContainTextAsync("superseded by a later change");
        await ConsoleFixture.ScreenshotAsync(page, "archive");
        await row.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToContainTextAsync("restore: not taken. The write's discard is still being carried out; try the restore again in 2 seconds.");

        await SagaStateAsync(writeId, "Discarded");
        await page.GotoAsync("/console/archive?key=" + key);
        await page.Locator($"tr[data-write-id='{writeId}']").GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();

        await Expect(page.GetByTestId("flash")).ToContainTextAsync("restore: taken");
        await Expect(page.GetByTestId("write-status")).ToHaveTextAsync("parked");
        Assert.Equal("parked", (await fixture.Client.UntilStatusAsync(writeId, "parked"))["status"]!.GetValue<string>());

        await page.GotoAsync($"/console/audit?writeId={writeId}");
        await Expect(page.GetByTestId("audit")).ToContainTextAsync("write.discard");
        await Expect(page.GetByTestId("audit")).ToContainTextAsync("write.restore");
        await ConsoleFixture.ScreenshotAsync(page, "audit");
    }

    Task<int> SagaStateAsync(Guid writeId, string state) => fixture.App.QueryAsync(db =>
        db.ConflictSagas.Where(s => s.CorrelationId == writeId).ExecuteUpdateAsync(set => set.SetProperty(s => s.CurrentState, state)));

    /// <summary>Reloads the write's page until it shows <paramref name="status"/> (the pipeline gets there in the background).</summary>
    static Task UntilShownAsync(IPage page, string status) => Eventually.UntilAsync(
        async () =>
        {
            await page.ReloadAsync();
            return await page.GetByTestId("write-status").TextContentAsync() == status;
        },
        $"the write's page shows it {status}");
}

/// <summary>The browser tests share one console app and one Chromium, and run one class after another.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleInBrowser : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Operator console in a browser";
}
