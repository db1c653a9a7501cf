namespace WritePipeline.Admin;

/// <summary>One row of a side-by-side difference: a line on the left, on the right, or on both.</summary>
public sealed record DiffLine(string Kind, string? Left, string? Right)
{
    public const string Same = "same";
    public const string Changed = "changed";
    public const string Removed = "removed";
    public const string Added = "added";
}

/// <summary>Side-by-side line difference of two texts (longest common subsequence), for documents of a few hundred lines.</summary>
public static class LineDiff
{
    /// <summary>Beyond this many lines on a side, the texts are shown whole side by side instead of compared (the table is quadratic).</summary>
    public const int MaxLines = 2000;

    public static IReadOnlyList<DiffLine> Compare(string? left, string? right)
    {
        var a = Lines(left);
        var b = Lines(right);
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return [.. Enumerable.Range(0, Math.Max(a.Length, b.Length)).Select(i => new DiffLine(
                DiffLine.Changed, i < a.Length ? a[i] : null, i < b.Length ? b[i] : null))];
        }

        // common[i, j]: length of the longest common subsequence of a[i..] and b[j..].
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var rows = new List<DiffLine>();
        var removed = new List<string>();
        var added = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                Flush();
                rows.Add(new DiffLine(DiffLine.Same, a[x], b[y]));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                added.Add(b[y++]);
            }
            else
            {
                removed.Add(a[x++]);
            }
        }

        Flush();
        return rows;

        // A run of removed lines next to a run of added lines reads as lines changed in place.
        void Flush()
        {
            for (var i = 0; i < Math.Max(removed.Count, added.Count); i++)
            {
                var (l, r) = (i < removed.Count ? removed[i] : null, i < added.Count ? added[i] : null);
                rows.Add(new DiffLine(l is null ? DiffLine.Added : r is null ? DiffLine.Removed : DiffLine.Changed, l, r));
            }

            removed.Clear();
            added.Clear();
        }
    }

    static string[] Lines(string? text) => text is null ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
}
