using WritePipeline.Audit;

namespace WritePipeline.UnitTests.Audit;

/// <summary>The CSV cells of the exports: RFC 4180 quoting, and no formula a spreadsheet would run.</summary>
public class CsvTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("orders/o-17", "orders/o-17")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Quotes_only_what_needs_quoting(string? value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    public void A_cell_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_a_quote_mark(string value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }

    [Fact]
    public async Task A_row_is_its_cells_separated_by_commas_and_ended_by_CRLF()
    {
        await using var output = new StringWriter();

        await Csv.WriteRowAsync(output, ["a", null, "b,c", "=x"]);

        Assert.Equal("a,,\"b,c\",'=x\r\n", output.ToString());
    }

    [Theory]
    [InlineData("a\r\nb", "\"a\r\nb\"")]
    [InlineData("cr\ronly", "\"cr\ronly\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData(" padded ", " padded ")]
    [InlineData("tab\tinside", "tab\tinside")]
    [InlineData("x=1", "x=1")]
    [InlineData("'quoted", "'quoted")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("-\"a,b\"", "\"'-\"\"a,b\"\"\"")]
    [InlineData("é ü 😀", "é ü 😀")]
    public void Edges_keep_their_quoting(string value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }

    [Fact]
    public async Task Rows_written_one_after_another_through_one_writer_read_as_separate_records()
    {
        await using var output = new StringWriter();
        await using (var csv = Csv.Writer(output))
        {
            await Csv.WriteRowAsync(csv, ["id", "note"]);
            await Csv.WriteRowAsync(csv, ["1", "line one\nline two"]);
            await Csv.WriteRowAsync(csv, ["2", null]);
        }

        Assert.Equal("id,note\r\n1,\"line one\nline two\"\r\n2,\r\n", output.ToString());
    }
}
