namespace WritePipeline.Contracts;

/// <summary>The operations a write can carry, as they are spelled on the wire.</summary>
public static class WriteOperations
{
    /// <summary>Create or replace the whole document (HTTP PUT).</summary>
    public const string Replace = "replace";

    /// <summary>RFC 7396 JSON merge patch (HTTP PATCH).</summary>
    public const string Patch = "patch";

    /// <summary>Delete the record (HTTP DELETE).</summary>
    public const string Delete = "delete";

    public static bool IsKnown(string? operation) =>
        operation is Replace or Patch or Delete;
}
