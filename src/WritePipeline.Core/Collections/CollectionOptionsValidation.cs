using Microsoft.Extensions.Configuration;
using WritePipeline.Json;

namespace WritePipeline.Collections;

/// <summary>What start-up refuses in the declared collections, each as a message naming the setting's full path.</summary>
public static class CollectionOptionsValidation
{
    /// <param name="collections">Every declared collection: a reference must name one of them.</param>
    /// <param name="contentRoot">Where relative schema file paths start.</param>
    public static IEnumerable<string> Validate(IReadOnlyDictionary<string, CollectionOptions> collections, string contentRoot)
    {
        var failures = new List<string>();
        foreach (var (collection, declaration) in collections)
        {
            if (!RecordNames.IsValidCollection(collection))
            {
                failures.Add($"WritePipeline:Collections: '{collection}' is not a valid collection name.");
            }

            failures.AddRange(declaration.UniqueFields.Where(f => !JsonPointer.NamesAField(f)).Select(f => $"WritePipeline:Collections:{collection}:UniqueFields: '{f}' is not a JSON pointer."));
            foreach (var (field, target) in declaration.References)
            {
                if (!JsonPointer.NamesAField(field))
                {
                    failures.Add($"WritePipeline:Collections:{collection}:References: '{field}' is not a JSON pointer.");
                }

                if (!collections.ContainsKey(target))
                {
                    failures.Add($"WritePipeline:Collections:{collection}:References:{field} names '{target}', which is not declared.");
                }
            }

            if (!ConflictPolicies.IsKnown(declaration.ConflictPolicy))
            {
                failures.Add($"WritePipeline:Collections:{collection}:ConflictPolicy must be auto, notify or park.");
            }

            if (declaration.OnConflict is not (CollectionOptions.Hold or CollectionOptions.Continue))
            {
                failures.Add($"WritePipeline:Collections:{collection}:OnConflict must be hold or continue.");
            }

            if (declaration.DeclaresSchema && CollectionSchema.Load(collection, declaration.Schema!, contentRoot).Problem is { } schemaProblem)
            {
                failures.Add(schemaProblem);
            }

            if (declaration.ReferenceGrace < TimeSpan.Zero)
            {
                failures.Add($"WritePipeline:Collections:{collection}:ReferenceGrace must not be negative.");
            }
        }

        return failures;
    }

    /// <summary>
    /// A schema written as a JSON object inside the configuration (appsettings.json) cannot be bound: configuration
    /// keeps strings only (numbers, booleans and arrays lose their type), and the binder silently drops the whole
    /// collection. Say so instead of running without the collection or its schema.
    /// </summary>
    /// <param name="pipelineSection">The <c>WritePipeline</c> section the options were bound from.</param>
    public static IEnumerable<string> SchemasGivenAsObjects(IConfiguration pipelineSection) =>
        pipelineSection.GetSection("Collections").GetChildren()
            .Where(collection => collection.GetSection("Schema").GetChildren().Any())
            .Select(collection => $"WritePipeline:Collections:{collection.Key}:Schema is a JSON object inside the configuration, which cannot keep its types: give the schema as a string holding the JSON, or as the path of a file holding it.");
}
