using WritePipeline.Admin;

namespace WritePipeline.UnitTests;

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
}
