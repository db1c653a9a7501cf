using DiffPlex;
using DiffPlex.Chunkers;

namespace WritePipeline.Admin;

/// <summary>One row of a side-by-side difference: a line on the left, on the right, or on both.</summary>
public sealed record DiffLine(string Kind, string? Left, string? Right)
{
    public const string Same = "same";
    public const string Changed = "changed";
    public const string Removed = "removed";
    public const string Added = "added";
}

/// <summary>Side-by-side line difference of two texts (DiffPlex's Myers diff), for documents of a few hundred lines.</summary>
public static class LineDiff
{
    /// <summary>Beyond this many lines on a side, the texts are shown whole side by side instead of compared (bounds the work per page).</summary>
    public const int MaxLines = 2000;

    static readonly CustomFunctionChunker LineChunker = new(Lines);

    public static IReadOnlyList<DiffLine> Compare(string? left, string? right)
    {
        var a = left is null ? [] : Lines(left);
        var b = right is null ? [] : Lines(right);
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return [.. Enumerable.Range(0, Math.Max(a.Length, b.Length)).Select(i => new DiffLine(
                DiffLine.Changed, i < a.Length ? a[i] : null, i < b.Length ? b[i] : null))];
        }

        var rows = new List<DiffLine>();
        if (left is null || right is null)
        {
            Pair(a, b);
            return rows;
        }

        // DiffPlex reads an empty text as no line at all, where "" is one empty line here: one leading line on both
        // sides, always the same, keeps every text non-empty; block positions are one past ours.
        int x = 0, y = 0;
        foreach (var block in Differ.Instance.CreateDiffs("\n" + left, "\n" + right, ignoreWhiteSpace: false, ignoreCase: false, LineChunker).DiffBlocks)
        {
            var (removedAt, addedAt) = (block.DeleteStartA - 1, block.InsertStartB - 1);
            for (; x < removedAt; x++, y++)
            {
                rows.Add(new DiffLine(DiffLine.Same, a[x], b[y]));
            }

            Pair(a.AsSpan(removedAt, block.DeleteCountA), b.AsSpan(addedAt, block.InsertCountB));
            x = removedAt + block.DeleteCountA;
            y = addedAt + block.InsertCountB;
        }

        for (; x < a.Length; x++, y++)
        {
            rows.Add(new DiffLine(DiffLine.Same, a[x], b[y]));
        }

        return rows;

        // A run of removed lines next to a run of added lines reads as lines changed in place.
        void Pair(ReadOnlySpan<string> removed, ReadOnlySpan<string> added)
        {
            for (var i = 0; i < Math.Max(removed.Length, added.Length); i++)
            {
                var (l, r) = (i < removed.Length ? removed[i] : null, i < added.Length ? added[i] : null);
                rows.Add(new DiffLine(l is null ? DiffLine.Added : r is null ? DiffLine.Removed : DiffLine.Changed, l, r));
            }
        }
    }

    static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
}
