using System.Globalization;

namespace WritePipeline.Records;

/// <summary>Strong ETags derived from a record's version: <c>"7"</c>.</summary>
public static class ETags
{
    public static string For(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Reads the version out of an ETag. Weak tags are refused: If-Match uses strong comparison (RFC 9110 13.1.1).</summary>
    public static bool TryParse(string? etag, out long version)
    {
        version = 0;
        if (etag is null)
        {
            return false;
        }

        var value = etag.Trim();
        return value.Length >= 3 && value[0] == '"' && value[^1] == '"'
            && long.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }
}
