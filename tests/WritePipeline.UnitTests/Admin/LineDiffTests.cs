using WritePipeline.Admin;

namespace WritePipeline.UnitTests.Admin;

/// <summary>The side-by-side difference the write page shows: the record as the conflict saw it against the attempt.</summary>
public class LineDiffTests
{
    static DiffLine Same(string line) => new(DiffLine.Same, line, line);

    [Fact]
    public void Equal_texts_are_the_same_line_for_line()
    {
        Assert.Equal([Same("{"), Same("  \"a\": 1"), Same("}")], LineDiff.Compare("{\n  \"a\": 1\n}", "{\n  \"a\": 1\n}"));
    }

    [Fact]
    public void A_line_replaced_in_place_is_one_changed_row_with_the_old_and_the_new_value()
    {
        var rows = LineDiff.Compare("{\n  \"name\": \"Ada\",\n  \"tier\": \"gold\"\n}", "{\n  \"name\": \"Ada\",\n  \"tier\": \"platinum\"\n}");

        Assert.Equal(
            [Same("{"), Same("  \"name\": \"Ada\","), new DiffLine(DiffLine.Changed, "  \"tier\": \"gold\"", "  \"tier\": \"platinum\""), Same("}")],
            rows);
    }

    [Fact]
    public void A_line_only_on_the_right_is_added()
    {
        Assert.Equal([Same("a"), new DiffLine(DiffLine.Added, null, "b"), Same("c")], LineDiff.Compare("a\nc", "a\nb\nc"));
    }

    [Fact]
    public void A_line_only_on_the_left_is_removed()
    {
        Assert.Equal([Same("a"), new DiffLine(DiffLine.Removed, "b", null), Same("c")], LineDiff.Compare("a\nb\nc", "a\nc"));
    }

    [Fact]
    public void More_lines_removed_than_added_pair_up_as_changed_then_removed()
    {
        Assert.Equal(
            [Same("a"), new DiffLine(DiffLine.Changed, "b", "x"), new DiffLine(DiffLine.Removed, "c", null), Same("d")],
            LineDiff.Compare("a\nb\nc\nd", "a\nx\nd"));
    }

    [Fact]
    public void Two_missing_texts_have_no_difference()
    {
        Assert.Empty(LineDiff.Compare(null, null));
    }

    [Fact]
    public void A_missing_side_makes_every_line_of_the_other_added_or_removed()
    {
        Assert.Equal([new DiffLine(DiffLine.Added, null, "a"), new DiffLine(DiffLine.Added, null, "b")], LineDiff.Compare(null, "a\nb"));
        Assert.Equal([new DiffLine(DiffLine.Removed, "a", null)], LineDiff.Compare("a", null));
    }

    [Fact]
    public void Windows_line_endings_are_not_a_difference()
    {
        Assert.All(LineDiff.Compare("a\r\nb", "a\nb"), row => Assert.Equal(DiffLine.Same, row.Kind));
    }

    [Fact]
    public void Texts_longer_than_the_limit_are_shown_side_by_side_without_comparing()
    {
        var left = string.Join('\n', Enumerable.Range(0, LineDiff.MaxLines + 1).Select(i => $"l{i}"));

        var rows = LineDiff.Compare(left, "r0");

        Assert.Equal(LineDiff.MaxLines + 1, rows.Count);
        Assert.Equal(new DiffLine(DiffLine.Changed, "l0", "r0"), rows[0]);
        Assert.Equal(new DiffLine(DiffLine.Changed, "l1", null), rows[1]);
    }

    [Fact]
    public void An_empty_text_is_one_empty_line_unlike_a_missing_one()
    {
        Assert.Equal([new DiffLine(DiffLine.Changed, "", "a")], LineDiff.Compare("", "a"));
        Assert.Equal([Same("a"), new DiffLine(DiffLine.Removed, "", null)], LineDiff.Compare("a\n", "a"));
    }

    [Fact]
    public void A_line_added_between_repeated_lines_keeps_the_repeated_lines_the_same()
    {
        Assert.Equal(
            [Same("}"), new DiffLine(DiffLine.Added, null, "x"), Same("}"), Same("}")],
            LineDiff.Compare("}\n}\n}", "}\nx\n}\n}"));
    }

    [Fact]
    public void Whitespace_and_case_are_differences()
    {
        Assert.Equal([new DiffLine(DiffLine.Changed, "a ", "A")], LineDiff.Compare("a ", "A"));
    }

    [Fact]
    public void The_same_rows_are_a_longest_common_subsequence_and_each_side_reads_back_whole()
    {
        var random = new Random(13);
        for (var run = 0; run < 300; run++)
        {
            var left = RandomLines(random);
            var right = RandomLines(random);

            var rows = LineDiff.Compare(string.Join('\n', left), string.Join('\n', right));

            Assert.Equal(left, rows.Where(r => r.Left is not null).Select(r => r.Left!));
            Assert.Equal(right, rows.Where(r => r.Right is not null).Select(r => r.Right!));
            Assert.Equal(LongestCommon(left, right), rows.Count(r => r.Kind == DiffLine.Same));
        }
    }

    static string[] RandomLines(Random random) =>
        [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => "abc"[random.Next(3)].ToString())];

    static int LongestCommon(string[] a, string[] b)
    {
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        return common[0, 0];
    }
}
