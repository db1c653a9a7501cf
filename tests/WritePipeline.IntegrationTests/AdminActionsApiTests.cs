using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using WritePipeline.Admin;
using WritePipeline.Contracts;
using WritePipeline.Operators;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Testing;
using WritePipeline.Writes;

namespace WritePipeline.IntegrationTests;

/// <summary>
/// What operators do through the admin API, on the real pipeline: who may do it, a write's details, audited decisions,
/// the archive and restore, failed writes, bulk actions, blocked keys, CSV exports and the archive's purge.
/// Only <see cref="A_bulk_retry_of_a_group_applies_every_write_once_its_references_exist"/> parks orders (missing
/// references), so that group holds exactly its writes; a test here that parks orders too would break that.
/// </summary>
public abstract class AdminActionsApiTests(PipelineAppFixture fixture)
{
    protected PipelineApp App { get; } = fixture.App;

    const string AdminWrites = "/v1/admin/writes/";

    /// <summary>A write that failed outright (<c>unreadable_message</c>) with <paramref name="body"/> as its document.</summary>
    protected abstract Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body);

    /// <summary>An operator with <paramref name="role"/>, its HTTP client, and how the audit log names it.</summary>
    async Task<(string Actor, HttpClient Http)> OperatorAsync(string role = "operator")
    {
        var http = await App.CreateOperatorAsync(role);
        await using var scope = App.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<OperatorRegistry>()
            .FindByTokenAsync(http.DefaultRequestHeaders.Authorization!.Parameter!, CancellationToken.None);
        return ("operator:" + account!.Name, http);
    }

    /// <summary>A patch of a customer that does not exist: parked with a not_found conflict.</summary>
    static async Task<Guid> ParkedAsync(HttpClient http, string key)
    {
        var writeId = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "nobody" }).AcceptedAsync();
        await http.UntilStatusAsync(writeId, "parked");
        return writeId;
    }

    static Task<HttpResponseMessage> DecideAsync(HttpClient @operator, Guid writeId, string action, JsonObject? document = null, string? reason = null) =>
        @operator.PostAsJsonAsync($"{AdminWrites}{writeId}/resolution", new JsonObject { ["action"] = action, ["document"] = document, ["reason"] = reason });

    static Task<HttpResponseMessage> RestoreAsync(HttpClient @operator, Guid writeId) =>
        @operator.PostAsync($"{AdminWrites}{writeId}/restore", null);

    static async Task<JsonObject> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    static async Task<List<JsonObject>> AuditOfAsync(HttpClient http, Guid writeId) =>
        [.. (await GetJsonAsync(http, $"/v1/admin/audit?writeId={writeId}"))["items"]!.AsArray().Select(i => i!.AsObject()).Reverse()];

    static async Task<JsonObject?> ArchivedAsync(HttpClient http, Guid writeId, string collection, string key) =>
        (await GetJsonAsync(http, $"/v1/admin/archive?collection={collection}&key={key}"))["items"]!.AsArray()
            .Select(i => i!.AsObject()).SingleOrDefault(i => i["writeId"]!.GetValue<Guid>() == writeId);

    static string Text(JsonNode? node, string name) => node![name]!.GetValue<string>();

    // ---- 1. Who may do what ----

    /// <summary>Every new admin endpoint; {write} and {bulk} are filled in with a parked write and a bulk action.</summary>
    static readonly (string Method, string Path, HttpStatusCode Operator)[] Endpoints =
    [
        ("GET", "/v1/admin/writes", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/export", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/groups", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/{write}", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/{write}/details", HttpStatusCode.OK),
        ("GET", "/v1/admin/bulk-actions", HttpStatusCode.OK),
        ("GET", "/v1/admin/bulk-actions/{bulk}", HttpStatusCode.OK),
        ("GET", "/v1/admin/archive", HttpStatusCode.OK),
        ("GET", "/v1/admin/blocked-keys", HttpStatusCode.OK),
        ("GET", "/v1/admin/audit", HttpStatusCode.OK),
        ("GET", "/v1/admin/audit/export", HttpStatusCode.OK),
        // Operators pass authorization and reach the action, which refuses these bodies without changing anything.
        ("POST", "/v1/admin/writes/{write}/resolution", HttpStatusCode.BadRequest),
        ("POST", "/v1/admin/writes/{write}/restore", HttpStatusCode.Conflict),
        ("POST", "/v1/admin/bulk-actions", HttpStatusCode.BadRequest),
    ];

    [Fact]
    public async Task Viewers_read_every_admin_endpoint_operators_also_act_and_anyone_else_is_refused()
    {
        var (_, client) = await App.CreateClientAsync();
        var parked = await ParkedAsync(client, TestKeys.New("auth"));
        var (_, @operator) = await OperatorAsync();
        var bulk = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", writeIds = new[] { Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.Accepted, bulk.StatusCode);
        var bulkId = (await bulk.JsonAsync())["id"]!.GetValue<Guid>();
        var callers = new (string Name, HttpClient Http, Func<string, HttpStatusCode, HttpStatusCode> Expected)[]
        {
            ("anonymous", App.CreateClient(), (_, _) => HttpStatusCode.Unauthorized),
            ("API client key", client, (_, _) => HttpStatusCode.Unauthorized),
            ("viewer", await App.CreateOperatorAsync("viewer"), (method, _) => method == "GET" ? HttpStatusCode.OK : HttpStatusCode.Forbidden),
            ("operator", @operator, (_, acting) => acting),
            ("admin", await App.CreateOperatorAsync("admin"), (_, acting) => acting),
        };

        var wrong = new List<string>();
        foreach (var (name, http, expected) in callers)
        {
            foreach (var (method, template, acting) in Endpoints)
            {
                var path = template.Replace("{write}", parked.ToString(), StringComparison.Ordinal).Replace("{bulk}", bulkId.ToString(), StringComparison.Ordinal);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    // Invalid on purpose (no reason to discard, no action): nothing is done even when allowed.
                    request.Content = JsonContent.Create(new JsonObject { ["action"] = path.EndsWith("/resolution", StringComparison.Ordinal) ? "discard" : null });
                }

                var response = await http.SendAsync(request);
                var want = expected(method, acting);
                if (response.StatusCode != want)
                {
                    wrong.Add($"{name} {method} {template}: {(int)response.StatusCode}, expected {(int)want}");
                }
                else if (want is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    await Api.AssertProblemAsync(response, want, want == HttpStatusCode.Unauthorized ? "unauthorized" : "forbidden");
                }
            }
        }

        Assert.Empty(wrong);
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + parked), "status"));
    }

    // ---- 2. One write's details ----

    [Fact]
    public async Task Details_of_a_stale_patch_show_the_changed_line_the_record_now_the_timeline_the_actions_and_the_writes_held_behind_it()
    {
        var (_, http) = await App.CreateClientAsync("details-client");
        var key = TestKeys.New("det");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        var stale = await http.PatchAsync("customers", key, new JsonObject { ["tier"] = "platinum" }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var behind = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }).AcceptedAsync();
        await http.UntilStatusAsync(behind, "held");
        var viewer = await App.CreateOperatorAsync("viewer");

        var details = await GetJsonAsync(viewer, $"{AdminWrites}{stale}/details");

        Assert.Equal("parked", Text(details["status"], "status"));
        Assert.Equal("version_mismatch", Text(details["status"]!["conflict"], "type"));
        Assert.Equal("details-client", Text(details, "clientName"));
        Assert.Equal(9, details["ifMatchVersion"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["tier"] = "platinum" }, JsonNode.Parse(Text(details, "submittedBody"))));

        var difference = details["difference"]!.AsArray().Select(d => (Text(d, "kind"), d!["left"]?.GetValue<string>(), d["right"]?.GetValue<string>())).ToList();
        Assert.Contains(("changed", "  \"tier\": \"gold\"", "  \"tier\": \"platinum\""), difference);
        Assert.Contains(("same", "  \"name\": \"Ada\",", "  \"name\": \"Ada\","), difference);
        Assert.Single(difference, d => d.Item1 != "same");

        Assert.Equal(1, details["recordVersionNow"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }, details["recordNow"]));

        Assert.Equal(["retry", "rebase", "overwrite", "resubmit", "discard"], details["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        var held = Assert.Single(details["heldBehindIt"]!.AsArray())!;
        Assert.Equal(behind, held["writeId"]!.GetValue<Guid>());
        Assert.Equal("patch", Text(held, "operation"));

        var timeline = details["timeline"]!.AsArray().Select(e => (What: Text(e, "what"), At: e!["at"]!.GetValue<DateTimeOffset>())).ToList();
        var whats = timeline.Select(e => e.What).ToList();
        Assert.True(
            whats.IndexOf("accepted") == 0 && whats.IndexOf("accepted") < whats.IndexOf("conflict") && whats.IndexOf("conflict") < whats.IndexOf("parked"),
            "timeline: " + string.Join(", ", whats));
        Assert.Equal(timeline.Select(e => e.At).Order(), timeline.Select(e => e.At));

        await Api.AssertProblemAsync(await viewer.GetAsync($"{AdminWrites}{Guid.NewGuid()}/details"), HttpStatusCode.NotFound, "write-not-found");
    }

    // ---- 3. Operators' decisions are audited ----

    [Fact]
    public async Task An_operators_resubmit_is_audited_with_who_took_it_the_original_and_the_edited_document()
    {
        var (_, http) = await App.CreateClientAsync();
        var (holder, taker) = (TestKeys.New("c"), TestKeys.New("c"));
        await http.AppliedAsync(http.PutAsync("customers", holder, new JsonObject { ["email"] = $"{holder}@example.com" }));
        var original = new JsonObject { ["email"] = $"{holder}@example.com", ["name"] = "Taker" };
        var taken = await http.PutAsync("customers", taker, original).AcceptedAsync();
        await http.UntilStatusAsync(taken, "parked");
        var (actor, @operator) = await OperatorAsync();
        var edited = new JsonObject { ["email"] = $"{taker}@example.com", ["name"] = "Taker" };

        var answer = await DecideAsync(@operator, taken, "resubmit", edited);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(AdminWrites + taken, answer.Headers.Location?.ToString());
        var status = await @operator.UntilStatusAtAsync(AdminWrites, taken, "applied");
        Assert.Equal(actor, Text(status["resolution"], "by"));
        Assert.True(JsonNode.DeepEquals(edited, await (await http.GetAsync(Api.RecordPath("customers", taker))).JsonAsync()));

        var entry = Assert.Single(await AuditOfAsync(@operator, taken));
        Assert.Equal(actor, Text(entry, "actor"));
        Assert.Equal("write.resubmit", Text(entry, "action"));
        Assert.Equal("taken", Text(entry, "outcome"));
        Assert.Equal($"customers/{taker}", Text(entry, "subject"));
        var before = JsonNode.Parse(Text(entry, "before"))!;
        Assert.Equal("parked", Text(before, "status"));
        Assert.True(JsonNode.DeepEquals(original, before["document"]));
        Assert.True(JsonNode.DeepEquals(edited, JsonNode.Parse(Text(entry, "after"))!["document"]));

        // The same entry under the log's other filters.
        var byActor = await GetJsonAsync(@operator, $"/v1/admin/audit?actor={actor}&action=write.");
        Assert.Equal(entry["id"]!.GetValue<Guid>(), Assert.Single(byActor["items"]!.AsArray())!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_refused_operator_decision_answers_409_and_is_audited_as_refused()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));
        var stale = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, Api.IfMatch(7)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, stale, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");

        var entry = Assert.Single(await AuditOfAsync(@operator, stale));
        Assert.Equal((actor, "write.rebase", "refused"), (Text(entry, "actor"), Text(entry, "action"), Text(entry, "outcome")));
        Assert.Contains("rebase", Text(entry, "detail"), StringComparison.Ordinal);
        Assert.Equal("parked", Text(JsonNode.Parse(Text(entry, "after")), "status"));
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + stale), "status"));
    }

    // ---- 4. Discard, the archive, restore ----

    [Fact]
    public async Task Restores_a_discarded_write_to_parked_with_its_conflict_and_a_decision_then_applies_it()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        var stale = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, stale, "discard"), HttpStatusCode.BadRequest, "invalid-resolution");
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, stale, "discard", reason: "customer withdrew")).StatusCode);
        await @operator.UntilStatusAtAsync(AdminWrites, stale, "discarded");

        var archived = await ArchivedAsync(@operator, stale, "customers", key);
        Assert.NotNull(archived);
        Assert.Equal(("customer withdrew", actor, "version_mismatch"), (Text(archived, "reason"), Text(archived, "discardedBy"), Text(archived, "kind")));
        var discardedAt = archived["discardedAt"]!.GetValue<DateTimeOffset>();
        var retention = App.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Archive.Retention;
        Assert.Equal(discardedAt + retention, archived["purgeAfter"]!.GetValue<DateTimeOffset>());
        Assert.Equal(["restore"], (await GetJsonAsync(@operator, $"{AdminWrites}{stale}/details"))["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        var restored = await RestoreAsync(@operator, stale);

        Assert.Equal(HttpStatusCode.Accepted, restored.StatusCode);
        Assert.Equal(AdminWrites + stale, restored.Headers.Location?.ToString());
        Assert.Equal("parked", Text(await restored.JsonAsync(), "status"));
        var status = await GetJsonAsync(@operator, AdminWrites + stale);
        Assert.Equal("parked", Text(status, "status"));
        Assert.Equal("version_mismatch", Text(status["conflict"], "type"));
        Assert.Contains("rebase", status["actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Null(await ArchivedAsync(@operator, stale, "customers", key));
        await Api.AssertProblemAsync(await RestoreAsync(@operator, stale), HttpStatusCode.Conflict, "resolution-not-allowed");

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, stale, "rebase")).StatusCode);
        Assert.Equal(2, (await http.UntilStatusAsync(stale, "applied"))["version"]!.GetValue<long>());
        var record = await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync();
        Assert.Equal(("Ada L.", "gold"), (Text(record, "name"), Text(record, "tier")));

        Assert.Equal(
            [("write.discard", "invalid"), ("write.discard", "taken"), ("write.restore", "taken"), ("write.restore", "refused"), ("write.rebase", "taken")],
            (await AuditOfAsync(@operator, stale)).Select(e => (Text(e, "action"), Text(e, "outcome"))));
    }

    // ---- 5. Writes that failed outright ----

    [Fact]
    public async Task A_failed_write_is_listed_can_only_be_retried_or_discarded_and_a_retry_applies_it()
    {
        var (clientId, http) = await App.CreateClientAsync();
        var key = TestKeys.New("f");
        var body = new JsonObject { ["name"] = "Failed once", ["tier"] = "silver" };
        var failed = await FailedWriteAsync(clientId, "customers", key, body);
        var (actor, @operator) = await OperatorAsync();

        var listed = Assert.Single((await GetJsonAsync(@operator, $"/v1/admin/writes?client={clientId}"))["items"]!.AsArray())!;
        Assert.Equal(failed, listed["writeId"]!.GetValue<Guid>());
        Assert.Equal(("failed", WriteErrors.UnreadableMessage), (Text(listed, "status"), Text(listed, "kind")));
        Assert.Equal(["retry", "discard"], (await GetJsonAsync(@operator, $"{AdminWrites}{failed}/details"))["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        await Api.AssertProblemAsync(await DecideAsync(@operator, failed, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");
        var retried = await DecideAsync(@operator, failed, "retry");

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(AdminWrites + failed, retried.Headers.Location?.ToString());
        Assert.Equal(1, (await http.UntilStatusAsync(failed, "applied"))["version"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(body, await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync()));
        Assert.Equal(
            [(actor, "write.rebase", "refused"), (actor, "write.retry", "taken")],
            (await AuditOfAsync(@operator, failed)).Select(e => (Text(e, "actor"), Text(e, "action"), Text(e, "outcome"))));
    }

    [Fact]
    public async Task A_discarded_failed_write_is_archived_with_who_discarded_it_and_restored_as_failed()
    {
        var (clientId, http) = await App.CreateClientAsync();
        var key = TestKeys.New("f");
        var failed = await FailedWriteAsync(clientId, "customers", key, new JsonObject { ["name"] = "Never" });
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, failed, "discard"), HttpStatusCode.BadRequest, "invalid-resolution");
        var discarded = await DecideAsync(@operator, failed, "discard", reason: "garbled by an old client");

        Assert.Equal(HttpStatusCode.Accepted, discarded.StatusCode);
        Assert.Equal("discarded", Text(await discarded.JsonAsync(), "status"));
        var archived = await ArchivedAsync(@operator, failed, "customers", key);
        Assert.NotNull(archived);
        Assert.Equal(("garbled by an old client", actor, WriteErrors.UnreadableMessage), (Text(archived, "reason"), Text(archived, "discardedBy"), Text(archived, "kind")));
        Assert.NotNull(archived["purgeAfter"]);

        var restored = await RestoreAsync(@operator, failed);

        Assert.Equal(HttpStatusCode.Accepted, restored.StatusCode);
        var status = await http.UntilStatusAsync(failed, "failed");
        Assert.Equal(WriteErrors.UnreadableMessage, Text(status["error"], "type"));
        Assert.Null(await ArchivedAsync(@operator, failed, "customers", key));
        await Api.AssertProblemAsync(await RestoreAsync(@operator, failed), HttpStatusCode.Conflict, "resolution-not-allowed");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("customers", key))).StatusCode);
    }

    // ---- 6. Bulk actions ----

    static async Task<JsonObject> UntilFinishedAsync(HttpClient http, Uri location)
    {
        JsonObject bulk = [];
        await Eventually.UntilAsync(
            async () =>
            {
                bulk = await GetJsonAsync(http, location.ToString());
                Assert.NotEqual("interrupted", Text(bulk, "state"));
                return Text(bulk, "state") == "finished";
            },
            $"bulk action {location} finished");
        return bulk;
    }

    [Fact]
    public async Task A_bulk_retry_of_a_group_applies_every_write_once_its_references_exist()
    {
        var (_, http) = await App.CreateClientAsync();
        var customers = Enumerable.Range(0, 3).Select(_ => TestKeys.New("c")).ToList();
        var orders = new List<Guid>();
        foreach (var customer in customers)
        {
            orders.Add(await http.PutAsync("orders", TestKeys.New("o"), new JsonObject { ["customerId"] = customer }).AcceptedAsync());
        }

        foreach (var order in orders)
        {
            Assert.Equal("missing_reference", Text((await http.UntilStatusAsync(order, "parked"))["conflict"], "type"));
        }

        foreach (var customer in customers)
        {
            await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = customer }));
        }

        var (actor, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", collection = "orders", kind = "missing_reference" });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.JsonAsync())["id"]!.GetValue<Guid>();
        Assert.Equal($"/v1/admin/bulk-actions/{id}", started.Headers.Location!.ToString());
        var bulk = await UntilFinishedAsync(@operator, started.Headers.Location);
        Assert.Equal((3, 3, 3, 0), (bulk["total"]!.GetValue<int>(), bulk["done"]!.GetValue<int>(), bulk["taken"]!.GetValue<int>(), bulk["refused"]!.GetValue<int>()));
        Assert.Empty(bulk["problems"]!.AsArray());
        Assert.Equal((actor, "retry"), (Text(bulk, "actor"), Text(bulk, "action")));
        foreach (var order in orders)
        {
            await http.UntilStatusAsync(order, "applied");
            var entry = Assert.Single(await AuditOfAsync(@operator, order));
            Assert.Equal(("write.retry", "taken", $"bulk {id}"), (Text(entry, "action"), Text(entry, "outcome"), Text(entry, "detail")));
        }

        var recent = (await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/bulk-actions"))!;
        Assert.Contains(recent, b => b!["id"]!.GetValue<Guid>() == id && Text(b, "state") == "finished");
    }

    [Fact]
    public async Task A_bulk_action_on_a_selection_reports_the_writes_it_could_not_act_on_or_find_and_takes_the_rest()
    {
        var (_, http) = await App.CreateClientAsync();
        var first = await ParkedAsync(http, TestKeys.New("c"));
        var applied = await http.PutAsync("customers", TestKeys.New("c"), new JsonObject { ["name"] = "fine" }).AcceptedAsync();
        await http.UntilStatusAsync(applied, "applied");
        var second = await ParkedAsync(http, TestKeys.New("c"));
        var unknown = Guid.CreateVersion7(); // e.g. purged from the archive after the operator selected it
        var (_, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "discard", reason = "test data", writeIds = new[] { second, applied, unknown, first } });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var bulk = await UntilFinishedAsync(@operator, started.Headers.Location!);
        Assert.Equal((4, 4, 2, 2), (bulk["total"]!.GetValue<int>(), bulk["done"]!.GetValue<int>(), bulk["taken"]!.GetValue<int>(), bulk["refused"]!.GetValue<int>()));
        var problems = bulk["problems"]!.AsArray().Select(p => (p!["writeId"]!.GetValue<Guid>(), Text(p, "outcome"), Text(p, "detail"))).ToList();
        Assert.Equal([(applied, "refused"), (unknown, "not found")], problems.Select(p => (p.Item1, p.Item2)));
        Assert.Contains("applied", problems[0].Item3, StringComparison.Ordinal);
        Assert.Equal("test data", Text((await http.UntilStatusAsync(first, "discarded"))["resolution"], "reason"));
        await http.UntilStatusAsync(second, "discarded");
        Assert.Equal("applied", Text(await GetJsonAsync(@operator, AdminWrites + applied), "status"));
    }

    [Fact]
    public async Task A_bulk_action_without_an_action_a_reason_to_discard_or_exactly_one_selection_is_a_400_problem()
    {
        var (_, @operator) = await OperatorAsync();
        var invalid = new JsonObject[]
        {
            new() { ["collection"] = "orders" },
            new() { ["action"] = "merge", ["collection"] = "orders" },
            new() { ["action"] = "resubmit", ["collection"] = "orders" },
            new() { ["action"] = "retry", ["writeIds"] = new JsonArray(Guid.NewGuid()), ["collection"] = "orders" },
            new() { ["action"] = "retry" },
            new() { ["action"] = "discard", ["collection"] = "orders" },
            new() { ["action"] = "discard", ["reason"] = " ", ["writeIds"] = new JsonArray(Guid.NewGuid()) },
        };

        foreach (var request in invalid)
        {
            await Api.AssertProblemAsync(await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", request), HttpStatusCode.BadRequest, "invalid-bulk-action");
        }

        await Api.AssertProblemAsync(await @operator.GetAsync($"/v1/admin/bulk-actions/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "bulk-action-not-found");
    }

    [Fact]
    public async Task A_bulk_action_takes_writes_of_one_key_in_submission_order_whatever_order_they_are_named_in()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("n");
        // Notes continue past a conflict, so both patches of the missing note are parked, neither held behind the other.
        var earlier = await http.PatchAsync("notes", key, new JsonObject { ["seq"] = 1, ["first"] = true }).AcceptedAsync();
        var later = await http.PatchAsync("notes", key, new JsonObject { ["seq"] = 2 }).AcceptedAsync();
        await http.UntilStatusAsync(earlier, "parked");
        await http.UntilStatusAsync(later, "parked");
        var created = await http.PutAsync("notes", key, new JsonObject { ["seq"] = 0 }).AcceptedAsync();
        await http.UntilStatusAsync(created, "applied");
        var (_, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", writeIds = new[] { later, earlier } });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(2, (await UntilFinishedAsync(@operator, started.Headers.Location!))["taken"]!.GetValue<int>());
        await http.UntilStatusAsync(earlier, "applied");
        await http.UntilStatusAsync(later, "applied");
        var history = await App.HistoryAsync("notes", key);
        Assert.Equal([created, earlier, later], history.Select(v => v.WriteId));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["seq"] = 2, ["first"] = true }, JsonNode.Parse(history[^1].Document!)));
    }

    // ---- 7. Blocked keys ----

    [Fact]
    public async Task A_key_held_behind_a_conflict_is_listed_as_blocked_until_the_conflict_is_resolved()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("blk");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var held = new List<Guid>();
        for (var seq = 1; seq <= 2; seq++)
        {
            held.Add(await http.PatchAsync("customers", key, new JsonObject { ["seq"] = seq }).AcceptedAsync());
        }

        foreach (var id in held)
        {
            await http.UntilStatusAsync(id, "held");
        }

        var (_, @operator) = await OperatorAsync();

        var blocked = (await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=customers"))!;

        var entry = Assert.Single(blocked, b => Text(b, "key") == key)!;
        Assert.Equal(("customers", blocker, "parked", 2), (Text(entry, "collection"), entry["blockingWriteId"]!.GetValue<Guid>(), Text(entry, "blockingStatus"), entry["waiting"]!.GetValue<int>()));
        Assert.DoesNotContain((await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=orders"))!, b => Text(b, "key") == key);

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, blocker, "overwrite")).StatusCode);

        await Eventually.UntilAsync(
            async () => !(await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys"))!.Any(b => Text(b, "key") == key),
            $"{key} is no longer blocked");
        foreach (var id in held)
        {
            await http.UntilStatusAsync(id, "applied");
        }

        Assert.Equal(2, (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["seq"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_restored_write_that_conflicts_again_does_not_take_the_key_from_the_write_blocking_it()
    {
        var (_, http) = await App.CreateClientAsync();
        var (_, @operator) = await OperatorAsync();
        var key = TestKeys.New("rst");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));
        var first = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(first, "parked");
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "discard", reason: "stale")).StatusCode);
        await http.UntilStatusAsync(first, "discarded");

        // A later conflict now blocks the key, with a write held behind it.
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var held = await http.PatchAsync("customers", key, new JsonObject { ["seq"] = 1 }).AcceptedAsync();
        await http.UntilStatusAsync(held, "held");

        // The first write comes back from the archive and conflicts again when retried.
        Assert.Equal(HttpStatusCode.Accepted, (await RestoreAsync(@operator, first)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "retry")).StatusCode);
        await http.UntilStatusAsync(first, "parked");

        var entry = Assert.Single((await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=customers"))!, b => Text(b, "key") == key)!;
        Assert.Equal(blocker, entry["blockingWriteId"]!.GetValue<Guid>());
        // Giving the restored write up again releases nothing: the key still waits for its blocker's decision.
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "discard", reason: "still stale")).StatusCode);
        await http.UntilStatusAsync(first, "discarded");
        var heldStatus = await (await http.GetAsync($"/v1/writes/{held}")).JsonAsync();
        Assert.Equal(("held", blocker), (Text(heldStatus, "status"), heldStatus["heldBehind"]!["writeId"]!.GetValue<Guid>()));

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, blocker, "overwrite")).StatusCode);
        await http.UntilStatusAsync(held, "applied");
        Assert.Equal(1, (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["seq"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_overlong_reason_is_refused_and_still_audited()
    {
        var (_, http) = await App.CreateClientAsync();
        var writeId = await ParkedAsync(http, TestKeys.New("long"));
        var (_, @operator) = await OperatorAsync();

        var reason = new string('r', 5000);
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, "discard", reason: reason), HttpStatusCode.BadRequest, "invalid-resolution");
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, new string('x', 80)), HttpStatusCode.BadRequest, "invalid-resolution");

        var entries = await AuditOfAsync(@operator, writeId);
        Assert.Equal([("write.discard", "invalid"), ("write.unknown", "invalid")], entries.Select(e => (Text(e, "action"), Text(e, "outcome"))));
        Assert.StartsWith("rrrr", Text(entries[0], "reason"), StringComparison.Ordinal);
        Assert.True(Text(entries[0], "reason").Length <= 2000);
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + writeId), "status"));
    }

    [Fact]
    public async Task The_audit_log_is_filtered_by_times_given_with_any_offset()
    {
        var (_, http) = await App.CreateClientAsync();
        var writeId = await ParkedAsync(http, TestKeys.New("tz"));
        var (_, @operator) = await OperatorAsync();
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");
        var at = (await AuditOfAsync(@operator, writeId)).Single()["at"]!.GetValue<DateTimeOffset>();

        // The same instants, written in UTC+02:00.
        string Local(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToOffset(TimeSpan.FromHours(2)).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var around = await GetJsonAsync(@operator, $"/v1/admin/audit?writeId={writeId}&since={Local(at.AddMinutes(-1))}&until={Local(at.AddMinutes(1))}");
        var after = await GetJsonAsync(@operator, $"/v1/admin/audit?writeId={writeId}&since={Local(at.AddMinutes(1))}");

        Assert.Equal(1, around["total"]!.GetValue<int>());
        Assert.Equal(0, after["total"]!.GetValue<int>());
    }

    // ---- 8. CSV exports ----

    /// <summary>RFC 4180: quoted cells may hold commas, doubled quotes and line breaks.</summary>
    static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    cell.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        Assert.False(quoted, "a quoted cell is not closed");
        Assert.True(cell.Length == 0 && row.Count == 0, "the last row ends with CRLF");
        return rows;
    }

    static async Task<List<List<string>>> CsvAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        return ParseCsv(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Exports_the_filtered_waiting_writes_as_csv_one_row_each_oldest_first()
    {
        var (clientId, http) = await App.CreateClientAsync();
        var (firstKey, secondKey) = (TestKeys.New("csv"), TestKeys.New("csv"));
        var first = await ParkedAsync(http, firstKey);
        var second = await ParkedAsync(http, secondKey);
        var (_, other) = await App.CreateClientAsync();
        await ParkedAsync(other, TestKeys.New("csv"));
        var viewer = await App.CreateOperatorAsync("viewer");

        var rows = await CsvAsync(viewer, $"/v1/admin/writes/export?client={clientId}");

        Assert.Equal(["write_id", "status", "collection", "key", "operation", "client_id", "client_name", "kind", "detail", "submitted_at"], rows[0]);
        Assert.Equal(3, rows.Count);
        Assert.Equal([(first.ToString(), firstKey), (second.ToString(), secondKey)], rows.Skip(1).Select(r => (r[0], r[3])));
        Assert.All(rows.Skip(1), r => Assert.Equal(("parked", "customers", "patch", clientId.ToString(), "tests", "not_found"), (r[1], r[2], r[4], r[5], r[6], r[7])));

        var one = await CsvAsync(viewer, $"/v1/admin/writes/export?key={secondKey}");
        Assert.Equal(second.ToString(), Assert.Single(one.Skip(1))[0]);
    }

    [Fact]
    public async Task Exports_the_filtered_audit_log_as_csv_with_a_formula_in_a_reason_made_harmless()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("csv");
        var parked = await ParkedAsync(http, key);
        var (actor, @operator) = await OperatorAsync();
        const string formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, parked, "discard", reason: formula)).StatusCode);
        await @operator.UntilStatusAtAsync(AdminWrites, parked, "discarded");
        await Api.AssertProblemAsync(await DecideAsync(@operator, parked, "retry"), HttpStatusCode.Conflict, "resolution-not-allowed");

        var response = await @operator.GetAsync($"/v1/admin/audit/export?writeId={parked}");
        var raw = await response.Content.ReadAsStringAsync();
        var rows = ParseCsv(raw);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["at", "actor", "action", "write_id", "subject", "outcome", "detail", "reason", "before", "after"], rows[0]);
        Assert.Equal(
            [(actor, "write.retry", parked.ToString(), $"customers/{key}", "refused"), (actor, "write.discard", parked.ToString(), $"customers/{key}", "taken")],
            rows.Skip(1).Select(r => (r[1], r[2], r[3], r[4], r[5])));
        Assert.Equal("'" + formula, rows[2][7]);
        Assert.DoesNotContain(",\"=", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", raw, StringComparison.Ordinal);
        Assert.Equal("parked", Text(JsonNode.Parse(rows[2][8]), "status"));

        var onlyTaken = await CsvAsync(@operator, $"/v1/admin/audit/export?writeId={parked}&action=write.discard");
        Assert.Equal("write.discard", Assert.Single(onlyTaken.Skip(1))[2]);
    }

    // ---- 10. The archive's retention ----

    /// <summary>The clock <paramref name="ahead"/> of now, as the purge job will see it one day.</summary>
    sealed class ClockAhead(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + ahead;
    }

    async Task PurgeAsync(TimeSpan ahead)
    {
        var job = new ArchivePurgeJob(
            App.Services.GetRequiredService<IServiceScopeFactory>(),
            App.Services.GetRequiredService<IOptions<WritePipelineOptions>>(),
            new ClockAhead(ahead),
            NullLogger<ArchivePurgeJob>.Instance);
        // The job reads nothing from its Quartz context.
        await job.Execute(null!, CancellationToken.None);
    }

    [Fact]
    public async Task The_purge_removes_discarded_writes_past_the_retention_with_their_conflict_and_saga_and_keeps_the_audit_log()
    {
        var (_, http) = await App.CreateClientAsync();
        var (keptKey, goneKey) = (TestKeys.New("keep"), TestKeys.New("gone"));
        var kept = await ParkedAsync(http, keptKey);
        var gone = await ParkedAsync(http, goneKey);
        var (_, @operator) = await OperatorAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, gone, "discard", reason: "old")).StatusCode);
        await @operator.UntilStatusAtAsync(AdminWrites, gone, "discarded");
        var retention = App.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Archive.Retention;
        // Workers run it on their own, every PurgeInterval; here it runs now, with the clock moved on.
        Assert.True(await App.Services.GetRequiredService<Timers>().ExistsAsync(ArchivePurgeJob.Name, CancellationToken.None));

        await PurgeAsync(retention - TimeSpan.FromHours(1));

        Assert.NotNull(await ArchivedAsync(@operator, gone, "customers", goneKey));

        await PurgeAsync(retention + TimeSpan.FromHours(1));

        var left = await App.QueryAsync(async db => (
            Writes: await db.Writes.Where(w => w.Id == kept || w.Id == gone).Select(w => w.Id).ToListAsync(),
            Conflicts: await db.WriteConflicts.Where(c => c.WriteId == kept || c.WriteId == gone).Select(c => c.WriteId).ToListAsync(),
            Sagas: await db.ConflictSagas.Where(s => s.CorrelationId == kept || s.CorrelationId == gone).Select(s => s.CorrelationId).ToListAsync(),
            Audit: await db.AuditEntries.Where(e => e.WriteId == gone).Select(e => e.Action).ToListAsync()));
        Assert.Equal([kept], left.Writes);
        Assert.Equal([kept], left.Conflicts);
        Assert.Equal([kept], left.Sagas);
        Assert.Equal(["write.discard"], left.Audit);
        Assert.Null(await ArchivedAsync(@operator, gone, "customers", goneKey));
        await Api.AssertProblemAsync(await @operator.GetAsync(AdminWrites + gone), HttpStatusCode.NotFound, "write-not-found");
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + kept), "status"));
    }
}

/// <summary>RabbitMQ + PostgreSQL, with customers (unique email, held on conflict), orders referencing them, and notes that continue.</summary>
public sealed class PostgresAdminActionsApiTests(ConflictsFixture fixture) : AdminActionsApiTests(fixture), IClassFixture<ConflictsFixture>
{
    /// <summary>The real way: a queued write whose message on its partition cannot be read.</summary>
    protected override async Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body)
    {
        var writeId = Guid.CreateVersion7();
        var partition = App.Services.GetRequiredService<PartitionMap>().PartitionOf(collection, key);
        await App.QueryAsync(db =>
        {
            db.Writes.Add(new Write
            {
                Id = writeId, ClientId = clientId, Collection = collection, Key = key, Partition = partition,
                Operation = WriteOperations.Replace, Body = body.ToJsonString(), SubmittedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        var factory = new ConnectionFactory { HostName = TestVirtualHost.Host, VirtualHost = App.VirtualHost!.Name };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { MessageId = writeId.ToString(), ContentType = "application/vnd.masstransit+json", Persistent = true };
            await channel.BasicPublishAsync(PartitionTopology.QueueName(partition), string.Empty, mandatory: true, properties, Encoding.UTF8.GetBytes("{ this is not json"));
        }

        await Eventually.UntilAsync(
            async () => await App.QueryAsync(db => db.Writes.AnyAsync(w => w.Id == writeId && w.Status == WriteStatus.Failed)),
            $"write {writeId} failed");
        return writeId;
    }
}

/// <summary>The embedded default (in-memory transport, SQLite) with the same collections.</summary>
public sealed class AdminActionsSqliteFixture() : PipelineAppFixture(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
{
    Overrides = new Dictionary<string, string?>
    {
        ["WritePipeline:Collections:customers:UniqueFields:0"] = "/email",
        ["WritePipeline:Collections:orders:References:/customerId"] = "customers",
        ["WritePipeline:Collections:orders:ReferenceGrace"] = "00:00:00",
        ["WritePipeline:Collections:notes:OnConflict"] = "continue",
    },
});

public sealed class EmbeddedSqliteAdminActionsApiTests(AdminActionsSqliteFixture fixture) : AdminActionsApiTests(fixture), IClassFixture<AdminActionsSqliteFixture>
{
    /// <summary>
    /// The in-memory transport has no raw message to garble: the write is recorded as the recorder leaves it
    /// (<see cref="UnprocessableWriteRecorder"/>: failed, unreadable_message, with the reason).
    /// </summary>
    protected override async Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body)
    {
        var writeId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await App.QueryAsync(db =>
        {
            db.Writes.Add(new Write
            {
                Id = writeId, ClientId = clientId, Collection = collection, Key = key,
                Partition = App.Services.GetRequiredService<PartitionMap>().PartitionOf(collection, key),
                Operation = WriteOperations.Replace, Body = body.ToJsonString(), SubmittedAt = now,
                Status = WriteStatus.Failed, ErrorType = WriteErrors.UnreadableMessage, ErrorDetail = "The message could not be read: test", CompletedAt = now,
            });
            return db.SaveChangesAsync();
        });
        return writeId;
    }
}
