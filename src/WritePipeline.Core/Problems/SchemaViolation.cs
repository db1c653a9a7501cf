namespace WritePipeline.Problems;

/// <summary>One place where a document breaks its collection's schema: the instance location (a JSON Pointer, <c>""</c> for the document itself) and why.</summary>
public sealed record SchemaViolation(string Path, string Message);
