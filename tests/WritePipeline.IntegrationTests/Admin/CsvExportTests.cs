using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>The CSV exports of waiting writes and of the audit log, read back as RFC 4180.</summary>
public abstract class CsvExportTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
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
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresCsvExportTests(AdminActionsPostgresFixture fixture) : CsvExportTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteCsvExportTests(AdminActionsSqliteFixture fixture) : CsvExportTests(fixture);
